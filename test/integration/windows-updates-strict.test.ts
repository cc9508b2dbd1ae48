/**
 * Install updates, Shutdown for Finalize and the checks against a simulated guest as strict as
 * Windows (issue #25): optional and feature updates never installed by a mode, titles in Japanese
 * within Run Command's 4,096 bytes, the loop rule with Exclude KB and continue, 0x80240016 ridden
 * out with a restart, NGen's queue drained before the machine shuts down, and scripts started as
 * 32-bit re-launching themselves as 64-bit.
 */
import type { GuestControl } from '../../src/sandbox/azure/index.js';
import { DEMO_LAYER_NAME } from '../../src/sandbox/index.js';
import type { TestBot } from '../support/bot.js';
import type { RecordedCall } from '../../src/sandbox/slack/web-api.js';
import { useTaskButtons } from '../support/world.js';
import { ADMIN, type PublishedVersion, type TaskButtons } from '../support/task-buttons.js';
import { TASK_ACTIONS } from '../../views/task-message.js';
import { EXCLUDE_KBS_BLOCK, INCLUDE_KBS_BLOCK, UPDATE_MODE_BLOCK } from '../../views/windows-updates.js';

let t: TestBot;
let ui: TaskButtons;
useTaskButtons((world) => ({ t, ui } = world));

async function machine(name: string, guest: GuestControl): Promise<PublishedVersion> {
  const v = await ui.publish(name);
  await ui.control.setGuest(v.vmName, guest);
  await ui.deploy(v);
  await ui.waitForMessage(v, (json) => json.includes(TASK_ACTIONS.installUpdates), 30_000);
  return v;
}

/** Install updates on the task message, once it offers it: the modal it opens. */
async function openInstallUpdates(v: PublishedVersion): Promise<RecordedCall> {
  // The message offers Install updates once the machine is free: after the base inventory is read, and after a run once its job has given it back.
  await ui.waitForMessage(v, (json) => json.includes(TASK_ACTIONS.installUpdates), 60_000);
  const opened = ui.sim.mark();
  await ui.click(ADMIN, v, TASK_ACTIONS.installUpdates);
  return ui.sim.waitForCallAfter(opened, 'views.open');
}

/** Install updates → the modal → Install, with the mode and the KB fields as typed. */
async function installUpdates(v: PublishedVersion, mode: string, kbs: { include?: string; exclude?: string } = {}): Promise<string> {
  const modal = await openInstallUpdates(v);
  await ui.sim.submit(ADMIN, {
    [UPDATE_MODE_BLOCK]: mode,
    ...(kbs.include !== undefined ? { [INCLUDE_KBS_BLOCK]: kbs.include } : {}),
    ...(kbs.exclude !== undefined ? { [EXCLUDE_KBS_BLOCK]: kbs.exclude } : {}),
  });
  return JSON.stringify(modal.args.view);
}

const newThread = (v: PublishedVersion, since: number) => ui.threadTexts(v).slice(since);

describe('Windows as it really is', () => {
  it('"All software updates" installs the security update only: the preview and the feature update stay pending and the thread says why; a named optional update installs, Exclude KBs is remembered', async () => {
    const v = await machine('strict-1', {
      pendingUpdates: [
        { kb: 'KB5044273', title: '2024-10 Cumulative Update for Windows 10 Version 22H2 for x64-based Systems (KB5044273)', classification: 'Security Updates' },
        { kb: 'KB5045594', title: '2024-10 Cumulative Update Preview for Windows 10 Version 22H2 for x64-based Systems (KB5045594)', classification: 'Updates', browseOnly: true },
        { kb: 'KB5044284', title: 'Windows Server 2025 (KB5044284)', classification: 'Upgrades' },
      ],
    });
    await installUpdates(v, 'software');
    const done = await ui.waitForThread(v, /Windows updates are done/, 60_000);
    expect(done).toContain('1 update installed with no restart');
    expect(done).toMatch(/KB5045594 2024-10 Cumulative Update Preview .*: an optional update \(BrowseOnly, such as a preview\); it is installed only when you name its KB/);
    expect(done).toMatch(/KB5044284 Windows Server 2025: a feature update \(Upgrades category\); it would change the OS release of the layer, so it is never installed/);
    expect((await ui.control.guest(v.vmName)).pendingUpdates.map((u) => u.kb)).toEqual(['KB5045594', 'KB5044284']);

    // Named by KB, the preview installs; the feature update never does, even named; Exclude KBs is kept for the layer.
    const since = ui.threadTexts(v).length;
    await installUpdates(v, 'software', { include: 'KB5045594, KB5044284', exclude: '5040427' });
    const second = await ui.until('the second run', () => newThread(v, since).find((text) => /Windows updates are done/.test(text)), 60_000);
    expect(second).toContain('1 update installed');
    expect(newThread(v, since).join('\n')).toMatch(/KB5045594 .*: installed\./);
    expect((await ui.control.guest(v.vmName)).pendingUpdates.map((u) => u.kb)).toEqual(['KB5044284']);
    const layer = await t.bot.services.repos.layers.findOne({ name: DEMO_LAYER_NAME });
    expect(layer?.excludeKbs).toEqual(['KB5040427']);
    const modal = await openInstallUpdates(v);
    expect(JSON.stringify(modal.args.view)).toContain('"initial_value":"KB5040427"');
  }, 120_000);

  it('installs all 40 updates of a ja-JP guest with 120-character titles, in one thread reply for the round', async () => {
    const title = (i: number) => `2024-10 Cumulative Update for Windows 10 Version 22H2 for x64-based Systems, part ${String(i).padStart(2, '0')}`.padEnd(120, '.');
    const v = await machine('strict-ja', {
      language: 'ja-JP',
      pendingUpdates: Array.from({ length: 40 }, (_, i) => ({ kb: `KB50${44000 + i}`, title: title(i), classification: 'Security Updates' as const })),
    });
    const since = ui.threadTexts(v).length;
    await installUpdates(v, 'security');
    const done = await ui.waitForThread(v, /Windows updates are done/, 90_000);
    expect(done).toContain('40 updates installed with no restart');
    const rounds = newThread(v, since).filter((text) => /Round \d+:/.test(text));
    expect(rounds).toHaveLength(1);
    expect(rounds[0]).toContain('Round 1: 40 applicable updates');
    expect(rounds[0]).toContain('累積更新プログラム');
    expect((await ui.control.guest(v.vmName)).pendingUpdates).toEqual([]);
  }, 150_000);

  it('rides out 0x80240016 (a servicing restart pending) with a restart through Azure and a retry', async () => {
    const v = await machine('strict-busy', {
      // A restart pending that Windows Update did not ask for: Install answers WU_E_INSTALL_NOT_ALLOWED.
      rebootPending: true,
      agentBootMs: 200,
      pendingUpdates: [{ kb: 'KB5041578', title: '2024-08 Cumulative Update (KB5041578)', classification: 'Security Updates' }],
    });
    await installUpdates(v, 'security');
    const done = await ui.waitForThread(v, /Windows updates are done/, 90_000);
    expect(done).toContain('1 update installed with 1 restart');
    const thread = ui.threadTexts(v).join('\n');
    expect(thread).toMatch(/KB5041578 2024-08 Cumulative Update: Windows Update did not install it yet \(HRESULT 0x80240016: another installation is running or a restart is pending\); I restart the machine and try again/);
    expect(thread).toMatch(/Restarting `strict-busy` through Azure to finish KB5041578/);
    expect(ui.threadTexts(v).join('\n')).toMatch(/`strict-busy` is back after the restart \(VM agent ready\)\.\n:mag: Round 2: 1 applicable update/);
    const guest = await ui.control.guest(v.vmName);
    expect(guest.boots).toBe(1);
    expect(guest.pendingUpdates).toEqual([]);
  }, 120_000);

  it('stops the loop on an update offered again after it installed, by KB; Exclude KB and continue finishes the rest and remembers the KB for the layer', async () => {
    const v = await machine('strict-loop', {
      agentBootMs: 200,
      pendingUpdates: [
        { kb: 'KB5041580', title: 'Security Intelligence Update (KB5041580)', classification: 'Security Updates', reappears: true },
        { kb: 'KB5041578', title: '2024-08 Cumulative Update (KB5041578)', classification: 'Security Updates', rebootRequired: true },
        { kb: 'KB5042320', title: 'Windows Recovery Environment update (KB5042320)', classification: 'Security Updates', appearsAfterRestart: true },
      ],
    });
    await installUpdates(v, 'security');
    const stopped = await ui.waitForThread(v, /installing updates stopped/, 90_000);
    expect(stopped).toContain('KB5041580 Security Intelligence Update: result code 2 (Succeeded), yet Windows Update offers it again after it reported installed');
    expect(stopped).toContain('Click *Exclude KB5041580 and continue*');
    const message = await ui.waitForMessage(v, (json) => json.includes(TASK_ACTIONS.excludeKbAndContinue));
    expect(message).toContain('Exclude KB5041580 and continue');
    expect(message).toContain(TASK_ACTIONS.stopUpdates);
    expect((await ui.control.guest(v.vmName)).pendingUpdates.map((u) => u.kb)).toEqual(['KB5041580', 'KB5042320']);

    const since = ui.threadTexts(v).length;
    await ui.click(ADMIN, v, TASK_ACTIONS.excludeKbAndContinue);
    const done = await ui.until('the rest installed', () => newThread(v, since).find((text) => /Windows updates are done/.test(text)), 60_000);
    expect(done).toContain('1 update installed');
    expect(done).toMatch(/KB5041580 Security Intelligence Update: on this layer's \*Exclude KBs\*/);
    expect(newThread(v, since).join('\n')).toMatch(/KB5042320 Windows Recovery Environment update: installed\./);
    expect((await ui.control.guest(v.vmName)).pendingUpdates.map((u) => u.kb)).toEqual(['KB5041580']);
    const layer = (await t.bot.services.repos.layers.findOne({ name: DEMO_LAYER_NAME }))!;
    expect(layer.excludeKbs).toContain('KB5041580');
    await t.bot.services.repos.layers.update(layer._id, { excludeKbs: [] });
  }, 150_000);

  it('with NGen work queued and its scheduled tasks disabled, Shutdown for Finalize drains the queue before it shuts the machine down', async () => {
    const v = await machine('strict-ngen', { ngenQueued: true, ngenTasksDisabled: true });
    const before = ui.threadTexts(v).length;
    const since = ui.mark();
    await ui.click(ADMIN, v, TASK_ACTIONS.shutdownForFinalize);
    await ui.waitForEphemeral(ADMIN, /passed the check and is shut down and deallocated/, since, 30_000);
    const thread = newThread(v, before);
    const drained = thread.findIndex((text) => /NGen's queue is drained on `strict-ngen` \(Framework64\\v4\.0\.30319 executeQueuedItems/.test(text));
    const stopping = thread.findIndex((text) => /stopping and deallocating/.test(text));
    expect(drained).toBeGreaterThanOrEqual(0);
    expect(stopping).toBeGreaterThan(drained);
    // The check cannot see the queue: the disabled tasks are a hint, never "nothing queued".
    expect(thread[stopping]).toMatch(/NGen scheduled tasks are disabled \(VDI optimisation scripts do this\)\. That says nothing about NGen's queue/);
    expect((await ui.control.guest(v.vmName)).ngenQueued).toBe(false);
    expect((await ui.vm(v))?.powerState).toBe('deallocated');
  }, 120_000);

  it('with scripts started as 32-bit (set as a guest default), every script still runs, re-launched as 64-bit, and the check says so', async () => {
    await ui.control.setGuestDefaults({ powershell32bit: true });
    try {
      const v = await machine('strict-x86', { pendingUpdates: [{ kb: 'KB5041579', title: '.NET Framework update (KB5041579)', classification: 'Critical Updates' }] });
      expect((await ui.control.guest(v.vmName)).powershell32bit).toBe(true);
      await installUpdates(v, 'security');
      expect(await ui.waitForThread(v, /Windows updates are done/, 60_000)).toContain('1 update installed');
      const since = ui.mark();
      await ui.click(ADMIN, v, TASK_ACTIONS.shutdownForFinalize);
      await ui.waitForEphemeral(ADMIN, /passed the check and is shut down and deallocated/, since, 30_000);
      expect(ui.threadTexts(v).join('\n')).toMatch(/integrity check passed; stopping and deallocating `strict-x86`\.\n:information_source: Run Command started the check in 32-bit PowerShell/);
    } finally {
      await ui.control.setGuestDefaults({});
    }
  }, 120_000);

  it('the changelog lists the KBs from Windows Update history that QFE misses, and drivers added and updated', async () => {
    const nic = { name: 'Microsoft Hyper-V Network Adapter', version: '10.0.20348.1', provider: 'Microsoft' };
    const v = await machine('strict-log', {
      installedDrivers: [nic],
      pendingUpdates: [{ kb: 'KB2267602', title: 'Security Intelligence Update for Microsoft Defender Antivirus (KB2267602)', classification: 'Definition Updates' }],
    });
    await installUpdates(v, 'software');
    expect(await ui.waitForThread(v, /Windows updates are done/, 60_000)).toContain('1 update installed');
    // Win32_QuickFixEngineering does not list it; only Windows Update's history does.
    expect((await ui.control.guest(v.vmName)).installedUpdates.map((u) => u.kb)).not.toContain('KB2267602');
    // The admin installs a newer NIC driver and a storage driver by hand.
    await ui.control.setGuest(v.vmName, { installedDrivers: [{ ...nic, version: '10.0.20348.2' }, { name: 'Mellanox ConnectX-4 Lx', version: '3.0.25668.0', provider: 'Mellanox' }] });
    await ui.click(ADMIN, v, TASK_ACTIONS.finalize);
    const finalized = await ui.waitForThread(v, /is deployable/, 90_000);
    expect(finalized).toMatch(/\*Updates added \(1\)\*\n• KB2267602 \(\d{4}-\d{2}-\d{2}\)/);
    expect(finalized).toContain('*Drivers updated (1)*\n• Microsoft Hyper-V Network Adapter: 10.0.20348.1 → 10.0.20348.2');
    expect(finalized).toContain('*Drivers added (1)*\n• Mellanox ConnectX-4 Lx 3.0.25668.0 (Mellanox)');
  }, 150_000);
});
