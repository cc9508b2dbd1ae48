/** The job queue as Administrators see it (Operations): Agenda's own states, read through its query API. */
import type { Agenda, JobState } from 'agenda';

export type OpsJobState = 'running' | 'waiting' | 'failed';

export interface OpsJob {
  id: string;
  name: string;
  state: OpsJobState;
  taskId?: string;
  /** running: when it started; waiting: when it is due; failed: when it failed. */
  since: Date;
  lastError?: string;
}

/** Agenda's computed states, grouped as the view shows them (repeating and completed jobs are not shown). */
const SHOWN: ReadonlyArray<readonly [JobState, OpsJobState]> = [
  ['running', 'running'],
  ['queued', 'waiting'],
  ['scheduled', 'waiting'],
  ['failed', 'failed'],
];
/** Per state: more than the view shows, so it can say how many it left out. */
const READ_PER_STATE = 100;

export async function listJobs(agenda: Agenda): Promise<OpsJob[]> {
  const found = await Promise.all(SHOWN.map(async ([agendaState, state]) => ({ state, ...(await agenda.queryJobs({ state: agendaState, limit: READ_PER_STATE })) })));
  return found.flatMap(({ state, jobs }) =>
    jobs.map((job) => {
      const taskId = (job.data as { taskId?: unknown } | undefined)?.taskId;
      const since = state === 'running' ? job.lastRunAt : state === 'failed' ? job.failedAt : job.nextRunAt;
      return {
        id: String(job._id),
        name: job.name,
        state,
        ...(typeof taskId === 'string' ? { taskId } : {}),
        since: since ?? new Date(0),
        ...(job.failReason ? { lastError: job.failReason } : {}),
      };
    }),
  );
}

/** Runs a failed job again now, with the same data; the failed entry is removed. False when it is gone or no longer failed. */
export async function retryJob(agenda: Agenda, id: string): Promise<boolean> {
  const { jobs } = await agenda.queryJobs({ id, state: 'failed' });
  const job = jobs[0];
  if (!job) return false;
  await agenda.now(job.name, job.data);
  await agenda.cancel({ id });
  return true;
}

/** Removes a waiting or failed job from the queue (a running one is left to finish). */
export async function cancelJob(agenda: Agenda, id: string): Promise<boolean> {
  const { jobs } = await agenda.queryJobs({ id });
  if (!jobs[0] || jobs[0].state === 'running') return false;
  return (await agenda.cancel({ id })) > 0;
}
