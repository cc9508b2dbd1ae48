import type { Agenda, Job } from 'agenda';
import type { Services } from '../src/services.js';
import { performMachineAction } from '../src/workflow/machine-actions.js';
import { MACHINE_ACTION_JOB, releaseMachine, type MachineActionData } from '../src/workflow/machine-jobs.js';
import { TaskRun } from '../src/workflow/task-run.js';

/** Run Command lets a script run up to 90 minutes (a foreground NGen run can take that long). */
const LOCK_LIFETIME_MS = 100 * 60 * 1000;

/**
 * Check again, Reboot machine, Expedite NGen and Shutdown for Finalize, after the listener has
 * claimed the machine. No automatic retries: the user sees what happened and can click again.
 * The claim is given back however it ends.
 */
export function defineMachineActionJob(agenda: Agenda, services: Services): void {
  agenda.define(
    MACHINE_ACTION_JOB,
    async (job: Job<MachineActionData>) => {
      const { taskId, action, userId } = job.attrs.data;
      const run = await TaskRun.load(services, taskId);
      if (!run) return;
      let answer: string;
      try {
        answer = await performMachineAction(run, action, userId);
      } finally {
        await releaseMachine(services.repos, run.version._id);
      }
      // Said once the machine is free again, so the user can act on it straight away.
      await services.notifier.tell(taskId, userId, answer);
    },
    { concurrency: 8, lockLifetime: LOCK_LIFETIME_MS, removeOnComplete: true },
  );
}
