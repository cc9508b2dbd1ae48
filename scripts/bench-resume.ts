/**
 * `npm run bench`, resume section (DESIGN §9: a job is taken over within 90 s of a kill -9):
 * - restart → job resumed, after SIGKILL of the bot's process group in the middle of the publish
 *   copy and of the finalize copy, with the production lock lifetime (OSLAYER_JOB_LOCK_SECONDS);
 * - two replicas on a shared store (FerretDB on PostgreSQL) running BENCH_WORKFLOWS workflows at
 *   once, one replica killed while its copies are under way: duplicate effects (copies, thread
 *   lines), stranded versions and resources left tagged in the simulated subscription.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedFerretdb } from '../src/store/embedded-ferretdb.js';
import { PUBLISH_STEP } from '../src/workflow/publish.js';
import { FINALIZE_STEP } from '../src/workflow/finalize-steps.js';
import { TASK_ACTIONS } from '../views/task-message.js';
import { BotWorld, CHANNEL } from '../test/support/bot-processes.js';
import { startSharedStore } from '../test/support/postgres.js';

const LOCK_SECONDS = Number(process.env.BENCH_LOCK_SECONDS ?? 60);
const WORKFLOWS = Number(process.env.BENCH_WORKFLOWS ?? 20);
const STEP_LINES = [...Object.values(PUBLISH_STEP), ...Object.values(FINALIZE_STEP)].map((step) => `:white_check_mark: ${step}`);

export async function benchResume(): Promise<void> {
  const ferret = await startEmbeddedFerretdb(mkdtempSync(join(tmpdir(), 'oslayer-bench-resume-')));
  const world = new BotWorld({ mongodbUri: `${ferret.uri.replace(/\/$/, '')}/bench_resume`, lockSeconds: LOCK_SECONDS });
  const rows: Array<Record<string, string | number>> = [];
  try {
    await world.start();
    world.proxy.holdCopies = true;
    let bot = await world.startBot();
    const v = await world.createVersion('bench-resume');
    await world.proxy.nextHeldCopy(60_000);
    await world.kill(bot);
    world.proxy.release();
    let restarted = Date.now();
    bot = await world.startBot();
    await world.waitForThread(v.ts, 'Resuming after an interruption', 120_000);
    const publishResumed = Date.now() - restarted;
    await world.waitForStatus(v.versionId, 'action-required', 120_000);
    rows.push({ killed: 'during the publish copy', 'restart → resumed s': +(publishResumed / 1000).toFixed(1), 'restart → Action Required s': +((Date.now() - restarted) / 1000).toFixed(1), 'target s': 90 });

    await world.readyToFinalize(v.taskId);
    world.proxy.holdCopies = true;
    await world.clickFinalize(v.taskId);
    await world.proxy.nextHeldCopy(60_000);
    await world.kill(bot);
    world.proxy.release();
    restarted = Date.now();
    await world.startBot();
    await world.waitForThread(v.ts, 'from the step that was under way: *Copied the OS disk', 120_000);
    const finalizeResumed = Date.now() - restarted;
    await world.waitForStatus(v.versionId, 'deployable', 120_000);
    rows.push({ killed: 'during the finalize copy', 'restart → resumed s': +(finalizeResumed / 1000).toFixed(1), 'restart → Deployable s': +((Date.now() - restarted) / 1000).toFixed(1), 'target s': 90 });
  } finally {
    await world.stop();
    await ferret.stop();
  }
  console.log(`\nresume after kill -9 of the bot's process group (lock lifetime ${LOCK_SECONDS} s, heartbeat every ${LOCK_SECONDS / 4} s):`);
  console.table(rows);
  await benchReplicas();
}

export async function benchReplicas(): Promise<void> {
  const store = await startSharedStore();
  const world = new BotWorld({ mongodbUri: store.uri, lockSeconds: LOCK_SECONDS });
  try {
    await world.start();
    const [first] = [await world.startBot(), await world.startBot()];
    const slack = world.slackClient(await world.startRoundRobin());
    await slack.start();
    const started = Date.now();
    world.proxy.holdCopies = true;
    const versions = [];
    for (let i = 0; i < WORKFLOWS; i++) versions.push(await world.createVersion(`bench-${String(i).padStart(2, '0')}`));
    // Midway: packaging-disk copies are under way on both replicas (each runs up to 4 publish
    // jobs at once) when one of them dies.
    for (let held = 0; held < Math.min(Math.ceil(WORKFLOWS / 2), 6); held++) await world.proxy.nextHeldCopy(120_000);
    await world.kill(first!);
    world.proxy.release();
    const stranded: string[] = [];
    for (const v of versions) await world.waitForStatus(v.versionId, 'action-required', 300_000).catch(() => stranded.push(v.versionId));
    for (const v of versions.filter((x) => !stranded.includes(x.versionId))) {
      await world.readyToFinalize(v.taskId);
      await slack.clickInMessage('UADMIN1', world.message(v.ts), TASK_ACTIONS.finalize, { value: v.taskId, channel: CHANNEL });
    }
    for (const v of versions) {
      if (stranded.includes(v.versionId)) continue;
      await world.waitForStatus(v.versionId, 'deployable', 300_000).catch(() => stranded.push(v.versionId));
      await world.waitForThread(v.ts, 'is deployable').catch(() => undefined);
    }
    await slack.stop();
    let duplicateLines = 0;
    let duplicateCopies = 0;
    let resumed = 0;
    for (const v of versions) {
      const thread = world.thread(v.ts);
      for (const line of [...STEP_LINES, 'Action Required', 'is deployable']) duplicateLines += Math.max(0, thread.filter((l) => l.includes(line)).length - 1);
      resumed += thread.filter((l) => l.includes('Resuming after an interruption')).length;
    }
    for (let i = 0; i < WORKFLOWS; i++) {
      const name = `bench-${String(i).padStart(2, '0')}`;
      duplicateCopies += Math.max(0, world.proxy.copiesTo(`/${name}-packaging.vhd`) - 1) + Math.max(0, world.proxy.copiesTo(`/windows-11-enterprise/${name}.vhd`) - 1);
    }
    // Runs Agenda started twice (its findAndModify lock is not exclusive on FerretDB) that found the task's lease held and stood back.
    const stoodBack = world.bots.reduce((sum, bot) => sum + (bot.output().match(/is held by another run/g) ?? []).length, 0);
    const leftTagged = versions.reduce((sum, v) => sum + world.tagged(v.taskId).length, 0);
    console.log(`\n${WORKFLOWS} workflows on two replicas (FerretDB on PostgreSQL), one killed midway (lock lifetime ${LOCK_SECONDS} s):`);
    console.table([
      {
        'total s': +((Date.now() - started) / 1000).toFixed(0),
        'duplicate copies': duplicateCopies,
        'duplicate Slack lines': duplicateLines,
        'task messages': world.taskMessages(),
        'jobs resumed after the kill': resumed,
        'job runs that stood back (lease held)': stoodBack,
        stranded: stranded.length,
        'left tagged in Azure': leftTagged,
        target: '0 duplicates, 0 stranded, 0 left',
      },
    ]);
  } finally {
    await world.stop();
    await store.stop();
  }
}
