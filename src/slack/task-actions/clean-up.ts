import type { App, BlockButtonAction } from '@slack/bolt';
import { TASK_ACTIONS } from '../../../views/task-message.js';
import type { Services } from '../../services.js';
import { recordAudit } from '../../workflow/audit.js';
import { CANCEL_JOB } from '../../workflow/finalize-steps.js';
import { onTaskButton } from './guard.js';
import { escapeMrkdwn, mention, mrkdwn } from '../../../views/blocks.js';

/** Clean up: after a failure that kept the machine for a look, deletes what the task created (Cancel's deletion). */
export function registerCleanUp(app: App, services: Services): void {
  app.action<BlockButtonAction>(TASK_ACTIONS.cleanUp, (args) =>
    onTaskButton(args, services, 'cancel', 'clean up a task', async ({ run, userId, tell }) => {
      const { status } = run.version;
      if (status !== 'failed' && status !== 'cancelled') return tell(mrkdwn`Version ${escapeMrkdwn(run.version.name)} is ${escapeMrkdwn(status)}; Clean up is for failed or cancelled tasks.`);
      await recordAudit(services.repos, { actor: userId, action: 'task.clean-up', target: `task:${run.task._id}` });
      await run.thread(mrkdwn`:broom: ${mention(userId)} is cleaning up what this task created.`);
      await services.scheduler.agenda.now(CANCEL_JOB, { taskId: run.task._id, userId });
    }),
  );
}
