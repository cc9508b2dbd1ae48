import type { App, BlockButtonAction } from '@slack/bolt';
import { TASK_ACTIONS } from '../../../views/task-message.js';
import type { Services } from '../../services.js';
import { PUBLISH_JOB } from '../../workflow/create-version.js';
import { recordAudit } from '../../workflow/audit.js';
import { onTaskButton } from './guard.js';
import { mention, mrkdwn } from '../../../views/blocks.js';

/** Retry is offered only when the failed step is safe to run again; only publishing sets that today. */
export function registerRetry(app: App, services: Services): void {
  app.action<BlockButtonAction>(TASK_ACTIONS.retry, (args) =>
    onTaskButton(args, services, 'add-version', 'retry this task', async ({ run, userId, tell }) => {
      if (run.version.status !== 'failed' || !run.task.retryable) return tell(mrkdwn`This task cannot be retried; cancel it and start a new version instead.`);
      await run.moveVersion({ type: 'retry', resumeAt: 'publishing' });
      await recordAudit(services.repos, { actor: userId, action: 'task.retry', target: `task:${run.task._id}` });
      await run.thread(mrkdwn`:repeat: ${mention(userId)} retried publishing.`);
      await services.scheduler.agenda.now(PUBLISH_JOB, { taskId: run.task._id });
    }),
  );
}
