import type { App, BlockButtonAction } from '@slack/bolt';
import { TASK_ACTIONS } from '../../../views/task-message.js';
import type { Services } from '../../services.js';
import { recordAudit } from '../../workflow/audit.js';
import { requestFinalize } from '../../workflow/finalize-request.js';
import { retryPublish } from '../../workflow/publish.js';
import { endClaimKey, FINALIZE_STEP } from '../../workflow/finalize-steps.js';
import { onTaskButton } from './guard.js';
import { mention, mrkdwn } from '../../../views/blocks.js';

const FINALIZE_STEPS: readonly string[] = Object.values(FINALIZE_STEP);

/**
 * Retry is offered only when the failed step is safe to run again: publishing, and a Finalize
 * that Azure refused for want of a role (the machine and its disk were kept, nothing was copied).
 */
export function registerRetry(app: App, services: Services): void {
  app.action<BlockButtonAction>(TASK_ACTIONS.retry, (args) =>
    onTaskButton(args, services, 'add-version', 'retry this task', async (ctx) => {
      const { run, userId, tell } = ctx;
      if (run.version.status !== 'failed' || !run.task.retryable) return tell(mrkdwn`This task cannot be retried; cancel it and start a new version instead.`);
      if (run.task.steps.some((step) => FINALIZE_STEPS.includes(step.name))) {
        // The failed Finalize still holds the version's end claim; Finalize claims it afresh.
        await services.repos.claims.remove(endClaimKey(run.version._id));
        await run.moveVersion({ type: 'retry', resumeAt: 'ready-to-finalize' });
        await recordAudit(services.repos, { actor: userId, action: 'task.retry', target: `task:${run.task._id}` });
        await run.thread(mrkdwn`:repeat: ${mention(userId)} retried Finalize.`);
        return requestFinalize(services, ctx);
      }
      await retryPublish(run, userId);
    }),
  );
}
