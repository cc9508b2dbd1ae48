import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { Permission } from '../../domain/permissions.js';
import type { Services } from '../../services.js';
import { TaskRun } from '../../workflow/task-run.js';
import { authorize } from '../authorize.js';
import { noticeView } from '../replies.js';

export type TaskButtonArgs = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;

export interface TaskButtonContext {
  run: TaskRun;
  userId: string;
  /** An answer only the clicking user sees: in the channel of the task message, or over the task detail modal. */
  tell(text: string): Promise<void>;
}

/**
 * Every task button: ack at once, check the clicker's role, load the task the button names
 * (its value is the task id), then hand over. Refusals and stale buttons get an ephemeral answer.
 */
export async function onTaskButton(
  args: TaskButtonArgs,
  services: Services,
  permission: Permission,
  what: string,
  handle: (ctx: TaskButtonContext) => Promise<void>,
): Promise<void> {
  await args.ack();
  const userId = args.body.user.id;
  const channel = args.body.channel?.id ?? args.body.container?.channel_id;
  const tell = async (text: string): Promise<void> => {
    // A button in the task detail modal has no conversation to answer in (and the bot may not DM).
    if (args.body.view) await args.client.views.push({ trigger_id: args.body.trigger_id, view: noticeView(text) });
    else if (channel) await args.client.chat.postEphemeral({ channel, user: userId, text });
    else await args.client.chat.postMessage({ channel: userId, text });
  };
  const auth = await authorize(services, userId, permission, what);
  if (!auth.ok) return tell(auth.message);
  const run = await TaskRun.load(services, args.action.value ?? '');
  if (!run) return tell('That task no longer exists.');
  await handle({ run, userId, tell });
}
