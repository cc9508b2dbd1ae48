import type { App, BlockButtonAction } from '@slack/bolt';
import { TASK_ACTIONS } from '../../../views/task-message.js';
import type { Services } from '../../services.js';
import { notWaitingForMachine } from '../../workflow/machine-actions.js';
import { DEPLOY_MACHINE_JOB, deployClaimKey, type DeployMachineData } from '../../workflow/machine-jobs.js';
import { onTaskButton } from './guard.js';
import { escapeMrkdwn, mrkdwn } from '../../../views/blocks.js';

/**
 * Deploy for me: the bot creates the packaging machine itself. One deployment per version: the
 * claim stays while it runs and after it succeeded, so a second click is answered, not repeated.
 * A failed deployment, or a machine deleted outside the bot, gives the claim back.
 */
export function registerDeployForMe(app: App, services: Services): void {
  app.action<BlockButtonAction>(TASK_ACTIONS.deployForMe, (args) =>
    onTaskButton(args, services, 'operate-machine', 'create the packaging machine', async ({ run, userId, tell }) => {
      const { version } = run;
      if (version.status !== 'action-required') return tell(notWaitingForMachine(version));
      const key = deployClaimKey(version._id);
      if (!(await services.repos.claims.tryClaim(key, userId))) {
        return tell(
          version.packagingMachine?.vmId
            ? mrkdwn`The packaging machine \`${escapeMrkdwn(version.packagingMachine.name)}\` already exists; connect to it, or use the buttons in the task message.`
            : mrkdwn`The packaging machine is already being created; I will post in the thread when it is ready.`,
        );
      }
      try {
        await tell(mrkdwn`Creating the packaging machine from the packaging disk; I will post in the thread when it is ready.`);
        const data: DeployMachineData = { taskId: run.task._id, userId };
        await services.scheduler.agenda.now(DEPLOY_MACHINE_JOB, data);
      } catch (err) {
        await services.repos.claims.remove(key);
        throw err;
      }
    }),
  );
}
