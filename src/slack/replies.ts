/**
 * Answers to buttons. A button in a message has a response_url: the answer is an ephemeral
 * message there. A button inside a modal has no conversation to answer in, so the answer is
 * a small modal pushed on top (the user closes it and is back where they were).
 */
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import { noticeModal } from '../../views/blocks.js';
import { CALLBACK } from '../../views/ids.js';

export type ButtonArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

export function noticeView(text: string, title = 'oslayer'): ModalView {
  return noticeModal(CALLBACK.notice, title, text);
}

export async function tellUser(args: Pick<ButtonArgs, 'body' | 'client' | 'respond'>, text: string): Promise<void> {
  if (args.body.view) {
    await args.client.views.push({ trigger_id: args.body.trigger_id, view: noticeView(text) });
  } else {
    await args.respond({ response_type: 'ephemeral', replace_original: false, text });
  }
}

