import type { Agenda, Job } from 'agenda';
import type { Services } from '../src/services.js';
import { performMachineAction } from '../src/workflow/machine-actions.js';
import { MACHINE_ACTION_JOB, releaseMachine, type MachineActionData } from '../src/workflow/machine-jobs.js';
import { runTaskJob } from '../src/workflow/task-lease.js';

/**
 * Check again, Reboot machine, Expedite NGen and Shutdown for Finalize, after the listener has
 * claimed the machine. No automatic retries: the user sees what happened and can click again.
 * The claim is given back however it ends.
 */
export function defineMachineActionJob(agenda: Agenda, services: Services): void {
  agenda.define(
    MACHINE_ACTION_JOB,
    (job: Job<MachineActionData>) =>
      runTaskJob(services, job, {
        accepts: () => true,
        work: async (run) => {
          const { taskId, action, userId } = job.attrs.data;
          let answer: string;
          try {
            answer = await performMachineAction(run, action, userId);
          } finally {
            await releaseMachine(services.repos, run.version._id);
          }
          // Said once the machine is free again, so the user can act on it straight away.
          await services.notifier.tell(taskId, userId, answer);
        },
        onError: (_run, err) => Promise.reject(err),
      }),
    // Run Command can take 90 minutes (a foreground NGen run): the heartbeat renews the short lock all along.
    { concurrency: 8, lockLifetime: services.config.jobs.lockLifetimeMs, removeOnComplete: true },
  );
}
