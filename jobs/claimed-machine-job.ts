import type { Agenda, Job } from 'agenda';
import type { Services } from '../src/services.js';
import { releaseMachine } from '../src/workflow/machine-jobs.js';
import { runTaskJob } from '../src/workflow/task-lease.js';
import type { TaskRun } from '../src/workflow/task-run.js';
import { type Mrkdwn } from '../views/blocks.js';

/**
 * A job that works on the packaging machine after a listener claimed it: it runs under the task's
 * lease with the shared heartbeat (Run Command can take 90 minutes; the short lock is renewed all
 * along), gives the claim back however it ends, and only then shows the result on the task message and
 * tells the clicker, so what they see can be acted on straight away. No automatic retries.
 */
export function defineClaimedMachineJob<T extends { taskId: string; userId: string }>(
  agenda: Agenda,
  services: Services,
  name: string,
  perform: (run: TaskRun, data: T) => Promise<Mrkdwn>,
): void {
  agenda.define(
    name,
    (job: Job<T>) =>
      runTaskJob(services, job, {
        accepts: () => true,
        work: async (run) => {
          const data = job.attrs.data;
          let answer: Mrkdwn;
          try {
            answer = await perform(run, data);
          } finally {
            await releaseMachine(services.repos, run.version._id);
          }
          await services.notifier.refresh(data.taskId, { immediate: true });
          await services.notifier.tell(data.taskId, data.userId, answer);
        },
        onError: (_run, err) => Promise.reject(err),
      }),
    { concurrency: 8, lockLifetime: services.config.jobs.lockLifetimeMs, removeOnComplete: true },
  );
}
