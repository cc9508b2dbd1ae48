import { backoffStrategies, type Agenda, type Job } from 'agenda';
import type { Services } from '../src/services.js';
import { failFinalize, finalizeVersion, isTransient, type FinalizeOptions } from '../src/workflow/finalize.js';
import { needsCheckFirst, verifyBeforeFinalize, type FinalizeJobData } from '../src/workflow/finalize-request.js';
import { FINALIZE_JOB } from '../src/workflow/finalize-steps.js';
import { runTaskJob } from '../src/workflow/task-lease.js';

const TRANSIENT_RETRIES = 5;

/**
 * Finalize, started by the Finalize button once it holds the version's claim. Carries the task
 * id (and, for a one-click Finalize, who clicked it: the layer check and shutdown come first);
 * a rerun (Agenda's retry, or another process after a crash) resumes from the steps recorded done.
 */
export function defineFinalizeJob(agenda: Agenda, services: Services, opts: FinalizeOptions): void {
  agenda.define(
    FINALIZE_JOB,
    (job: Job<FinalizeJobData>) =>
      runTaskJob(services, job, {
        accepts: (run) => run.version.status === 'finalizing' || needsCheckFirst(run, job.attrs.data),
        work: async (run) => {
          if (needsCheckFirst(run, job.attrs.data) && !(await verifyBeforeFinalize(run, job.attrs.data.checkFirstFor))) return;
          if (run.version.status !== 'finalizing') return;
          await finalizeVersion(run, { ...opts, approval: job.attrs.data.approval });
        },
        onError: async (run, err) => {
          // Azure being briefly unwell (throttling, 5xx): Agenda runs the job again after a backoff.
          if (isTransient(err) && (job.attrs.failCount ?? 0) < TRANSIENT_RETRIES) throw err;
          await failFinalize(run, err);
        },
      }),
    { concurrency: 4, lockLifetime: services.config.jobs.lockLifetimeMs, backoff: backoffStrategies.exponential({ delay: 15_000, maxRetries: TRANSIENT_RETRIES }) },
  );
}
