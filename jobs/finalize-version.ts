import { backoffStrategies, type Agenda, type Job } from 'agenda';
import type { Services } from '../src/services.js';
import { failFinalize, finalizeVersion, isTransient, type FinalizeOptions } from '../src/workflow/finalize.js';
import { FINALIZE_JOB } from '../src/workflow/finalize-steps.js';
import { runTaskJob } from '../src/workflow/task-lease.js';

const TRANSIENT_RETRIES = 5;

export interface FinalizeJobData {
  taskId: string;
}

/**
 * Finalize, started by the Finalize button once it holds the version's claim. Carries the task
 * id only; a rerun (Agenda's retry, or another process after a crash) resumes from the steps
 * recorded done.
 */
export function defineFinalizeJob(agenda: Agenda, services: Services, opts: FinalizeOptions): void {
  agenda.define(
    FINALIZE_JOB,
    (job: Job<FinalizeJobData>) =>
      runTaskJob(services, job, {
        accepts: (version) => version.status === 'finalizing',
        work: (run) => finalizeVersion(run, opts),
        onError: async (run, err) => {
          // Azure being briefly unwell (throttling, 5xx): Agenda runs the job again after a backoff.
          if (isTransient(err) && (job.attrs.failCount ?? 0) < TRANSIENT_RETRIES) throw err;
          await failFinalize(run, err);
        },
      }),
    { concurrency: 4, lockLifetime: services.config.jobs.lockLifetimeMs, backoff: backoffStrategies.exponential({ delay: 15_000, maxRetries: TRANSIENT_RETRIES }) },
  );
}
