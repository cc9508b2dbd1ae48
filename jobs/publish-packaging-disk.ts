import { backoffStrategies, type Agenda, type Job } from 'agenda';
import { AzureError } from '../src/azure/errors.js';
import type { Services } from '../src/services.js';
import { PUBLISH_JOB } from '../src/workflow/create-version.js';
import { failPublish, publishPackagingDisk, type PublishOptions } from '../src/workflow/publish.js';
import { runTaskJob } from '../src/workflow/task-lease.js';

const TRANSIENT_RETRIES = 5;

/**
 * Publishes the packaging disk of a version just created (src/workflow/publish.ts). Carries the
 * task id only; a rerun, or another process after a crash, resumes from the steps recorded done.
 */
export function definePublishJob(agenda: Agenda, services: Services, opts: PublishOptions): void {
  agenda.define(
    PUBLISH_JOB,
    (job: Job<{ taskId: string }>) =>
      runTaskJob(services, job, {
        accepts: (run) => run.version.status === 'publishing',
        work: (run) => publishPackagingDisk(run, opts),
        onError: async (run, err) => {
          // Azure being briefly unwell (throttling, 5xx): Agenda runs the job again after a backoff.
          if (err instanceof AzureError && err.transient && (job.attrs.failCount ?? 0) < TRANSIENT_RETRIES) throw err;
          await failPublish(run, err);
        },
      }),
    { concurrency: 4, lockLifetime: services.config.jobs.lockLifetimeMs, backoff: backoffStrategies.exponential({ delay: 15_000, maxRetries: TRANSIENT_RETRIES }) },
  );
}
