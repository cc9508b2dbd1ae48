import type { Agenda, Job } from 'agenda';
import type { Services } from '../src/services.js';
import { INSTALL_UPDATES_JOB, releaseMachine, type InstallUpdatesData } from '../src/workflow/machine-jobs.js';
import { TaskRun } from '../src/workflow/task-run.js';
import { installWindowsUpdates, type UpdateSettings } from '../src/workflow/windows-updates.js';

/**
 * A short lock, renewed every 20 s while the run waits on Azure (an install can take an hour):
 * if this process dies, another takes the job over within about a minute and continues the same run.
 */
const LOCK_LIFETIME_MS = 60 * 1000;
const LOCK_RENEW_MS = 20 * 1000;

/** Install updates, after the modal's listener has claimed the machine; the claim is given back however it ends. */
export function defineInstallUpdatesJob(agenda: Agenda, services: Services, settings: UpdateSettings): void {
  agenda.define(
    INSTALL_UPDATES_JOB,
    async (job: Job<InstallUpdatesData>) => {
      const { taskId, userId, mode, runId } = job.attrs.data;
      const run = await TaskRun.load(services, taskId);
      if (!run) return;
      const renew = setInterval(() => {
        job.touch().catch((err: Error) => services.logger.warn(`could not renew the lock of the update run for task ${taskId}: ${err.message}`));
      }, LOCK_RENEW_MS);
      let answer: string;
      try {
        answer = await installWindowsUpdates(run, { mode, userId, runId }, settings);
      } finally {
        clearInterval(renew);
        await releaseMachine(services.repos, run.version._id);
      }
      await services.notifier.tell(taskId, userId, answer);
    },
    { concurrency: 8, lockLifetime: LOCK_LIFETIME_MS, removeOnComplete: true },
  );
}
