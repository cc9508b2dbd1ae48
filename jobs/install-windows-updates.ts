import type { Agenda, Job } from 'agenda';
import type { Services } from '../src/services.js';
import { INSTALL_UPDATES_JOB, releaseMachine, type InstallUpdatesData } from '../src/workflow/machine-jobs.js';
import { runTaskJob } from '../src/workflow/task-lease.js';
import { installWindowsUpdates, type UpdateSettings } from '../src/workflow/windows-updates.js';

/**
 * Install updates, after the modal's listener has claimed the machine; the claim is given back
 * however it ends. It runs under the task's lease with the shared heartbeat (an install can take
 * an hour): if this process dies, another takes the job over within a lock lifetime and
 * continues the same run (its runId).
 */
export function defineInstallUpdatesJob(agenda: Agenda, services: Services, settings: UpdateSettings): void {
  agenda.define(
    INSTALL_UPDATES_JOB,
    (job: Job<InstallUpdatesData>) =>
      runTaskJob(services, job, {
        accepts: () => true,
        work: async (run) => {
          const { taskId, userId, mode, runId } = job.attrs.data;
          let answer: string;
          try {
            answer = await installWindowsUpdates(run, { mode, userId, runId }, settings);
          } finally {
            await releaseMachine(services.repos, run.version._id);
          }
          await services.notifier.tell(taskId, userId, answer);
        },
        onError: (_run, err) => Promise.reject(err),
      }),
    { concurrency: 8, lockLifetime: services.config.jobs.lockLifetimeMs, removeOnComplete: true },
  );
}
