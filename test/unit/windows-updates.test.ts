import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { INVENTORY_SCRIPT, WINDOWS_UPDATE_SCRIPT } from '../../src/azure/scripts/index.js';
import { WindowsUpdateGuests } from '../../src/sandbox/azure/windows-update.js';
import { assembleInventory, changelogBetween, readInventoryPart, type InventoryPart } from '../../src/domain/inventory.js';
import { formatHresult, readInstallOutput, readSearchOutput, updateName } from '../../src/domain/windows-update.js';
import type { Task } from '../../src/domain/model.js';
import { checkBlockKitLimits } from '../../views/limits.js';
import { TASK_ACTIONS, taskMessage } from '../../views/task-message.js';
import { installUpdatesModal } from '../../views/windows-updates.js';
import { changelogText } from '../../views/changelog.js';
import { mrkdwn } from '../../views/blocks.js';

const ID = '6b8c1f0e-2d3a-4e5f-9a8b-7c6d5e4f3a2b';
const SEARCH = { v: 1, action: 'search', mode: 'security', total: 1, updates: [{ id: ID, kb: 'KB5041578', title: 'Cumulative Update' }] };
const INSTALL = { v: 1, action: 'install', id: ID, kb: 'KB5041578', title: 'Cumulative Update', resultCode: 2, hresult: 0, rebootRequired: true };
const out = (value: unknown, extra: Partial<{ stderr: string; exitCode: number }> = {}) => ({ stdout: `${JSON.stringify(value)}\r\n`, stderr: '', ...extra });

describe('reading the update script fail-closed', () => {
  it('reads a search and an install result', () => {
    expect(readSearchOutput(out(SEARCH))).toEqual({ ok: true, value: SEARCH });
    expect(readInstallOutput(out(INSTALL), ID)).toEqual({ ok: true, value: INSTALL });
  });

  it.each<[string, { stdout: string; stderr: string; exitCode?: number }, RegExp]>([
    ['a probe failure', { stdout: '', stderr: 'oslayer probe failed: search: HRESULT 0x8024402C\r\n', exitCode: 1 }, /the search probe could not answer: HRESULT 0x8024402C/],
    ['stderr', out(SEARCH, { stderr: 'Exception from HRESULT: 0x8024402C' }), /reported an error: Exception from HRESULT: 0x8024402C/],
    ['a non-zero exit', out(SEARCH, { exitCode: 1 }), /exit code 1/],
    ['a warning line', { stdout: `WARNING: slow\r\n${JSON.stringify(SEARCH)}`, stderr: '' }, /printed a warning message/],
    ['a byte-order mark', { stdout: `\uFEFF${JSON.stringify(SEARCH)}`, stderr: '' }, /byte order mark/],
    ['nothing', { stdout: '', stderr: '' }, /printed nothing/],
    ['a truncated line', { stdout: JSON.stringify(SEARCH).slice(0, -3), stderr: '' }, /not readable/],
    ['output at the Run Command cap', { stdout: `${JSON.stringify(SEARCH)}${' '.repeat(4096)}`, stderr: '' }, /cut off/],
    ['fewer counted than listed', out({ ...SEARCH, total: 0 }), /counted fewer/],
    ['an unknown mode', out({ ...SEARCH, mode: 'everything' }), /unexpected fields/],
    ['a newer report version', out({ ...SEARCH, v: 2 }), /format this bot does not know/],
  ])('reads %s as a failure, never as "no updates"', (_what, run, reason) => {
    const reading = readSearchOutput(run);
    expect(reading.ok).toBe(false);
    if (!reading.ok) expect(reading.failure.reason).toMatch(reason);
  });

  it('refuses an install result about another update', () => {
    expect(readInstallOutput(out(INSTALL), randomUUID())).toMatchObject({ ok: false, failure: { reason: expect.stringMatching(/different update/) } });
  });

  it('never answers ok for anything that is not exactly one valid line (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (before, after) => {
        const stdout = `${before}\n${JSON.stringify(SEARCH)}\n${after}`;
        const reading = readSearchOutput({ stdout, stderr: '' });
        return !reading.ok || (before.trim() === '' && after.trim() === '');
      }),
    );
  });

  it('writes HRESULTs as Windows does, and names updates by KB first', () => {
    expect(formatHresult(0x80240022 | 0)).toBe('0x80240022');
    expect(formatHresult(0)).toBe('0x00000000');
    expect(updateName({ kb: 'KB5041578', title: '2024-08 Cumulative Update (KB5041578)' })).toBe('KB5041578 2024-08 Cumulative Update');
    expect(updateName({ kb: '', title: 'Intel - Display - 31.0.101.4502' })).toBe('Intel - Display - 31.0.101.4502');
  });
});

describe('the simulated guest runs the scripts as PowerShell binds them', () => {
  const guests = new WindowsUpdateGuests();
  guests.update('vm1', {
    pendingUpdates: [
      { kb: 'KB5041578', title: 'Cumulative Update', classification: 'Security Updates', rebootRequired: true, fails: false, appearsAfterRestart: false },
      { kb: 'KB5042320', title: 'WinRE update', classification: 'Security Updates', rebootRequired: false, fails: false, appearsAfterRestart: true },
      { kb: 'KB4023057', title: 'Driver', classification: 'Drivers', rebootRequired: false, fails: false, appearsAfterRestart: false },
    ],
  });
  const search = (mode: string) => readSearchOutput(guests.run('vm1', WINDOWS_UPDATE_SCRIPT, { Action: 'search', Mode: mode }));

  it('refuses an undeclared parameter, a value outside the set and a missing one, on stderr', () => {
    expect(guests.run('vm1', WINDOWS_UPDATE_SCRIPT, { Criteria: "IsInstalled=0" })).toMatchObject({ exitCode: 1, stderr: expect.stringMatching(/parameter name 'Criteria'/) });
    expect(guests.run('vm1', WINDOWS_UPDATE_SCRIPT, { Action: 'search', Mode: "security'; Restart-Computer" })).toMatchObject({ exitCode: 1, stdout: '' });
    expect(guests.run('vm1', WINDOWS_UPDATE_SCRIPT, { Action: 'search' })).toMatchObject({ exitCode: 1, stderr: expect.stringMatching(/mandatory parameters: Mode/) });
  });

  it('filters by mode, and offers a follow-up update only after a restart', () => {
    const security = search('security');
    expect(security.ok && security.value.updates.map((u) => u.kb)).toEqual(['KB5041578']);
    const drivers = search('drivers');
    expect(drivers.ok && drivers.value.updates.map((u) => u.kb)).toEqual(['KB5041578', 'KB4023057']);
    const first = security.ok ? security.value.updates[0]!.id : '';
    const installed = guests.run('vm1', WINDOWS_UPDATE_SCRIPT, { Action: 'install', Mode: 'security', UpdateId: first });
    expect(installed.rebootPending).toBe(true);
    expect(readInstallOutput(installed, first)).toMatchObject({ ok: true, value: { resultCode: 2, rebootRequired: true } });
    expect(search('security')).toMatchObject({ ok: true, value: { total: 0 } });
    guests.boot('vm1');
    expect(search('security')).toMatchObject({ ok: true, value: { total: 1, updates: [{ kb: 'KB5042320' }] } });
  });

  it('reports an inventory in parts that fit Run Command and add up to the whole', () => {
    const programs = Array.from({ length: 300 }, (_, i) => ({ name: `Program ${i} ${randomUUID()}`, version: `${i}.0`, publisher: `Publisher ${randomUUID()}` }));
    guests.update('vm2', { installedPrograms: programs, installedUpdates: [{ kb: 'KB5034441', installedOn: '2024-01-09' }] });
    const parts: InventoryPart[] = [];
    for (let part = 0; part === 0 || part < parts[0]!.parts; part++) {
      const answer = guests.run('vm2', INVENTORY_SCRIPT, { Part: String(part) });
      expect(Buffer.byteLength(answer.stdout)).toBeLessThan(4096);
      const reading = readInventoryPart(answer, part);
      if (!reading.ok) throw new Error(reading.failure.reason);
      parts.push(reading.value);
    }
    expect(parts.length).toBeGreaterThan(1);
    const inventory = assembleInventory(parts, new Date());
    expect(inventory).toMatchObject({ ok: true, value: { updates: [{ kb: 'KB5034441', installedOn: '2024-01-09' }] } });
    expect(inventory.ok && inventory.value.programs).toHaveLength(300);
    // Parts of two different readings never make one inventory.
    guests.update('vm2', { installedPrograms: programs.slice(1) });
    const other = readInventoryPart(guests.run('vm2', INVENTORY_SCRIPT, { Part: '1' }), 1);
    if (!other.ok) throw new Error(other.failure.reason);
    expect(assembleInventory([parts[0]!, other.value, ...parts.slice(2)], new Date())).toMatchObject({ ok: false, failure: { reason: expect.stringMatching(/changed while its inventory was being read/) } });
  });
});

describe('the changelog', () => {
  const before = {
    updates: [{ kb: 'KB5034441', installedOn: '2024-01-09' }],
    programs: [
      { name: 'Microsoft Edge', version: '127.0', publisher: 'Microsoft Corporation' },
      { name: '7-Zip', version: '23.01', publisher: 'Igor Pavlov' },
      { name: 'Old Tool', version: '1.0', publisher: 'Acme' },
      // The same program in both registry views counts once.
      { name: 'Visual C++ 2015-2022 Redistributable', version: '14.40', publisher: 'Microsoft Corporation' },
      { name: 'Visual C++ 2015-2022 Redistributable', version: '14.40', publisher: 'Microsoft Corporation' },
    ],
  };
  const after = {
    updates: [...before.updates, { kb: 'KB5041578', installedOn: '2024-08-13' }],
    programs: [
      { name: 'Microsoft Edge', version: '128.0', publisher: 'Microsoft Corporation' },
      { name: '7-Zip', version: '23.01', publisher: 'Igor Pavlov' },
      { name: 'Notepad++ <x64>', version: '8.6', publisher: 'Don Ho & co' },
      { name: 'Visual C++ 2015-2022 Redistributable', version: '14.40', publisher: 'Microsoft Corporation' },
    ],
  };

  it('lists updates added and programs added, removed and upgraded', () => {
    expect(changelogBetween(before, after)).toEqual({
      updatesAdded: [{ kb: 'KB5041578', installedOn: '2024-08-13' }],
      programsAdded: [{ name: 'Notepad++ <x64>', version: '8.6', publisher: 'Don Ho & co' }],
      programsRemoved: [{ name: 'Old Tool', version: '1.0', publisher: 'Acme' }],
      programsUpgraded: [{ name: 'Microsoft Edge', from: '127.0', to: '128.0' }],
    });
  });

  it('escapes what the guest reported when it shows it', () => {
    const text = changelogText({ ...changelogBetween(before, after), comparedWith: 'packaging-machine' }, '<!here> base');
    expect(text).toContain('• Microsoft Edge: 127.0 → 128.0');
    expect(text).toContain('Notepad++ &lt;x64&gt; 8.6 (Don Ho &amp; co)');
    expect(text).toContain('&lt;!here&gt; base');
    expect(text).not.toContain('<!here>');
  });
});

describe('Install updates in Slack views', () => {
  const task: Task = { _id: 'task-1', kind: 'add-version', layerId: 'l', versionId: 'v', status: 'action-required', steps: [], startedBy: 'UADMIN1', createdAt: new Date(), updatedAt: new Date() };
  const baseInventory = { readAt: new Date(), updates: [], programs: [] };
  const version = { name: '2024-08', status: 'action-required' as const, maxLayerSizeGb: 100, packagingDiskFilename: 'p.vhd', packagingMachine: { name: 'vm', resourceGroup: 'rg' }, baseInventory };
  const buttons = (json: string) => [TASK_ACTIONS.installUpdates, TASK_ACTIONS.retryUpdates].filter((id) => json.includes(`"${id}"`));

  it('offers Install updates only while the machine runs with its agent ready, and Retry updates after a stop', () => {
    const at = (machine: { state: 'running' | 'starting'; agentReady?: boolean }, windowsUpdates?: Parameters<typeof taskMessage>[0]['version']['windowsUpdates']) =>
      JSON.stringify(taskMessage({ task, layer: { name: 'Win' }, version: { ...version, windowsUpdates }, machine }).blocks);
    expect(buttons(at({ state: 'running', agentReady: true }))).toEqual([TASK_ACTIONS.installUpdates]);
    expect(buttons(at({ state: 'running', agentReady: false }))).toEqual([]);
    expect(buttons(at({ state: 'starting' }))).toEqual([]);
    const run = { runId: 'r', mode: 'security' as const, phase: 'installing' as const, round: 2, rounds: 5, roundInstalled: 3, roundTotal: 7, installed: [], restarts: 1, startedBy: 'U', startedAt: new Date() };
    const running = at({ state: 'running', agentReady: true }, { ...run, status: 'running' });
    expect(buttons(running)).toEqual([]);
    expect(running).toContain('round 2 of at most 5: 3 of 7 installed');
    const failed = at({ state: 'running', agentReady: true }, { ...run, status: 'failed', phase: 'failed', failure: mrkdwn`KB5040427: result code 4 (Failed), HRESULT 0x80240022.` });
    expect(buttons(failed)).toEqual([TASK_ACTIONS.installUpdates, TASK_ACTIONS.retryUpdates]);
    expect(checkBlockKitLimits({ blocks: JSON.parse(failed) }, 'message')).toEqual([]);
  });

  it('offers Install updates only once the machine has been read for the changelog, and says it is reading meanwhile', () => {
    const reading = JSON.stringify(taskMessage({ task, layer: { name: 'Win' }, version: { ...version, baseInventory: undefined }, machine: { state: 'running', agentReady: true } }).blocks);
    expect(buttons(reading)).toEqual([]);
    expect(reading).toContain('reading what it has installed before any change (for the changelog), then *Install updates* is offered');
    const unreadable = { ...version, baseInventory: undefined, baseInventoryFailure: 'the inventory script timed out' };
    expect(buttons(JSON.stringify(taskMessage({ task, layer: { name: 'Win' }, version: unreadable, machine: { state: 'running', agentReady: true } }).blocks))).toEqual([TASK_ACTIONS.installUpdates]);
  });

  it('asks which updates in a modal within Slack limits, security and critical by default', () => {
    const view = installUpdatesModal('task-1', 'vm');
    expect(checkBlockKitLimits(view, 'modal')).toEqual([]);
    expect(JSON.stringify(view)).toContain('"initial_option":{"text":{"type":"plain_text","text":"Security and critical updates only"');
  });
});
