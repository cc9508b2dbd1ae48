import type { Agenda, Job } from 'agenda';
import type { JobObserver } from '../src/metrics.js';
import { withLogFields } from '../src/log-context.js';
import { keepingJobLocked } from '../src/workflow/task-lease.js';
import type { Services } from '../src/services.js';
import { definePublishJob } from './publish-packaging-disk.js';
import { defineFinalizeJob } from './finalize-version.js';
import { defineCancelJob } from './cancel-task.js';
import { defineDeployMachineJob } from './deploy-packaging-machine.js';
import { defineMachineActionJob } from './packaging-machine-action.js';
import { defineWatchMachineJob } from './watch-packaging-machine.js';
import { defineRetentionJob } from './enforce-retention.js';
import { defineInstallUpdatesJob } from './install-windows-updates.js';
import { defineBaseInventoryJob } from './read-base-inventory.js';
import { defineAutopilotScheduleJob } from './autopilot-schedule.js';
import { defineAutopilotRunJob } from './autopilot-run.js';

/** Every job the bot runs is defined here; each job file exports a define function. */
export function defineJobs(agenda: Agenda, services: Services): void {
  observeRuns(agenda, services.metrics);
  definePublishJob(agenda, services, services.config.jobs.publish);
  // Copies are polled at the pace configured for publishing (OSLAYER_COPY_POLL_SECONDS).
  defineFinalizeJob(agenda, services, { copyPollIntervalMs: services.config.jobs.publish.copyPollIntervalMs });
  defineCancelJob(agenda, services);
  defineDeployMachineJob(agenda, services);
  defineMachineActionJob(agenda, services);
  defineWatchMachineJob(agenda, services, services.config.jobs.watch);
  defineRetentionJob(agenda, services);
  defineInstallUpdatesJob(agenda, services, services.config.jobs.updates);
  defineBaseInventoryJob(agenda, services);
  defineAutopilotScheduleJob(agenda, services);
  defineAutopilotRunJob(agenda, services);
}

/**
 * Every job defined from here on runs with its name and task on each log line it writes, its run
 * is counted (name, outcome, duration), and its lock is renewed by a heartbeat while it runs
 * (keepingJobLocked: a short lock lifetime then only lets a dead process's job be taken over).
 * Wrapped here once, so no job file can forget it.
 */
export function observeRuns(agenda: Agenda, observer: JobObserver): void {
  const define = agenda.define.bind(agenda);
  agenda.define = ((name: string, processor: (job: Job) => Promise<void>, options?: unknown) =>
    define(
      name,
      async (job: Job) => {
        const started = performance.now();
        const taskId = (job.attrs.data as { taskId?: unknown } | undefined)?.taskId;
        const seconds = () => (performance.now() - started) / 1000;
        try {
          await withLogFields({ job: name, ...(typeof taskId === 'string' ? { taskId } : {}) }, () =>
            keepingJobLocked(job, agenda.definitions[name]!.lockLifetime, () => processor(job)),
          );
          observer.jobRun(name, 'succeeded', seconds());
        } catch (error) {
          observer.jobRun(name, 'failed', seconds());
          throw error;
        }
      },
      options as Parameters<Agenda['define']>[2],
    )) as Agenda['define'];
}
