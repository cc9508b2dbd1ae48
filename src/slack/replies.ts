/**
 * Answers to clicks, never by DM (the app's Messages tab is off, so Slack refuses DMs with
 * `messages_tab_disabled`). A button in a message has a response_url: the answer is an ephemeral
 * there, which works in any conversation the click came from — unlike chat.postEphemeral, which
 * fails in a public channel the bot has not joined. A button inside a modal has no conversation,
 * so the answer is a small modal pushed on top; a button on the App Home tab opens one (Slack
 * allows views.push only from inside an open modal).
 */
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import { modal, noticeModal, type Message, type Mrkdwn } from '../../views/blocks.js';
import { CALLBACK } from '../../views/ids.js';

export type ButtonArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

export function noticeView(text: Mrkdwn, title = 'oslayer'): ModalView {
  return noticeModal(CALLBACK.notice, title, text);
}

/** Where a click came from: a modal, the App Home tab, or a message. */
export function clickSurface(body: ButtonArgs['body']): 'modal' | 'home' | 'message' {
  if (body.view?.type === 'modal') return 'modal';
  return body.view ? 'home' : 'message';
}

/** Opens `view` over whatever the click came from: pushed onto an open modal, else opened. */
export async function openOver(args: Pick<ButtonArgs, 'body' | 'client'>, view: ModalView): Promise<string | undefined> {
  const opened = clickSurface(args.body) === 'modal'
    ? await args.client.views.push({ trigger_id: args.body.trigger_id, view })
    : await args.client.views.open({ trigger_id: args.body.trigger_id, view });
  return opened.view?.id;
}

/** An answer to a click, only for the clicker; mrkdwn by construction (escaped or the bot's own template). */
export async function tellUser(args: Pick<ButtonArgs, 'body' | 'client' | 'respond'>, text: Mrkdwn): Promise<void> {
  if (clickSurface(args.body) === 'message') await args.respond({ response_type: 'ephemeral', replace_original: false, text });
  else await openOver(args, noticeView(text));
}

/** A list message shown as a modal (the App Home tab has no conversation to post it in). */
export function listModal(message: Pick<Message, 'blocks'>, title: string): ModalView {
  return modal({ callbackId: CALLBACK.notice, title, close: 'Close', blocks: message.blocks });
}

/** Redraws a list in place: the message through its response_url, or the modal it is shown in. */
export async function redraw(args: Pick<ButtonArgs, 'body' | 'client' | 'respond'>, message: Message, title: string): Promise<void> {
  if (clickSurface(args.body) === 'message') await args.respond({ replace_original: true, ...message });
  else await args.client.views.update({ view_id: args.body.view!.id, view: listModal(message, title) });
}
