import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { Permission } from '../../domain/permissions.js';
import type { Services } from '../../services.js';
import { TaskRun } from '../../workflow/task-run.js';
import { authorize } from '../authorize.js';
import { tellUser } from '../replies.js';
import { mrkdwn, type Mrkdwn } from '../../../views/blocks.js';

export type TaskButtonArgs = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;

export interface TaskButtonContext {
  run: TaskRun;
  userId: string;
  /** An answer only the clicking user sees: through the click's response_url, or a modal when the click came from one. */
  tell(text: Mrkdwn): Promise<void>;
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
  const tell = (text: Mrkdwn): Promise<void> => tellUser(args, text);
  const auth = await authorize(services, userId, permission, what);
  if (!auth.ok) return tell(auth.message);
  const run = await TaskRun.load(services, args.action.value ?? '');
  if (!run) return tell(mrkdwn`That task no longer exists.`);
  await handle({ run, userId, tell });
}
