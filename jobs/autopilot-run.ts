import type { Agenda, Job } from 'agenda';
import type { Services } from '../src/services.js';
import { AUTOPILOT_RUN_JOB, type AutopilotRunJobData } from '../src/workflow/autopilot-start.js';
import { runAutopilotJob } from '../src/workflow/autopilot-run.js';

/**
 * An autopilot run (src/workflow/autopilot-run.ts): started by its schedule, Run now, or a Retry.
 * It can take hours (updates, restarts, the copy); the task's lease and heartbeat hold it, and
 * another process takes a dead one's run over from its recorded step. No automatic retries: a
 * failure stops the run for a person.
 */
export function defineAutopilotRunJob(agenda: Agenda, services: Services): void {
  // Its document stays once done (as publish's and finalize's do): Operations shows when it last ran.
  agenda.define(AUTOPILOT_RUN_JOB, (job: Job<AutopilotRunJobData>) => runAutopilotJob(services, job), {
    concurrency: 4,
    lockLifetime: services.config.jobs.lockLifetimeMs,
  });
}
