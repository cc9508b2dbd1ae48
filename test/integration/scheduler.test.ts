import type { Job } from 'agenda';
import { connectDatabase, type Database } from '../../src/store/database.js';
import { Scheduler } from '../../src/scheduler.js';
import { createLogger } from '../../src/logger.js';
import { freshMongoUri } from '../support/stand-ins.js';
import { observeRuns } from '../../jobs/index.js';

let database: Database;
const logger = createLogger('error', () => {});
beforeAll(async () => {
  database = await connectDatabase(freshMongoUri('jobs'));
});
afterAll(async () => {
  await database.db.dropDatabase();
  await database.close();
});

describe('scheduler (Agenda 6 on the MongoDB wire server)', () => {
  it('runs a job saved by one instance in a new instance, as after a restart', async () => {
    const first = new Scheduler(database.db, logger, { lockLifetimeMs: 10_000, processEveryMs: 200, name: 'first' });
    await first.agenda.ready;
    await first.agenda.schedule(new Date(Date.now() + 300), 'publish-probe', { taskId: 'task-42' });
    // The first process goes away before the job is due and never processes anything.
    await first.agenda.stop();

    const stored = await database.db.collection('jobs').findOne({ name: 'publish-probe' });
    expect(stored?.data).toEqual({ taskId: 'task-42' });

    const second = new Scheduler(database.db, logger, { lockLifetimeMs: 10_000, processEveryMs: 200, name: 'second' });
    const ran = new Promise<unknown>((resolve) => {
      second.agenda.define('publish-probe', async (job: Job<{ taskId: string }>) => {
        resolve(job.attrs.data);
      });
    });
    await second.start();
    await expect(ran).resolves.toEqual({ taskId: 'task-42' });
    await second.drain(5000);
    expect(second.isProcessing()).toBe(false);
  });

  it('does not let another process take over a job that runs for four lock lifetimes while its own process lives (every job heartbeats)', async () => {
    const lockLifetimeMs = 1000;
    const starts: string[] = [];
    const failures: string[] = [];
    const replica = (name: string) => {
      const scheduler = new Scheduler(database.db, logger, { lockLifetimeMs, processEveryMs: 200, name });
      // As defineJobs defines every job of the bot.
      observeRuns(scheduler.agenda, { jobRun: () => undefined });
      scheduler.agenda.define('long-probe', async () => {
        starts.push(name);
        await new Promise((resolve) => setTimeout(resolve, 4 * lockLifetimeMs));
      });
      scheduler.agenda.on('fail', (err: Error) => failures.push(`${name}: ${err.message}`));
      return scheduler;
    };
    const first = replica('first-replica');
    const second = replica('second-replica');
    await first.start();
    await first.agenda.now('long-probe', {});
    while (starts.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    const startedAt = Date.now();
    await second.start();
    // Halfway through the run, the lock was renewed after it started: the heartbeat, not luck, kept it.
    await new Promise((resolve) => setTimeout(resolve, 2 * lockLifetimeMs));
    const doc = await database.db.collection('jobs').findOne({ name: 'long-probe' });
    expect(doc?.lockedAt.getTime()).toBeGreaterThan(startedAt);
    await Promise.all([first.drain(10_000), second.drain(10_000)]);
    expect(starts).toEqual(['first-replica']);
    expect(failures).toEqual([]);
  });

  it('ends a drain as soon as the last running job has ended, a job removed on completion included', async () => {
    const scheduler = new Scheduler(database.db, logger, { lockLifetimeMs: 10_000, processEveryMs: 200, name: 'drainer' });
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    let finish!: () => void;
    scheduler.agenda.define(
      'drain-probe',
      async () => {
        started();
        await new Promise<void>((resolve) => (finish = resolve));
      },
      { removeOnComplete: true },
    );
    await scheduler.start();
    await scheduler.agenda.now('drain-probe', {});
    await running;

    const drainStarted = Date.now();
    const draining = scheduler.drain(30_000);
    finish();
    await draining;
    // Agenda alone would wait out the 30 s: it looks for the end only on the job's 'complete' event,
    // emitted before the job deletes its document and leaves the running list.
    expect(Date.now() - drainStarted).toBeLessThan(10_000);
    expect(await database.db.collection('jobs').countDocuments({ name: 'drain-probe' })).toBe(0);
  });
});
