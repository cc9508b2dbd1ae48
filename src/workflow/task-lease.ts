/**
 * Every job's Agenda lock is renewed by a heartbeat for as long as the job runs (keepingJobLocked,
 * which jobs/index.ts puts around every job), so a short lock lifetime only ever expires for a
 * job whose process has died. Jobs on a task hold two things, renewed together by that heartbeat:
 *
 * - Agenda's lock on the job document (`lockedAt`, `job.touch()`), which decides when another
 *   process may pick the job up: one lock lifetime after the last touch (Agenda's
 *   findAndLockNextJob takes jobs whose `lockedAt` is older than that);
 * - a lease on the task's work (claims `lease:<job>:<task>#<n>`, see ClaimRepository), which
 *   decides who may still change the task. Agenda's touch is an unconditional write, so it can't
 *   tell a process that it has been replaced, and Agenda's lock is a findAndModify, which
 *   FerretDB 1.x does not make atomic: two processes may both start the same job. The lease
 *   changes hands only by a unique-key insert, so one of them wins; the other leaves the work
 *   to it. A process that paused past its lifetime (a long GC, a network partition) finds the
 *   next link at its heartbeat and stops before its next step.
 *
 * The heartbeat is a timer, not a call from the work itself, because some waits have no loop
 * to call from: Run Command answers after up to 90 minutes, and the job must keep renewing for
 * all of them. It beats every quarter lifetime, renewing the lease before touching the lock, so
 * a dead holder's lease is always stale by the time its job can be taken over.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Job } from 'agenda';
import type { Services } from '../services.js';
import { TaskRun } from './task-run.js';
import { escapeMrkdwn, mrkdwn, type Mrkdwn } from '../../views/blocks.js';

/** Thrown at the next step boundary of a run whose task another process has taken over. */
export class LeaseLost extends Error {
  override name = 'LeaseLost';
}

/** What a TaskRun asks of its lease before each change it makes. */
export interface LeaseGuard {
  /** Throws LeaseLost once another process holds the task. */
  assertHeld(): void;
  /** Aborted when the lease is lost, so a copy being waited for stops waiting. */
  readonly signal: AbortSignal;
}

/** This process, as leases and Agenda's `lastModifiedBy` name it. */
export const PROCESS_NAME = `oslayer-${hostname()}-${process.pid}`;

export const heartbeatIntervalMs = (lockLifetimeMs: number): number => Math.max(250, Math.floor(lockLifetimeMs / 4));

export const leaseKey = (jobName: string, taskId: string): string => `lease:${jobName}:${taskId}`;

export interface TaskJobHandlers {
  /** Whether the task is still where this job takes over (e.g. its version `publishing` for publish). */
  accepts(run: TaskRun): boolean;
  work(run: TaskRun): Promise<void>;
  /** A failure of `work` while the lease is still held; may rethrow to let Agenda retry. */
  onError(run: TaskRun, err: unknown): Promise<void>;
}

/**
 * Runs one job's work on its task under the task's lease, with a heartbeat. A run that finds a
 * live holder leaves the work to it and looks again when that lease would go stale (the holder
 * may die); a run that takes a stale lease over says in the task's thread that it is resuming
 * after an interruption, and from which step.
 */
export async function runTaskJob(services: Services, job: Job<{ taskId: string }>, handlers: TaskJobHandlers): Promise<void> {
  const { repos, logger } = services;
  const lifetimeMs = services.config.jobs.lockLifetimeMs;
  const run = await TaskRun.load(services, job.attrs.data.taskId);
  if (!run || !handlers.accepts(run)) return;
  const key = leaseKey(job.attrs.name, run.task._id);
  const owner = `${PROCESS_NAME}:${randomUUID()}`;

  const lease = await repos.claims.acquireLease(key, owner, new Date(Date.now() - lifetimeMs));
  if (!lease.ok) {
    const staleAt = lease.renewedAt.getTime() + lifetimeMs + 1000;
    logger.info(`${job.attrs.name} of task ${run.task._id} is held by another run; looking again at ${new Date(staleAt).toISOString()}`);
    job.schedule(new Date(Math.max(staleAt, Date.now() + 1000)));
    return;
  }
  const { generation, tookOver: resumed } = lease;

  const heartbeat = heartbeats.get(job);
  if (!heartbeat) throw new Error(`${job.attrs.name} runs a task job outside keepingJobLocked: define it after defineJobs' observeRuns`);
  heartbeat.holdLease(() => repos.claims.renewLease(key, generation, owner), (why) =>
    logger.warn(`${job.attrs.name} of task ${run.task._id}: ${why}; leaving the task to the process that took it over`),
  );
  run.holdBy(heartbeat);
  try {
    // Reloaded under the lease: the run that held it before may have moved the version on.
    const current = await TaskRun.load(services, run.task._id);
    if (!current || !handlers.accepts(current)) return;
    current.holdBy(heartbeat);
    if (resumed) await current.thread(resumeLine(current));
    try {
      await handlers.work(current);
    } catch (err) {
      if (heartbeat.lost || err instanceof LeaseLost) return;
      await handlers.onError(current, err);
    }
  } catch (err) {
    if (!(heartbeat.lost || err instanceof LeaseLost)) throw err;
  } finally {
    heartbeat.dropLease();
    if (!heartbeat.lost) await repos.claims.releaseLease(key, generation, owner);
  }
}

/** The heartbeat of each job running in this process, for runTaskJob to renew its lease on. */
const heartbeats = new WeakMap<Job, Heartbeat>();

/**
 * Runs a job with its Agenda lock renewed every quarter of its lock lifetime until it ends, so a
 * live job is never taken over however long it runs (Run Command's 90 minutes, a copy, a gallery
 * replication, a wait on Slack's Retry-After) and a short lifetime costs only these writes.
 */
export async function keepingJobLocked(job: Job, lockLifetimeMs: number, work: () => Promise<void>): Promise<void> {
  const heartbeat = new Heartbeat(job, heartbeatIntervalMs(lockLifetimeMs));
  heartbeats.set(job, heartbeat);
  try {
    await work();
  } finally {
    heartbeat.stop();
    heartbeats.delete(job);
  }
}

/** "Resuming after an interruption", naming the step that was under way (or the last one done). */
function resumeLine(run: TaskRun): Mrkdwn {
  const steps = run.task.steps;
  const running = [...steps].reverse().find((s) => s.status === 'running');
  const lastDone = [...steps].reverse().find((s) => s.status === 'done');
  const where = running
    ? mrkdwn`from the step that was under way: *${escapeMrkdwn(running.name)}*`
    : lastDone
      ? mrkdwn`after the last finished step: *${escapeMrkdwn(lastDone.name)}*`
      : mrkdwn`from the start`;
  return mrkdwn`:arrows_counterclockwise: Resuming after an interruption (the bot that was working on this stopped), ${where}. Finished steps are not repeated.`;
}

/**
 * Touches Agenda's lock on a timer; while a task's lease is held, renews the lease first and
 * notices it going to someone else.
 */
class Heartbeat implements LeaseGuard {
  lost = false;
  private readonly abort = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private beating = false;
  private lease?: { renew: () => Promise<boolean>; onLost: (why: string) => void };

  constructor(
    private readonly job: Job,
    intervalMs: number,
  ) {
    this.timer = setInterval(() => void this.beat(), intervalMs);
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  assertHeld(): void {
    if (this.lost) throw new LeaseLost('another process has taken this task over');
  }

  /** From now on each beat renews the lease before it touches the lock. */
  holdLease(renew: () => Promise<boolean>, onLost: (why: string) => void): void {
    this.lease = { renew, onLost };
  }

  /** The lease is being given back: beats touch the lock only. */
  dropLease(): void {
    this.lease = undefined;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async beat(): Promise<void> {
    if (this.beating || this.lost) return;
    this.beating = true;
    const lease = this.lease;
    try {
      // A renewal that raced the lease being given back says nothing about another holder.
      if (lease && !(await lease.renew()) && this.lease === lease) return this.lose('its lease went to another process');
      // Throws once Agenda itself gave the job up (no touch within the lifetime).
      await this.job.touch();
    } catch (err) {
      if (this.job.getCanceledMessage() !== undefined) this.lose(`Agenda cancelled it: ${(err as Error).message}`);
      // Otherwise a store hiccup: the next beat tries again, well inside the lifetime.
    } finally {
      this.beating = false;
    }
  }

  private lose(why: string): void {
    this.lost = true;
    this.stop();
    this.abort.abort(new LeaseLost(why));
    this.lease?.onLost(why);
  }
}
