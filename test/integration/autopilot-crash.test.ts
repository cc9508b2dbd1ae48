import { BotWorld } from '../support/bot-processes.js';
import { freshMongoUri, blobEndpoint } from '../support/stand-ins.js';
import { SimulatorControl } from '../../src/sandbox/azure/control-client.js';
import { GIB, MIB } from '../../src/azure/vhd.js';
import { startAutopilotRun } from '../../src/workflow/autopilot-start.js';
import { TEST_RUN_COMMAND_MS } from '../support/bot.js';

/**
 * kill -9 of the bot's process group while an autopilot run waits for the packaging machine to
 * come back from an update's restart; the same bot started again takes the run over once the dead
 * one's lock runs out, says so in the thread, resumes the same update run (nothing installed twice,
 * no second restart) and goes on to the end with nobody clicking.
 */
const world = new BotWorld({ mongodbUri: freshMongoUri('autopilot-crash'), lockSeconds: 3, azuriteEndpoint: blobEndpoint() });
beforeAll(() => world.start(), 30_000);
afterAll(() => world.stop(), 30_000);

it('a bot killed in the middle of an autopilot run is resumed from its step by the restarted bot', async () => {
  const { repos } = world.services;
  const control = new SimulatorControl(world.arm);
  await control.settings({ runCommandMs: TEST_RUN_COMMAND_MS });
  await control.setGuestDefaults({
    pendingUpdates: [
      { kb: 'KB5048685', title: '2024-12 Cumulative Update for Windows 11 Version 23H2 for x64-based Systems (KB5048685)', classification: 'Security Updates', rebootRequired: true },
      { kb: 'KB5048656', title: '2024-12 Cumulative Update for .NET Framework 3.5, 4.8 and 4.8.1 (KB5048656)', classification: 'Critical Updates' },
    ],
    // Long enough that the run is surely waiting for the agent when the bot dies.
    agentBootMs: 8000,
  });
  // Small disks: Azurite reads a copy's whole source.
  await repos.versions.update(world.base._id, { maxLayerSizeGb: (20 * MIB) / GIB });
  await repos.autopilotSchedules.insert({
    _id: world.layer._id,
    layerId: world.layer._id,
    enabled: true,
    timing: { kind: 'cron', expression: '0 3 * * 3' },
    timeZone: 'UTC',
    policy: { updateMode: 'security', excludeKbs: [], maxRunMinutes: 120, channelId: 'COSLAYER', approval: 'two-person' },
    updatedBy: 'UADMIN1',
    updatedAt: new Date(),
  });

  let bot = await world.startBot();
  const start = await startAutopilotRun(world.services, world.layer._id, { kind: 'run-now', userId: 'UADMIN1' });
  if (!start.started) throw new Error(`the run did not start: ${start.reason}`);

  // Killed while the machine restarts for the cumulative update.
  const restarting = async () => {
    const run = await repos.autopilotRuns.get(start.run._id);
    const version = run?.versionId ? await repos.versions.get(run.versionId) : null;
    return run?.step === 'install-updates' && version?.windowsUpdates?.phase === 'waiting-for-agent' ? version : null;
  };
  let version = await restarting();
  for (const since = Date.now(); !version; version = await restarting()) {
    if (Date.now() - since > 120_000) throw new Error(`the run never reached the restart:\n${bot.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await world.kill(bot);
  const ts = (await repos.tasks.findOne({ versionId: version._id }))!.slack!.ts;

  bot = await world.startBot();
  await world.waitForStatus(version._id, 'deployable', 180_000).catch((err: Error) => {
    throw new Error(`${err.message}\n${world.thread(ts).join('\n')}\n${bot.output().slice(-3000)}`);
  });
  await world.waitForThread(ts, 'autopilot finished');

  const thread = world.thread(ts);
  expect(thread.filter((line) => line.includes('Resuming after an interruption'))).toEqual([expect.stringContaining('from the step that was under way: *Install updates*')]);
  // The same update run went on: one restart, each update installed once, in the run's two rounds.
  const guest = await control.guest(version.packagingMachine!.name);
  expect(guest.boots).toBe(1);
  expect(guest.installedUpdates.map((u) => u.kb).sort()).toEqual(['KB5048656', 'KB5048685']);
  const updates = (await repos.versions.get(version._id))!.windowsUpdates!;
  expect(updates).toMatchObject({ runId: (await repos.autopilotRuns.get(start.run._id))!.updateRunId, status: 'done', restarts: 1 });
  expect(updates.installed.map((u) => u.kb).sort()).toEqual(['KB5048656', 'KB5048685']);
  expect(thread.filter((line) => line.includes('started installing Windows updates'))).toHaveLength(1);
  expect(thread.filter((line) => line.startsWith(':white_check_mark: Install updates'))).toHaveLength(1);
  expect(await repos.autopilotRuns.get(start.run._id)).toMatchObject({ open: false, outcome: 'finalized' });
  expect(world.taskMessages()).toBe(1);
  expect(world.tagged((await repos.tasks.findOne({ versionId: version._id }))!._id)).toEqual([]);
}, 300_000);
