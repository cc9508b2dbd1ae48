import { backoffStrategies, type Agenda, type Job } from 'agenda';
import { AzureError } from '../src/azure/errors.js';
import type { Services } from '../src/services.js';
import { deleteEverything, type CleanupResult } from '../src/workflow/cleanup.js';
import { isTransient } from '../src/workflow/finalize.js';
import { CANCEL_JOB } from '../src/workflow/finalize-steps.js';
import { runTaskJob } from '../src/workflow/task-lease.js';
import type { TaskRun } from '../src/workflow/task-run.js';
import { escapeMrkdwn, mention, mrkdwn, type Mrkdwn } from '../views/blocks.js';

const TRANSIENT_RETRIES = 5;

export interface CancelJobData {
  taskId: string;
  /** Who clicked Cancel or Clean up; mentioned in the thread. */
  userId: string;
}

/**
 * Deletes everything a cancelled or failed task created (Cancel and Clean up both enqueue it).
 * One at a time per process: a Cancel and a Clean up of the same task never delete side by side.
 */
export function defineCancelJob(agenda: Agenda, services: Services): void {
  agenda.define(
    CANCEL_JOB,
    (job: Job<CancelJobData>) =>
      runTaskJob(services, job, {
        accepts: (run) => run.version.status === 'cancelled' || run.version.status === 'failed',
        work: (run) => cancel(run, job),
        onError: (_run, err) => Promise.reject(err),
      }),
    { concurrency: 1, lockLifetime: services.config.jobs.lockLifetimeMs, backoff: backoffStrategies.exponential({ delay: 15_000, maxRetries: TRANSIENT_RETRIES }) },
  );
}

async function cancel(run: TaskRun, job: Job<CancelJobData>): Promise<void> {
  const { services } = run;
  const who = mention(job.attrs.data.userId);
  const verb = run.version.status === 'cancelled' ? mrkdwn`Cancelled` : mrkdwn`Cleaned up`;
  let result: CleanupResult;
  try {
    result = await deleteEverything(run);
  } catch (err) {
    if (isTransient(err) && (job.attrs.failCount ?? 0) < TRANSIENT_RETRIES) throw err;
    if (!(err instanceof AzureError)) services.logger.error(`cleanup of task ${run.task._id} failed:`, err);
    const reason = err instanceof AzureError ? err.message : 'an unexpected error occurred; the details are in the bot log';
    return reportLeftovers(run, who, reason);
  }
  const deleted = result.deleted.length > 0 ? mrkdwn`Deleted ${escapeMrkdwn(result.deleted.join(', '))}.` : mrkdwn`Nothing was left in Azure to delete.`;
  if (result.left.length > 0) {
    await run.thread(mrkdwn`${who} ${verb}. ${deleted}`);
    // Raw here: reportLeftovers escapes it once, for the thread; the task message escapes failureReason itself.
    return reportLeftovers(run, who, `still tagged with this task: ${result.left.join(', ')}; the bot cannot delete these, delete them in the portal`);
  }
  // Nothing of the machine is left: the task message stops offering Clean up (and a cancelled
  // task drops the reason an earlier cleanup gave; a failed one keeps why it failed).
  await services.repos.versions.update(run.version._id, { packagingMachine: undefined, templateBlob: undefined, portalLink: undefined });
  if (run.version.status === 'cancelled') await services.repos.tasks.update(run.task._id, { failureReason: undefined });
  await run.thread(mrkdwn`:wastebasket: ${who} ${verb}. ${deleted}`);
  await services.notifier.refresh(run.task._id, { immediate: true });
}

/**
 * Some of the task's resources are still in Azure: say which and why, and keep Clean up on the
 * message. A failed task keeps its original reason; a cancelled one records this one.
 */
async function reportLeftovers(run: TaskRun, who: Mrkdwn, reason: string): Promise<void> {
  if (run.version.status === 'cancelled') {
    await run.services.repos.tasks.update(run.task._id, { failureReason: `Cancelled, but not everything could be deleted: ${reason}` });
  }
  await run.thread(mrkdwn`:warning: ${who} not everything could be deleted: ${escapeMrkdwn(reason)}. *Clean up* tries again.`);
  await run.services.notifier.refresh(run.task._id, { immediate: true });
}
