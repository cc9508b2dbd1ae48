/**
 * What an autopilot run does on its own about a machine that is not clean, and where it stops for
 * a person, in the sandbox (no gallery: a run ends with the version deployable): the safe remedies
 * (Expedite NGen, Reboot machine) applied by itself; RunOnce entries and a pending domain join
 * stop it, and Cancel deletes everything and frees the layer; the time limit stops it, and Retry
 * starts the deallocated machine again and finishes.
 */
import { useSandboxWorld, type SandboxWorld } from '../support/world.js';
import { buttonsOf, sandboxContents, taggedWith, textOf, threadOf, waitForEphemeral, waitForMessage, waitForStatus, waitForThread } from '../support/ready-to-finalize.js';
import { SimulatorControl } from '../../src/sandbox/azure/control-client.js';
import type { GuestControl } from '../../src/sandbox/azure/index.js';
import { GIB, MIB } from '../../src/azure/vhd.js';
import type { AutopilotPolicy } from '../../src/domain/autopilot.js';
import type { TestBot } from '../support/bot.js';
import { autopilotClaimKey, startAutopilotRun } from '../../src/workflow/autopilot-start.js';
import { TASK_ACTIONS } from '../../views/task-message.js';
import { vmNameFor } from '../../src/azure/machine-spec.js';
import { suggestPackagingDiskFilename } from '../../src/domain/blob-name.js';

let world: SandboxWorld;
useSandboxWorld((w) => (world = w), { UMANAGER1: 'manage-os-layers', UREADER1: 'read-only' });

const CHANNEL = 'COSLAYER';
const POLICY: AutopilotPolicy = { updateMode: 'security', excludeKbs: [], maxRunMinutes: 120, channelId: CHANNEL, approval: 'single' };
const SETUP_ENTRY = { view: '64' as const, key: 'RunOnce' as const, name: 'Finish setup', command: 'C:\\setup\\finish.cmd' };

async function prepare(guest: GuestControl): Promise<SimulatorControl> {
  const { t, layer, base } = world;
  const control = new SimulatorControl(t.bot.sandbox!.simulator);
  await control.setGuestDefaults(guest);
  // Small disks: Azurite reads a copy's whole source.
  await t.bot.services.repos.versions.update(base._id, { maxLayerSizeGb: (20 * MIB) / GIB });
  await t.bot.services.repos.autopilotSchedules.remove(layer._id);
  await t.bot.services.repos.autopilotSchedules.insert({
    _id: layer._id,
    layerId: layer._id,
    enabled: true,
    timing: { kind: 'cron', expression: '30 2 * * 3' },
    timeZone: 'America/New_York',
    policy: POLICY,
    updatedBy: 'UADMIN1',
    updatedAt: new Date(),
  });
  return control;
}

/** Starts a run (Run now) and answers its ids and task message once it has one. */
async function runNow(t: TestBot, layerId: string): Promise<{ runId: string; taskId: string; versionId: string; ts: string }> {
  const start = await startAutopilotRun(t.bot.services, layerId, { kind: 'run-now', userId: 'UADMIN1' });
  if (!start.started) throw new Error(`the run did not start: ${start.reason}`);
  const { repos } = t.bot.services;
  for (const since = Date.now(); Date.now() - since < 30_000; await new Promise((r) => setTimeout(r, 100))) {
    const run = await repos.autopilotRuns.get(start.run._id);
    const task = run?.taskId ? await repos.tasks.get(run.taskId) : null;
    if (task?.slack) return { runId: start.run._id, taskId: task._id, versionId: task.versionId, ts: task.slack.ts };
  }
  throw new Error('the run posted no task message');
}

describe('Autopilot stops', () => {
  it('expedites NGen and restarts the machine by itself, then finishes', async () => {
    const { t, layer } = world;
    await prepare({ ngenInProgress: true, rebootPending: true, agentBootMs: 300 });
    const { runId, ts } = await runNow(t, layer._id);
    await waitForStatus(t, ts, 'deployable', 120_000);
    await waitForThread(t, ts, 'autopilot finished', 30_000);
    const thread = threadOf(t, ts).join('\n');
    expect(thread).toContain(':runner: :robot_face: autopilot is running the queued NGen work');
    expect(thread).toContain(':arrows_counterclockwise: :robot_face: autopilot is restarting the packaging machine');
    expect(thread).toContain(':white_check_mark: :robot_face: autopilot ran the layer integrity check: nothing is pending.');
    // NGen before the restart: a restart must never cut NGen off.
    expect(thread.indexOf('running the queued NGen work')).toBeLessThan(thread.indexOf('is restarting the packaging machine'));
    expect(await t.bot.services.repos.autopilotRuns.get(runId)).toMatchObject({ open: false, outcome: 'finalized' });
    const audit = await t.bot.services.repos.audit.list({ actor: 'autopilot', action: { $in: ['machine.expedite-ngen', 'machine.reboot'] } }, { sort: { at: 1 } });
    expect(audit.map((e) => e.action)).toEqual(['machine.expedite-ngen', 'machine.reboot']);
  }, 180_000);

  it('stops on RunOnce entries and a pending domain join, which need a person; Cancel deletes everything and frees the layer', async () => {
    const { t, sim, layer } = world;
    const before = await sandboxContents(t);
    const control = await prepare({ runOnce: [SETUP_ENTRY], domainJoinPending: true, agentBootMs: 300 });
    const { runId, taskId, versionId, ts } = await runNow(t, layer._id);

    const stopped = await waitForMessage(t, ts, 'Autopilot stopped', 120_000);
    expect(textOf(stopped)).toContain('*Autopilot stopped* at Integrity check: the layer integrity check found what autopilot may not fix (a person must):');
    expect(textOf(stopped)).toContain('The machine joined or left a domain and needs a restart to finish.');
    expect(textOf(stopped)).toContain('Commands are registered to run once at the next start (HKLM RunOnce)');
    expect(buttonsOf(stopped)).toEqual(expect.arrayContaining(['Retry from Integrity check', 'Cancel']));
    // Nothing was run or restarted for them: those are a person's decisions.
    const thread = threadOf(t, ts).join('\n');
    expect(thread).not.toContain('RunOnce entr');
    expect(thread).not.toContain('is restarting the packaging machine');
    const vmName = (await t.bot.services.repos.versions.get(versionId))!.packagingMachine!.name;
    expect((await control.guest(vmName)).runOnce).toHaveLength(1);
    await waitForThread(t, ts, 'is kept, deallocated so it costs nothing meanwhile.');

    // Retry is for those who may add a version; the read-only user is refused, the run stays stopped.
    await sim.clickInMessage('UREADER1', stopped.args, TASK_ACTIONS.autopilotRetry, { value: taskId, channel: CHANNEL });
    expect(await waitForEphemeral(t, 'UREADER1', 'retry an autopilot run')).toBe("You can't retry an autopilot run: it needs the Manage OS Layers or Administrator role, and you have Read Only. An Administrator can change your role with `/oslayer roles`.");
    expect(await t.bot.services.repos.autopilotRuns.get(runId)).toMatchObject({ open: true, failure: { step: 'integrity' } });

    // Cancel asks first, in plain words, then deletes every tagged resource and ends the run.
    const cancel = (stopped.args.blocks as Array<{ elements?: Array<{ action_id: string; confirm?: { text: { type: string } } }> }>)
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === TASK_ACTIONS.cancel);
    expect(cancel?.confirm?.text.type).toBe('plain_text');
    await sim.clickInMessage('UADMIN1', stopped.args, TASK_ACTIONS.cancel, { value: taskId, channel: CHANNEL });
    await waitForThread(t, ts, ':wastebasket:', 60_000);
    expect(await taggedWith(() => control.inventory(), taskId)).toEqual([]);
    expect((await sandboxContents(t)).resources).toEqual(before.resources);
    expect(await t.bot.services.repos.autopilotRuns.get(runId)).toMatchObject({ open: false, outcome: 'cancelled' });
    expect(await t.bot.services.repos.claims.get(autopilotClaimKey(layer._id))).toBeNull();
  }, 180_000);

  it('stops at the time limit with the machine deallocated; Retry starts it again and finishes', async () => {
    const { t, sim, layer } = world;
    const control = await prepare({ agentBootMs: 300 });
    const { repos } = t.bot.services;
    const start = await startAutopilotRun(t.bot.services, layer._id, { kind: 'run-now', userId: 'UADMIN1' });
    if (!start.started) throw new Error(`the run did not start: ${start.reason}`);
    const runId = start.run._id;
    // The image has no VM agent: the machine runs, but nothing reports. The name is known before the machine exists.
    let versionName: string | undefined;
    for (const since = Date.now(); !versionName; versionName = (await repos.autopilotRuns.get(runId))?.versionName) {
      if (Date.now() - since > 30_000) throw new Error('the run named no version');
      await new Promise((r) => setTimeout(r, 20));
    }
    const vmName = vmNameFor(suggestPackagingDiskFilename(layer.name, versionName));
    await control.setVmAgent(vmName, false);
    for (const since = Date.now(); (await repos.autopilotRuns.get(runId))?.step !== 'wait-for-agent'; await new Promise((r) => setTimeout(r, 100))) {
      if (Date.now() - since > 60_000) throw new Error('the run never waited for the agent');
    }
    const run = (await repos.autopilotRuns.get(runId))!;
    const task = (await repos.tasks.get(run.taskId!))!;
    const [taskId, ts] = [task._id, task.slack!.ts];
    // The time limit has passed (as if the run had taken its 120 minutes).
    await repos.autopilotRuns.update(runId, { deadline: new Date(Date.now() - 1000) });

    const stopped = await waitForMessage(t, ts, 'Autopilot stopped', 60_000);
    expect(textOf(stopped)).toContain("*Autopilot stopped* at Wait for the VM agent: the run's time limit of 120 minutes passed while waiting until the packaging machine's VM agent reported ready.");
    await waitForThread(t, ts, 'is kept, deallocated so it costs nothing meanwhile.');
    expect((await repos.versions.get(run.versionId!))!.packagingMachine!.name).toBe(vmName);
    expect((await control.inventory()).find((r) => r.name === vmName && r.type === 'Microsoft.Compute/virtualMachines')?.powerState).toBe('deallocated');

    // The agent is installed; a Manage OS Layers user retries.
    await control.setVmAgent(vmName, true);
    await sim.clickInMessage('UMANAGER1', stopped.args, TASK_ACTIONS.autopilotRetry, { value: taskId, channel: CHANNEL });
    expect(await waitForThread(t, ts, 'retried autopilot')).toContain('<@UMANAGER1> retried autopilot from *Wait for the VM agent*.');
    await waitForStatus(t, ts, 'deployable', 120_000);
    await waitForThread(t, ts, 'autopilot finished', 30_000);
    expect(threadOf(t, ts).join('\n')).toContain(`:robot_face: autopilot is starting \`${vmName}\` again.`);
    const ended = (await repos.autopilotRuns.get(runId))!;
    expect(ended).toMatchObject({ open: false, outcome: 'finalized' });
    expect(ended.deadline.getTime()).toBeGreaterThan(Date.now());
  }, 180_000);
});
