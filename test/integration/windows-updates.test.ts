/**
 * Install updates and the changelog, as the admin sees them in the sandbox: the button on the
 * task message, the modal's three modes, each update's result in the thread, the restart
 * through Azure, Retry updates after a failure, and the changelog after Finalize.
 */
import { randomBytes } from 'node:crypto';
import type { GuestControl } from '../../src/sandbox/azure/index.js';
import type { TestBot } from '../support/bot.js';
import { useTaskButtons } from '../support/world.js';
import { ADMIN, CHANNEL, READER, type TaskButtons, type PublishedVersion } from '../support/task-buttons.js';
import { TASK_ACTIONS } from '../../views/task-message.js';
import { UPDATE_MODE_BLOCK } from '../../views/windows-updates.js';
import { ACTION, CALLBACK } from '../../views/ids.js';
import { TASK_VIEW_IDS } from '../../views/tasks.js';

let t: TestBot;
let ui: TaskButtons;
useTaskButtons((world) => ({ t, ui } = world));

const EDGE_BASE = { name: 'Microsoft Edge', version: '127.0.2651.98', publisher: 'Microsoft Corporation' };
const SEVEN_ZIP = { name: '7-Zip 23.01 (x64)', version: '23.01', publisher: 'Igor Pavlov' };

/** Publishes a version, prepares its guest, deploys it, and waits until the base inventory is read and Install updates is offered. */
async function machineWithUpdates(name: string, guest: GuestControl): Promise<PublishedVersion> {
  const v = await ui.publish(name);
  await ui.control.setGuest(v.vmName, { installedPrograms: [EDGE_BASE, SEVEN_ZIP], installedUpdates: [{ kb: 'KB5034441', installedOn: '2024-01-09' }], ...guest });
  await ui.deploy(v);
  expect(ui.threadTexts(v).join('\n')).toMatch(/Read what `.*` has installed before any change/);
  await ui.waitForMessage(v, (json) => json.includes(TASK_ACTIONS.installUpdates), 30_000);
  return v;
}

/** Install updates → the modal → Install with `mode`. */
async function installUpdates(v: PublishedVersion, mode: string, user = ADMIN): Promise<void> {
  const opened = ui.sim.mark();
  await ui.click(user, v, TASK_ACTIONS.installUpdates);
  await ui.sim.waitForCallAfter(opened, 'views.open');
  await ui.sim.submit(user, { [UPDATE_MODE_BLOCK]: mode });
}

describe('Install updates', () => {
  it('installs every update, restarts once through Azure for the one that needs it, and the changelog lists them after Finalize', async () => {
    const v = await machineWithUpdates('updates-1', {
      pendingUpdates: [
        { kb: 'KB5041578', title: '2024-08 Cumulative Update for Windows 10 Version 22H2 for x64-based Systems (KB5041578)', classification: 'Security Updates', rebootRequired: true },
        { kb: 'KB5041579', title: '2024-08 Cumulative Update for .NET Framework 3.5, 4.8 and 4.8.1 (KB5041579)', classification: 'Critical Updates' },
        { kb: 'KB5042320', title: 'Windows Recovery Environment update (KB5042320)', classification: 'Security Updates', appearsAfterRestart: true },
        // Not a security or critical update: the default mode leaves it alone.
        { kb: 'KB890830', title: 'Windows Malicious Software Removal Tool x64 (KB890830)', classification: 'Updates' },
      ],
      agentBootMs: 300,
    });

    const started = ui.mark();
    await installUpdates(v, 'security');
    const done = await ui.waitForThread(v, /Windows updates are done/, 60_000);
    // The job's last word goes to the clicker once the machine is free for the next button.
    expect(await ui.waitForEphemeral(ADMIN, /^Windows updates are done/, started, 30_000)).toContain('3 updates installed with 1 restart');
    expect(done).toContain('3 updates installed with 1 restart');
    const thread = ui.threadTexts(v).join('\n');
    expect(thread).toMatch(/Round 1: 2 applicable updates/);
    expect(thread).toMatch(/KB5041578 .*: installed \(needs a restart\)/);
    expect(thread).toMatch(/Restarting `updates-1` through Azure to finish KB5041578/);
    expect(thread).toMatch(/`updates-1` is back after the restart \(VM agent ready\)/);
    expect(thread).toMatch(/Round 2: 1 applicable update on/);
    expect(thread).toMatch(/KB5042320 .*: installed/);
    const message = await ui.waitForMessage(v, (json) => json.includes('*Windows updates* (security and critical updates only): 3 updates installed, 1 restart. Nothing applicable is left.'));
    expect(message).toContain(TASK_ACTIONS.installUpdates);

    const guest = await ui.control.guest(v.vmName);
    expect(guest.boots).toBe(1);
    expect(guest.rebootPending).toBe(false);
    expect(guest.pendingUpdates.map((u) => u.kb)).toEqual(['KB890830']);
    expect(guest.installedUpdates.map((u) => u.kb)).toEqual(['KB5034441', 'KB5041578', 'KB5041579', 'KB5042320']);

    // The admin upgrades a program by hand before finishing.
    await ui.control.setGuest(v.vmName, { installedPrograms: [{ ...EDGE_BASE, version: '128.0.2739.42' }, SEVEN_ZIP] });
    const since = ui.mark();
    await ui.click(ADMIN, v, TASK_ACTIONS.shutdownForFinalize);
    await ui.waitForEphemeral(ADMIN, /passed the check and is shut down and deallocated/, since, 30_000);
    await ui.waitForMessage(v, (json) => json.includes('"Finalize"'));
    await ui.click(ADMIN, v, TASK_ACTIONS.finalize);
    const finalized = await ui.waitForThread(v, /is deployable/, 60_000);
    expect(finalized).toContain('*Changelog* against');
    expect(finalized).toMatch(/\*Updates added \(3\)\*\n• KB5041578 \(\d{4}-\d{2}-\d{2}\)\n• KB5041579 .*\n• KB5042320/);
    expect(finalized).toContain('*Programs upgraded (1)*\n• Microsoft Edge: 127.0.2651.98 → 128.0.2739.42');
    expect(finalized).not.toContain('7-Zip');
    expect(finalized).not.toContain('KB5034441');

    const version = await t.bot.services.repos.versions.get(v.versionId);
    expect(version?.status).toBe('deployable');
    expect(version?.changelog?.updatesAdded.map((u) => u.kb)).toEqual(['KB5041578', 'KB5041579', 'KB5042320']);

    // /oslayer layers → the version: its details carry the same changelog, for a Read Only user too.
    const list = await ui.sim.command(READER, 'layers');
    const opened = ui.sim.mark();
    await ui.sim.clickInMessage(READER, list, ACTION.layersVersionDetails, { selected: v.versionId });
    await ui.sim.waitForCallAfter(opened, 'views.open');
    const details = JSON.stringify(ui.sim.topView(READER).view.blocks);
    expect(details).toContain('version *updates-1*');
    expect(details).toContain('KB5042320');
    expect(details).toContain('Microsoft Edge: 127.0.2651.98 → 128.0.2739.42');
  }, 120_000);

  it('names the update that failed with its result code and HRESULT; a search that fails is a stop with Retry too; Retry updates finishes the job', async () => {
    const v = await machineWithUpdates('updates-2', {
      pendingUpdates: [
        { kb: 'KB5040427', title: '2024-07 Cumulative Update for Windows 10 (KB5040427)', classification: 'Security Updates', fails: true, hresult: '0x80240022' },
        { kb: 'KB5039299', title: 'Servicing Stack Update (KB5039299)', classification: 'Critical Updates' },
      ],
    });
    // A Read Only user gets a plain refusal, and no modal.
    const since = ui.mark();
    await ui.click(READER, v, TASK_ACTIONS.installUpdates);
    const told = await ui.waitForEphemeral(READER, /You can't/, since);
    expect(told).toContain("You can't install updates on the packaging machine: it needs the Manage OS Layers or Administrator role");
    expect(t.slack.calls.slice(since).some((c) => c.method === 'views.open')).toBe(false);

    let clicked = ui.mark();
    await installUpdates(v, 'software');
    const failed = await ui.waitForThread(v, /installing updates stopped/, 60_000);
    await ui.waitForEphemeral(ADMIN, /^Installing updates stopped/, clicked, 30_000);
    expect(failed).toContain('KB5040427 2024-07 Cumulative Update for Windows 10: result code 4 (Failed), HRESULT 0x80240022');
    expect(ui.threadTexts(v).join('\n')).toMatch(/KB5039299 Servicing Stack Update: installed\./);
    const message = await ui.waitForMessage(v, (json) => json.includes('Retry updates'));
    expect(message).toContain('Installing Windows updates stopped');
    expect(message).toContain('HRESULT 0x80240022');

    // Windows Update becomes unreachable: the search fails, and that is a stopped run with Retry, never "nothing left".
    await ui.control.setGuest(v.vmName, { searchError: '0x8024402C' });
    const marked = ui.threadTexts(v).length;
    clicked = ui.mark();
    await ui.click(ADMIN, v, TASK_ACTIONS.retryUpdates);
    const unreadable = await ui.until('the second stop', () => ui.threadTexts(v).slice(marked).find((text) => /installing updates stopped/.test(text)), 60_000);
    await ui.waitForEphemeral(ADMIN, /^Installing updates stopped/, clicked, 30_000);
    expect(unreadable).toContain('the search for updates in round 1 could not be read: the search probe could not answer: HRESULT 0x8024402C');
    expect(ui.threadTexts(v).slice(marked).some((text) => /Windows updates are done/.test(text))).toBe(false);
    await ui.waitForMessage(v, (json) => json.includes('HRESULT 0x8024402C') && json.includes('Retry updates'));

    // Someone fixes the machine (say, frees disk space and the network); Retry updates runs again in the same mode.
    await ui.control.setGuest(v.vmName, {
      searchError: null,
      pendingUpdates: [{ kb: 'KB5040427', title: '2024-07 Cumulative Update for Windows 10 (KB5040427)', classification: 'Security Updates' }],
    });
    clicked = ui.mark();
    await ui.click(ADMIN, v, TASK_ACTIONS.retryUpdates);
    const done = await ui.waitForThread(v, /Windows updates are done/, 60_000);
    expect(done).toContain('1 update installed with no restart');
    await ui.waitForEphemeral(ADMIN, /^Windows updates are done/, clicked, 30_000);
    await ui.waitForMessage(v, (json) => json.includes('*Windows updates* (all software updates): 1 update installed.') && !json.includes('Retry updates'));
  }, 120_000);

  it('one-click Finalize reads the inventory before it shuts the machine down: unreadable, nothing changes; readable, the changelog is in the finalize message', async () => {
    const v = await machineWithUpdates('updates-3', {});
    // More installed programs than the inventory can report through Run Command (over 64 parts): a failed reading, never an empty changelog.
    const tooMany = Array.from({ length: 1000 }, () => ({ name: randomBytes(200).toString('hex'), version: randomBytes(50).toString('hex'), publisher: '' }));
    await ui.control.setGuest(v.vmName, { installedPrograms: tooMany });
    let since = ui.mark();
    await ui.click(ADMIN, v, TASK_ACTIONS.finalize);
    const refused = await ui.waitForThread(v, /asked to finalize, but I couldn't read what is installed on it for the changelog/, 60_000);
    expect(refused).toContain('the report probe could not answer: too large to report');
    expect(refused).toContain('Nothing was changed; click *Finalize* again.');
    await ui.waitForEphemeral(ADMIN, /^I didn't shut the packaging machine down/, since, 30_000);
    expect((await ui.vm(v))?.powerState).toBe('running');
    expect((await t.bot.services.repos.versions.get(v.versionId))?.status).toBe('action-required');

    await ui.control.setGuest(v.vmName, { installedPrograms: [{ ...EDGE_BASE, version: '128.0.2739.42' }, SEVEN_ZIP] });
    since = ui.mark();
    await ui.click(ADMIN, v, TASK_ACTIONS.finalize);
    const finalized = await ui.waitForThread(v, /is deployable/, 60_000);
    expect(finalized).toContain('*Programs upgraded (1)*\n• Microsoft Edge: 127.0.2651.98 → 128.0.2739.42');
    expect((await t.bot.services.repos.versions.get(v.versionId))?.changelog?.programsUpgraded).toEqual([{ name: 'Microsoft Edge', from: '127.0.2651.98', to: '128.0.2739.42' }]);
  }, 120_000);

  it('is offered in the task detail too, and asks which updates over it', async () => {
    const v = await machineWithUpdates('updates-4', {
      pendingUpdates: [{ kb: 'KB5041579', title: '2024-08 Cumulative Update for .NET Framework (KB5041579)', classification: 'Critical Updates' }],
    });
    // `/oslayer tasks` → View: the detail carries the message's buttons, Install updates included while the machine runs.
    const list = await ui.sim.command(ADMIN, 'tasks', CHANNEL);
    const since = ui.sim.mark();
    await ui.sim.clickInMessage(ADMIN, list, TASK_VIEW_IDS.view, { value: v.taskId, channel: CHANNEL });
    const detail = await ui.sim.waitForCallAfter(since, 'views.open');
    expect(JSON.stringify(detail.args.view)).toContain(TASK_ACTIONS.installUpdates);

    await ui.sim.clickInView(ADMIN, TASK_ACTIONS.installUpdates);
    const pushed = await ui.sim.waitForCallAfter(since, 'views.push');
    expect((pushed.args.view as { callback_id: string }).callback_id).toBe(CALLBACK.installUpdates);
    await ui.sim.submit(ADMIN, { [UPDATE_MODE_BLOCK]: 'security' });
    const done = await ui.waitForThread(v, /Windows updates are done/, 60_000);
    expect(done).toContain('1 update installed');
  });
});
