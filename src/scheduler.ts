import { Agenda } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import type { Db } from 'mongodb';
import type { Logger } from './logger.js';
import { PROCESS_NAME } from './workflow/task-lease.js';

/** How often a drain asks Agenda whether its last running job has ended. */
const DRAIN_LOOK_MS = 50;

/** Agenda on the bot's own database: jobs live in the `jobs` collection and carry ids only. */
export class Scheduler {
  readonly agenda: Agenda;
  private processing = false;

  constructor(db: Db, logger: Logger, opts: { lockLifetimeMs: number; processEveryMs?: number; name?: string }) {
    this.agenda = new Agenda({
      backend: new MongoBackend({ mongo: db, collection: 'jobs' }),
      // Shows in each job's lastModifiedBy: which replica locked it last.
      name: opts.name ?? PROCESS_NAME,
      // A number: Agenda's human-interval parsing reads '200 milliseconds' as 200 seconds.
      processEvery: opts.processEveryMs ?? 2000,
      // Short, and renewed by every long job's heartbeat (src/workflow/task-lease.ts): a job whose
      // process died is taken over one lifetime after its last heartbeat.
      defaultLockLifetime: opts.lockLifetimeMs,
    });
    this.agenda.on('error', (err: Error) => logger.error('scheduler error:', err.message));
    this.agenda.on('fail', (err: Error | string, job: { attrs: { name: string } }) => {
      logger.warn(`job ${job.attrs.name} failed: ${typeof err === 'string' ? err : err.message}`);
    });
  }

  async start(): Promise<void> {
    await this.agenda.start();
    this.processing = true;
  }

  isProcessing(): boolean {
    return this.processing;
  }

  /** Stops taking new work and waits up to timeoutMs for running jobs to finish. */
  async drain(timeoutMs: number): Promise<void> {
    if (!this.processing) return;
    this.processing = false;
    // Agenda's drain looks for the end of the last running job only on its 'complete' event, which
    // a removeOnComplete job emits before it deletes its document and only then leaves the running
    // list: drain would sit out its whole timeout (30 s at every stop). So Agenda's own per-job
    // running counts are read as well, every 50 ms, and the drain ends once they are all 0.
    const drained = new AbortController();
    const watch = setInterval(() => {
      void this.agenda.getRunningStats().then(
        ({ jobStatus }) => {
          if (Object.values(jobStatus ?? {}).every((status) => status.running === 0)) drained.abort();
        },
        () => undefined,
      );
    }, DRAIN_LOOK_MS);
    try {
      await this.agenda.drain({ timeout: timeoutMs, signal: drained.signal });
    } finally {
      clearInterval(watch);
    }
  }
}
