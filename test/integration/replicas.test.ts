import { BotWorld } from '../support/bot-processes.js';
import { blobEndpoint } from '../support/stand-ins.js';
import { startSharedStore } from '../support/postgres.js';
import { PUBLISH_STEP } from '../../src/workflow/publish.js';
import { FINALIZE_JOB, FINALIZE_STEP } from '../../src/workflow/finalize-steps.js';
import { WATCH_MACHINE_JOB } from '../../src/workflow/machine-jobs.js';
import { TASK_ACTIONS } from '../../views/task-message.js';

/**
 * Two bot processes in HTTP mode on one shared store (FerretDB on PostgreSQL), behind one
 * round-robin address: versions are published and finalized by whichever replica locks the job,
 * Finalize clicks land on either, and one replica is killed (SIGKILL to its process group)
 * while finalize copies are under way. The other takes its jobs over; nothing is done twice.
 */
const VERSIONS = 4;
let store: { uri: string; stop(): Promise<void> };
let world: BotWorld;
beforeAll(async () => {
  store = await startSharedStore();
  world = new BotWorld({ mongodbUri: store.uri, lockSeconds: 3, azuriteEndpoint: blobEndpoint() });
  await world.start();
}, 60_000);
afterAll(async () => {
  await world?.stop();
  await store?.stop();
}, 30_000);

const count = (lines: string[], text: string) => lines.filter((line) => line === text || line.includes(text)).length;

it('two replicas share the workflow, one is killed mid-finalize, and every version ends deployable exactly once', async () => {
  await world.startBot();
  await world.startBot();
  const slack = world.slackClient(await world.startRoundRobin());
  await slack.start();
  try {
    const versions = [];
    for (let i = 0; i < VERSIONS; i++) versions.push(await world.createVersion(`2028-0${i + 1}`));
    for (const v of versions) await world.waitForStatus(v.versionId, 'action-required', 60_000);
    // One watch per machine, however many replicas run.
    // (publish schedules the watch just after the version turns Action Required)
    for (const v of versions) {
      const deadline = Date.now() + 10_000;
      while ((await world.jobsFor(WATCH_MACHINE_JOB, v.taskId)) === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await world.jobsFor(WATCH_MACHINE_JOB, v.taskId)).toBe(1);
    }

    for (const v of versions) await world.readyToFinalize(v.taskId);
    world.proxy.holdCopies = true;
    for (const v of versions) await slack.clickInMessage('UADMIN1', world.message(v.ts), TASK_ACTIONS.finalize, { value: v.taskId, channel: 'COSLAYER' });
    for (let held = 0; held < VERSIONS; held++) await world.proxy.nextHeldCopy(60_000);
    // Kill the replica running the held finalize copies (either may have picked them up).
    await world.kill(await world.busiestWith(FINALIZE_JOB));
    world.proxy.release();
    for (const v of versions) await world.waitForStatus(v.versionId, 'deployable', 90_000);
    for (const v of versions) await world.waitForThread(v.ts, 'is deployable');

    for (const v of versions) {
      const thread = world.thread(v.ts);
      expect(thread.filter((line) => line.startsWith(':white_check_mark: ')).sort()).toEqual(
        [...Object.values(PUBLISH_STEP), ...Object.values(FINALIZE_STEP)].map((step) => `:white_check_mark: ${step}`).sort(),
      );
      expect(count(thread, 'Action Required')).toBe(1);
      expect(count(thread, 'started Finalize')).toBe(1);
      expect(count(thread, 'is deployable')).toBe(1);
      expect(world.tagged(v.taskId)).toEqual([]);
    }
    for (let i = 0; i < VERSIONS; i++) {
      expect(world.proxy.copiesTo(`/2028-0${i + 1}-packaging.vhd`)).toBe(1);
      expect(world.proxy.copiesTo(`/windows-11-enterprise/2028-0${i + 1}.vhd`)).toBe(1);
    }
    // The killed replica's finalize jobs were taken over and said so.
    expect(versions.map((v) => count(world.thread(v.ts), 'Resuming after an interruption')).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(world.taskMessages()).toBe(VERSIONS);
  } finally {
    await slack.stop();
  }
}, 240_000);
