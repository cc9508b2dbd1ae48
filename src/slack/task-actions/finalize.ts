import type { App, BlockButtonAction } from '@slack/bolt';
import { TASK_ACTIONS } from '../../../views/task-message.js';
import { IllegalTransitionError } from '../../domain/version-status.js';
import type { Services } from '../../services.js';
import { recordAudit } from '../../workflow/audit.js';
import { finalizeBlocker } from '../../workflow/finalize.js';
import { endClaimKey, endClaimOwner, FINALIZE_JOB } from '../../workflow/finalize-steps.js';
import { onTaskButton } from './guard.js';
import { escapeMrkdwn } from '../../../views/blocks.js';

/**
 * Finalize: checks what the version needs (clean integrity check, machine deallocated), then
 * claims the version so that however many people click, one finalize runs; the job does the rest.
 */
export function registerFinalize(app: App, services: Services): void {
  app.action<BlockButtonAction>(TASK_ACTIONS.finalize, (args) =>
    onTaskButton(args, services, 'finalize', 'finalize a version', async ({ run, userId, tell }) => {
      const { repos } = services;
      const blocker = await finalizeBlocker(run);
      if (blocker) return tell(blocker);
      const key = endClaimKey(run.version._id);
      if (!(await repos.claims.tryClaim(key, endClaimOwner('finalize', userId)))) {
        const held = await repos.claims.get(key);
        return tell(
          held?.owner.startsWith('cancel:')
            ? `Version ${escapeMrkdwn(run.version.name)} is being cancelled; it can't be finalized.`
            : `Version ${escapeMrkdwn(run.version.name)} is already finalizing.`,
        );
      }
      try {
        await run.moveVersion({ type: 'finalize-started' });
      } catch (err) {
        if (!(err instanceof IllegalTransitionError)) throw err;
        // The machine changed under us (e.g. it was started again): give the claim back for a later try.
        await repos.claims.remove(key);
        return tell(`Version ${escapeMrkdwn(run.version.name)} can't be finalized now: ${escapeMrkdwn(err.message)}.`);
      }
      await recordAudit(repos, { actor: userId, action: 'version.finalize', target: `version:${run.version._id}` });
      await run.thread(`:package: <@${userId}> started Finalize: the machine's disk is copied into the layer store, then the machine is deleted.`);
      await services.scheduler.agenda.now(FINALIZE_JOB, { taskId: run.task._id });
    }),
  );
}
