import type { App, BlockButtonAction } from '@slack/bolt';
import { TASK_ACTIONS } from '../../../views/task-message.js';
import { isFinal } from '../../domain/version-status.js';
import type { Services } from '../../services.js';
import { recordAudit } from '../../workflow/audit.js';
import { endAutopilotRunOfCancelled } from '../../workflow/autopilot-run.js';
import { CANCEL_JOB, cancelClaimKey, endClaimKey, endClaimOwner } from '../../workflow/finalize-steps.js';
import { onTaskButton } from './guard.js';
import { escapeMrkdwn, mention, mrkdwn } from '../../../views/blocks.js';

/**
 * Cancel (after Slack's confirm dialog): any version not yet deployable, except while Finalize
 * runs. The version is cancelled at once, so every other button and job stops; the job deletes
 * everything the task created.
 */
export function registerCancel(app: App, services: Services): void {
  app.action<BlockButtonAction>(TASK_ACTIONS.cancel, (args) =>
    onTaskButton(args, services, 'cancel', 'cancel a version', async ({ run, userId, tell }) => {
      const { repos } = services;
      const { version } = run;
      if (version.status === 'finalizing' || version.status === 'checking') return tell(mrkdwn`Version ${escapeMrkdwn(version.name)} can't be cancelled: finalize is already under way.`);
      if (isFinal(version.status)) return tell(mrkdwn`Version ${escapeMrkdwn(version.name)} is already ${escapeMrkdwn(version.status)}; there is nothing to cancel.`);
      if (!(await repos.claims.tryClaim(cancelClaimKey(version._id), userId))) return tell(mrkdwn`Version ${escapeMrkdwn(version.name)} is already being cancelled.`);
      const endKey = endClaimKey(version._id);
      if (!(await repos.claims.tryClaim(endKey, endClaimOwner('cancel', userId)))) {
        // Finalize holds the version unless it has since failed; a failed finalize may be cancelled.
        const current = await repos.versions.get(version._id);
        if (current?.status !== 'failed') {
          await repos.claims.remove(cancelClaimKey(version._id));
          return tell(mrkdwn`Version ${escapeMrkdwn(version.name)} can't be cancelled: finalize is already under way.`);
        }
      }
      await run.moveVersion({ type: 'cancelled' });
      // An autopilot run of this version ends with it, and its layer may run again.
      await endAutopilotRunOfCancelled(services, run.task._id);
      await recordAudit(repos, { actor: userId, action: 'version.cancel', target: `version:${version._id}` });
      await run.thread(mrkdwn`:no_entry_sign: ${mention(userId)} cancelled version ${escapeMrkdwn(version.name)}; deleting everything created for it.`);
      await services.scheduler.agenda.now(CANCEL_JOB, { taskId: run.task._id, userId });
    }),
  );
}
