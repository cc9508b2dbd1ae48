/**
 * An autopilot run in the sandbox with its gallery on, as the channel sees it: Run now builds the
 * month's version with nobody clicking, up to the approval request; a failing update stops it with
 * the machine kept (deallocated) and Retry from the step, which a person's click finishes.
 */
import { useSandboxWorld, type SandboxWorld } from '../support/world.js';
import { buttonsOf, sandboxContents, taggedWith, textOf, threadOf, waitForEphemeral, waitForMessage, waitForStatus, waitForThread } from '../support/ready-to-finalize.js';
import { SimulatorControl } from '../../src/sandbox/azure/control-client.js';
import type { GuestControl } from '../../src/sandbox/azure/index.js';
import { GIB } from '../../src/azure/vhd.js';
import { AUTOPILOT_ACTOR, type AutopilotPolicy, type AutopilotRun } from '../../src/domain/autopilot.js';
import type { TestBot } from '../support/bot.js';
import { autopilotClaimKey, startAutopilotRun } from '../../src/workflow/autopilot-start.js';
import { TASK_ACTIONS } from '../../views/task-message.js';

let world: SandboxWorld;
useSandboxWorld((w) => (world = w), { UADMIN2: 'administrator' }, { gallery: true });

const CHANNEL = 'COSLAYER';
const POLICY: AutopilotPolicy = { updateMode: 'security', excludeKbs: [], maxRunMinutes: 120, channelId: CHANNEL, approval: 'two-person' };

const CUMULATIVE = { kb: 'KB5048667', title: '2024-12 Cumulative Update for Microsoft server operating system version 21H2 for x64-based Systems (KB5048667)', classification: 'Security Updates' as const, rebootRequired: true };
const DOTNET = { kb: 'KB5048656', title: '2024-12 Cumulative Update for .NET Framework 3.5, 4.8 and 4.8.1 (KB5048656)', classification: 'Critical Updates' as const };
const DEFENDER = { kb: 'KB5049453', title: 'Update for Microsoft Defender Antivirus antimalware platform (KB5049453)', classification: 'Security Updates' as const };

/** The layer's schedule as the schedule's modal would store it (the schedule helper builds that modal). */
async function scheduleFor(t: TestBot, layerId: string, policy: AutopilotPolicy): Promise<void> {
  const { repos } = t.bot.services;
  await repos.autopilotSchedules.remove(layerId);
  await repos.autopilotSchedules.insert({
    _id: layerId,
    layerId,
    enabled: true,
    timing: { kind: 'patch-tuesday', offsetDays: 1, time: '03:00' },
    timeZone: 'Europe/Berlin',
    policy,
    updatedBy: 'UADMIN1',
    updatedAt: new Date(),
  });
}

/** The run's task message, once the run has one. */
async function taskMessageOf(t: TestBot, runId: string): Promise<{ taskId: string; versionId: string; ts: string }> {
  const { repos } = t.bot.services;
  for (const started = Date.now(); Date.now() - started < 30_000; await new Promise((r) => setTimeout(r, 100))) {
    const run = await repos.autopilotRuns.get(runId);
    const task = run?.taskId ? await repos.tasks.get(run.taskId) : null;
    if (task?.slack) return { taskId: task._id, versionId: task.versionId, ts: task.slack.ts };
  }
  throw new Error(`autopilot run ${runId} posted no task message`);
}

async function runRecord(t: TestBot, runId: string): Promise<AutopilotRun> {
  return (await t.bot.services.repos.autopilotRuns.get(runId))!;
}

async function prepare(guest: GuestControl, policy: AutopilotPolicy = POLICY): Promise<SimulatorControl> {
  const { t, layer, base } = world;
  const control = new SimulatorControl(t.bot.sandbox!.simulator);
  await control.settings({ replicationMsPerRegion: 200 });
  await control.setGuestDefaults(guest);
  // Small disks: Azurite reads a copy's whole source.
  await t.bot.services.repos.versions.update(base._id, { maxLayerSizeGb: (20 * 1024 * 1024) / GIB });
  await scheduleFor(t, layer._id, policy);
  return control;
}

describe('Autopilot run', () => {
  it('Run now ends awaiting approval with the three updates in the changelog, no click, and nothing left in Azure but the gallery image version', async () => {
    const { t, layer } = world;
    const control = await prepare({ pendingUpdates: [CUMULATIVE, DOTNET, DEFENDER], agentBootMs: 300 });
    const before = await sandboxContents(t);

    const start = await startAutopilotRun(t.bot.services, layer._id, { kind: 'run-now', userId: 'UADMIN1' });
    if (!start.started) throw new Error(`the run did not start: ${start.reason}`);
    // One run per layer: a second start while it is open is refused and names the open run.
    const again = await startAutopilotRun(t.bot.services, layer._id, { kind: 'run-now', userId: 'UADMIN2' });
    expect(again).toMatchObject({ started: false, reason: 'run-open', openRun: { _id: start.run._id } });

    const { taskId, versionId, ts } = await taskMessageOf(t, start.run._id);
    const published = await waitForStatus(t, ts, 'published', 120_000);
    await waitForThread(t, ts, 'autopilot finished', 30_000);
    expect(buttonsOf(published)).toEqual(['Promote']);
    expect(textOf(published)).toContain('*excluded from latest* until someone other than its creator with the Approve Versions permission clicks *Promote*');

    const thread = threadOf(t, ts).join('\n');
    // Every step as a person's click would show it, signed by autopilot; never a broken mention.
    // Named from the date: the month, as the first run of the month.
    const name = (await t.bot.services.repos.versions.get(versionId))!.name;
    expect(name).toMatch(/^\d{4}-\d{2}$/);
    expect(thread).toContain(`:robot_face: autopilot started version *${name}* (<@UADMIN1> clicked Run now)`);
    // The time limit as a Slack date: each reader sees it in their own time zone.
    expect(thread).toMatch(/asks for approval by <!date\^\d+\^\{date_short_pretty\} \{time\}\|[^>]+> \(each reader sees their own time\)/);
    expect(thread).toContain(':construction: :robot_face: autopilot asked me to create the packaging machine');
    expect(thread).toContain(':arrow_down: :robot_face: autopilot started installing Windows updates');
    expect(thread).toMatch(/Restarting `.*` through Azure to finish KB5048667/);
    expect(thread).toContain(':white_check_mark: :robot_face: autopilot ran the layer integrity check: nothing is pending.');
    expect(thread).toContain(':package: :robot_face: autopilot started Finalize');
    // Nobody is asked to click what autopilot does next.
    expect(thread).toMatch(/is shut down and deallocated\. Finalize follows/);
    expect(thread).not.toContain('click *Finalize*');
    expect(thread).toContain(':robot_face: autopilot finished: version');
    expect(JSON.stringify(t.slack.calls)).not.toContain('<@autopilot>');
    // The approval request carries the changelog with the three updates.
    const lines = threadOf(t, ts);
    const approval = lines.find((line) => line.includes('*Gallery:*'))!;
    // The run ends after the approval request, not beside it.
    expect(lines.findIndex((line) => line.includes('*Gallery:*'))).toBeLessThan(lines.findIndex((line) => line.includes('autopilot finished')));
    expect(approval).toContain('*excluded from latest* until promoted. Approval: two-person rule');
    for (const kb of ['KB5048667', 'KB5048656', 'KB5049453']) expect(thread).toContain(kb);

    const run = await runRecord(t, start.run._id);
    expect(run).toMatchObject({ open: false, outcome: 'awaiting-approval', taskId, versionId, step: 'finalize' });
    expect(await t.bot.services.repos.claims.get(autopilotClaimKey(layer._id))).toBeNull();
    const audit = await t.bot.services.repos.audit.list({ actor: AUTOPILOT_ACTOR }, { sort: { at: 1 } });
    expect(audit.map((e) => e.action)).toEqual(['version.create', 'machine.deploy', 'machine.install-updates', 'machine.shutdown', 'version.finalize', 'autopilot.finish']);

    // Nothing of the task is left in Azure but its image version (with the layer's image definition, made once).
    const version = (await t.bot.services.repos.versions.get(versionId))!;
    expect(await taggedWith(() => control.inventory(), taskId)).toEqual([`Microsoft.Compute/galleries/images/versions ${version.galleryImage!.versionName}`]);
    const after = await sandboxContents(t);
    const added = after.resources.filter((id) => !before.resources.includes(id));
    expect(added.map((id) => id.split('/providers/')[1])).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Microsoft\.Compute\/galleries\/[^/]+\/images\/windows-server-2022-demo\/versions\/2026\.12\.\d+$/)]),
    );
    expect(added.filter((id) => !/\/galleries\/[^/]+\/images\/windows-server-2022-demo(\/versions\/[\d.]+)?$/.test(id))).toEqual([]);
    expect(before.resources.filter((id) => !after.resources.includes(id))).toEqual([]);
    expect(after.blobs.filter((b) => !before.blobs.includes(b))).toEqual([`oslayer-layers/windows-server-2022-demo/${version.name}.vhd`]);

    // Two-person rule: the admin who clicked Run now counts as the version's creator; someone else promotes.
    const { sim } = world;
    await sim.clickInMessage('UADMIN1', published.args, TASK_ACTIONS.promote, { value: taskId, channel: CHANNEL });
    expect(await waitForEphemeral(t, 'UADMIN1', 'two-person rule')).toContain(`Autopilot built version ${version.name} for you`);
    await sim.clickInMessage('UADMIN2', published.args, TASK_ACTIONS.promote, { value: taskId, channel: CHANNEL });
    await waitForMessage(t, ts, '*Latest:* promoted by <@UADMIN2>');
  }, 180_000);

  it('a failing update stops the run with the machine kept, deallocated, and Retry from Install updates finishes it', async () => {
    const { t, sim, layer } = world;
    // This schedule lets one person promote (the layer's own rule is two people).
    const control = await prepare({ pendingUpdates: [{ ...DOTNET, fails: true }, DEFENDER], agentBootMs: 300 }, { ...POLICY, approval: 'single' });
    const start = await startAutopilotRun(t.bot.services, layer._id, { kind: 'run-now', userId: 'UADMIN1' });
    if (!start.started) throw new Error(`the run did not start: ${start.reason}`);
    const { taskId, versionId, ts } = await taskMessageOf(t, start.run._id);

    const stopped = await waitForMessage(t, ts, 'Autopilot stopped', 120_000);
    expect(textOf(stopped)).toContain('*Autopilot stopped* at Install updates: installing updates stopped:');
    expect(textOf(stopped)).toContain('it failed twice');
    expect(buttonsOf(stopped)).toEqual(expect.arrayContaining(['Retry from Install updates', 'Cancel']));
    const said = await waitForThread(t, ts, 'stopped at *Install updates*');
    expect(said).toContain(':octagonal_sign: :robot_face: autopilot stopped at *Install updates*');
    expect(said).toMatch(/The packaging machine `.*` is kept, deallocated so it costs nothing meanwhile\./);
    const vmName = (await t.bot.services.repos.versions.get(versionId))!.packagingMachine!.name;
    const vm = (await control.inventory()).find((r) => r.name === vmName && r.type === 'Microsoft.Compute/virtualMachines');
    expect(vm?.powerState).toBe('deallocated');
    // Stopped, the run stays open: the layer gets no second run until it is retried or cancelled.
    expect(await runRecord(t, start.run._id)).toMatchObject({ open: true, failure: { step: 'install-updates' } });
    expect(await startAutopilotRun(t.bot.services, layer._id, { kind: 'run-now', userId: 'UADMIN1' })).toMatchObject({ started: false, reason: 'run-open' });

    // The update is fixed on the machine (its installer no longer fails); a person clicks Retry.
    await control.setGuest(vmName, { pendingUpdates: [DOTNET] });
    await sim.clickInMessage('UADMIN2', stopped.args, TASK_ACTIONS.autopilotRetry, { value: taskId, channel: CHANNEL });
    expect(await waitForThread(t, ts, 'retried autopilot')).toContain('<@UADMIN2> retried autopilot from *Install updates*.');
    const published = await waitForStatus(t, ts, 'published', 120_000);
    expect(textOf(published)).toContain('*excluded from latest* until anyone with the Approve Versions permission clicks *Promote*');
    await waitForThread(t, ts, 'autopilot finished', 30_000);
    expect(threadOf(t, ts).join('\n')).toContain(':robot_face: autopilot is starting');
    expect(threadOf(t, ts).find((line) => line.includes('*Gallery:*'))).toContain('Approval: single approver');
    expect(await runRecord(t, start.run._id)).toMatchObject({ open: false, outcome: 'awaiting-approval' });
    expect(await taggedWith(() => control.inventory(), taskId)).toEqual([expect.stringMatching(/^Microsoft\.Compute\/galleries\/images\/versions /)]);
    const retried = await t.bot.services.repos.audit.list({ action: 'autopilot.retry' });
    expect(retried.map((e) => e.actor)).toEqual(['UADMIN2']);
  }, 240_000);
});
