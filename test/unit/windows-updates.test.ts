import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { INTEGRITY_CHECK_SCRIPT, INVENTORY_SCRIPT, WINDOWS_UPDATE_SCRIPT } from '../../src/azure/scripts/index.js';
import { WindowsUpdateGuests } from '../../src/sandbox/azure/windows-update.js';
import { assembleInventory, changelogBetween, readInventoryPart, type InventoryPart } from '../../src/domain/inventory.js';
import { formatHresult, parseKbList, readInstallOutput, readSearchOutput, updateName } from '../../src/domain/windows-update.js';
import { GuestRegistry } from '../../src/sandbox/azure/guest.js';
import { runCommandTail } from '../../src/sandbox/azure/script-lines.js';
import type { Task } from '../../src/domain/model.js';
import { checkBlockKitLimits } from '../../views/limits.js';
import { TASK_ACTIONS, taskMessage } from '../../views/task-message.js';
import { installUpdatesModal } from '../../views/windows-updates.js';
import { changelogText } from '../../views/changelog.js';
import { mrkdwn } from '../../views/blocks.js';

const ID = '6b8c1f0e-2d3a-4e5f-9a8b-7c6d5e4f3a2b';
const SEARCH = { v: 2, action: 'search', mode: 'security', total: 1, from: 0, updates: [{ id: ID, kb: 'KB5041578', title: 'Cumulative Update' }], heldTotal: 0, held: [] };
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
    ['a newer report version', out({ ...SEARCH, v: 3 }), /format this bot does not know/],
    ['the version-1 report (no held updates, no paging)', out({ ...SEARCH, v: 1 }), /format this bot does not know/],
    ['a page from another index than asked', out({ ...SEARCH, total: 3, from: 1 }), /listed from update 2 when update 1 was asked for/],
    ['an empty page with more left', out({ ...SEARCH, total: 2, updates: [] }), /listed no update although more were left/],
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
    expect(inventory).toMatchObject({ ok: true, value: { updates: [{ kb: 'KB5034441', installedOn: '2024-01-09' }], drivers: [] } });
    expect(inventory.ok && inventory.value.programs).toHaveLength(300);
    // Parts of two different readings never make one inventory.
    guests.update('vm2', { installedPrograms: programs.slice(1) });
    const other = readInventoryPart(guests.run('vm2', INVENTORY_SCRIPT, { Part: '1' }), 1);
    if (!other.ok) throw new Error(other.failure.reason);
    expect(assembleInventory([parts[0]!, other.value, ...parts.slice(2)], new Date())).toMatchObject({ ok: false, failure: { reason: expect.stringMatching(/changed while its inventory was being read/) } });
  });
});

describe('the inventory sees what went in', () => {
  it('adds the KBs of Windows Update history that Win32_QuickFixEngineering misses, and drivers, shortening values over the limits with a mark', () => {
    const guests = new WindowsUpdateGuests();
    guests.update('inv', {
      installedUpdates: [{ kb: 'KB5034441', installedOn: '2024-01-09' }],
      installedDrivers: [{ name: `Virtual ${'Storage '.repeat(80)}Controller`, version: '10.0.20348.1', provider: 'Microsoft' }],
      pendingUpdates: [{ kb: 'KB2267602', title: 'Security Intelligence Update for Microsoft Defender Antivirus (KB2267602)', classification: 'Definition Updates' }],
    });
    const [page] = [readSearchOutput(guests.run('inv', WINDOWS_UPDATE_SCRIPT, { Action: 'search', Mode: 'software' }))];
    const id = page!.ok ? page!.value.updates[0]!.id : '';
    expect(readInstallOutput(guests.run('inv', WINDOWS_UPDATE_SCRIPT, { Action: 'install', Mode: 'software', UpdateId: id }), id)).toMatchObject({ ok: true, value: { resultCode: 2 } });
    // QFE does not list a Defender definition update; the history does.
    expect(guests.view('inv').installedUpdates.map((u) => u.kb)).toEqual(['KB5034441']);
    const part = readInventoryPart(guests.run('inv', INVENTORY_SCRIPT, { Part: '0' }), 0);
    if (!part.ok) throw new Error(part.failure.reason);
    const inventory = assembleInventory([part.value], new Date());
    if (!inventory.ok) throw new Error(inventory.failure.reason);
    expect(inventory.value.updates.map((u) => u.kb)).toEqual(['KB5034441', 'KB2267602']);
    expect(inventory.value.drivers![0]!.name).toHaveLength(400);
    expect(inventory.value.drivers![0]!.name.endsWith('\u2026')).toBe(true);
  });
});

describe('the simulated guest is as strict as Windows', () => {
  const update = (kb: string, title: string, extra: Record<string, unknown> = {}) => ({ kb, title, classification: 'Security Updates' as const, ...extra });
  const searchAll = (guests: WindowsUpdateGuests, vm: string, mode: string, kbs: Record<string, string> = {}) => {
    const pages = [];
    for (let from = 0; ; ) {
      const answer = guests.run(vm, WINDOWS_UPDATE_SCRIPT, { Action: 'search', Mode: mode, Skip: String(from), ...kbs });
      expect(Buffer.byteLength(answer.stdout)).toBeLessThan(4096);
      const reading = readSearchOutput(answer, from);
      if (!reading.ok) throw new Error(reading.failure.reason);
      pages.push(reading.value);
      from += reading.value.updates.length;
      if (from >= reading.value.total) return pages;
    }
  };

  it('never offers an optional (BrowseOnly) or a feature update (Upgrades) to a mode, and says why it left them out', () => {
    const guests = new WindowsUpdateGuests();
    guests.update('vm', {
      pendingUpdates: [
        update('KB5044273', '2024-10 Cumulative Update for Windows 10 Version 22H2 (KB5044273)'),
        update('KB5045594', '2024-10 Cumulative Update Preview for Windows 10 Version 22H2 (KB5045594)', { browseOnly: true, classification: 'Updates' }),
        update('KB5044284', 'Windows Server 2025 (KB5044284)', { classification: 'Upgrades' }),
      ],
    });
    for (const mode of ['security', 'software', 'drivers']) {
      const [page] = searchAll(guests, 'vm', mode);
      expect(page!.updates.map((u) => u.kb)).toEqual(['KB5044273']);
      expect(page!.held.map((u) => [u.kb, u.reason])).toEqual(mode === 'security' ? [['KB5045594', 'optional']] : [['KB5044284', 'upgrade'], ['KB5045594', 'optional']]);
    }
    // Named by KB, the optional one is installed; the feature update never, even when named.
    const [named] = searchAll(guests, 'vm', 'software', { IncludeKbs: 'KB5045594,KB5044284', ExcludeKbs: 'KB5044273' });
    expect(named!.updates.map((u) => u.kb)).toEqual(['KB5045594']);
    expect(named!.held.map((u) => [u.kb, u.reason])).toEqual([['KB5044273', 'excluded'], ['KB5044284', 'upgrade']]);
    const upgrade = guests.view('vm').pendingUpdates.find((u) => u.kb === 'KB5044284');
    expect(upgrade).toBeDefined();
  });

  it('lists Japanese titles (6 bytes a character, escaped) in pages that each fit Run Command, and they add up to every update', () => {
    const guests = new WindowsUpdateGuests();
    const title = (i: number) => `2024-10 Cumulative Update for Windows 10 Version 22H2 for x64-based Systems ${String(i).padStart(2, '0')}`.padEnd(120, '.');
    guests.update('ja', { language: 'ja-JP', pendingUpdates: Array.from({ length: 40 }, (_, i) => update(`KB50${String(44000 + i)}`, title(i))) });
    const pages = searchAll(guests, 'ja', 'security');
    expect(pages.length).toBeGreaterThan(1);
    const listed = pages.flatMap((p) => p.updates);
    expect(listed).toHaveLength(40);
    expect(new Set(listed.map((u) => u.id)).size).toBe(40);
    expect(listed[0]!.title).toContain('累積更新プログラム');
    expect(listed[0]!.title).toContain('x64 ベース システム');
  });

  it('refuses a result line Run Command would cut, as Write-ResultLine does', () => {
    const guests = new GuestRegistry();
    const names = Array.from({ length: 64 }, (_, i) => ({ view: '64' as const, key: 'RunOnce' as const, name: `${i} ${'セットアップ'.repeat(40)}` }));
    guests.control('many', { runOnce: names });
    expect(guests.runScript('many', INTEGRITY_CHECK_SCRIPT)).toEqual({ stdout: '', stderr: 'oslayer probe failed: report: the result is too long for Run Command\r\n', exitCode: 1 });
  });

  it('keeps only the last 4,096 bytes of a stream, as Run Command returns it, never half a character', () => {
    const long = `${'日'.repeat(2000)}end`;
    const tail = runCommandTail(long);
    expect(Buffer.byteLength(tail)).toBeLessThanOrEqual(4096);
    expect(tail.endsWith('end')).toBe(true);
    expect(tail).not.toContain('\uFFFD');
    expect(runCommandTail('short')).toBe('short');
  });

  it('answers 0x80240016 while another installation runs or a restart is pending, and wraps it as PowerShell does for a script that does not unwrap it', () => {
    const guests = new GuestRegistry();
    guests.control('busy', { rebootPending: true, pendingUpdates: [update('KB5041578', 'Cumulative Update')] });
    const [page] = searchAll(guests.windowsUpdate, 'busy', 'security');
    const id = page!.updates[0]!.id;
    const install = (script: readonly string[]) => readInstallOutput(guests.runScript('busy', script, { Action: 'install', Mode: 'security', UpdateId: id }), id);
    expect(install(WINDOWS_UPDATE_SCRIPT)).toMatchObject({ ok: true, value: { resultCode: 4, hresult: 0x80240016 | 0 } });
    // Without GetBaseException() the script would read MethodInvocationException's HResult, not Windows Update's.
    const naive = WINDOWS_UPDATE_SCRIPT.map((line) => line.replaceAll('.GetBaseException()', ''));
    expect(install(naive)).toMatchObject({ ok: true, value: { resultCode: 4, hresult: 0x80131501 | 0 } });
    guests.boot('busy');
    expect(install(WINDOWS_UPDATE_SCRIPT)).toMatchObject({ ok: true, value: { resultCode: 2 } });
  });

  it('starts scripts 32-bit with powershell32bit: those without the re-launch fail their architecture probe, the shipped ones run', () => {
    const guests = new GuestRegistry();
    guests.control('x86', { powershell32bit: true });
    const withoutRelaunch = WINDOWS_UPDATE_SCRIPT.filter((line) => !line.includes('sysnative'));
    expect(guests.runScript('x86', withoutRelaunch, { Action: 'search', Mode: 'security' })).toMatchObject({ exitCode: 1, stderr: expect.stringMatching(/^oslayer probe failed: architecture: /) });
    expect(readSearchOutput(guests.runScript('x86', WINDOWS_UPDATE_SCRIPT, { Action: 'search', Mode: 'security' }))).toMatchObject({ ok: true });
  });

  it('reads KB lists as people type them', () => {
    expect(parseKbList('KB5041578, 5041579\nkb5041578')).toEqual({ ok: true, kbs: ['KB5041578', 'KB5041579'] });
    expect(parseKbList('')).toEqual({ ok: true, kbs: [] });
    expect(parseKbList('KB5041578; Restart-Computer')).toEqual({ ok: false, invalid: 'Restart-Computer' });
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

  it('lists drivers added and updated when both readings have drivers, and shows them in the changelog', () => {
    const nic = { name: 'Microsoft Hyper-V Network Adapter', version: '10.0.20348.1', provider: 'Microsoft' };
    const changelog = changelogBetween(
      { ...before, drivers: [nic] },
      { ...after, drivers: [{ ...nic, version: '10.0.20348.2' }, { name: 'Mellanox ConnectX-4 <Lx>', version: '3.0.25668.0', provider: 'Mellanox' }] },
    );
    expect(changelog.driversUpdated).toEqual([{ name: 'Microsoft Hyper-V Network Adapter', from: '10.0.20348.1', to: '10.0.20348.2' }]);
    expect(changelog.driversAdded).toEqual([{ name: 'Mellanox ConnectX-4 <Lx>', version: '3.0.25668.0', provider: 'Mellanox' }]);
    const text = changelogText({ ...changelog, comparedWith: 'base-version' }, 'base');
    expect(text).toContain('*Drivers updated (1)*\n• Microsoft Hyper-V Network Adapter: 10.0.20348.1 → 10.0.20348.2');
    expect(text).toContain('*Drivers added (1)*\n• Mellanox ConnectX-4 &lt;Lx&gt; 3.0.25668.0 (Mellanox)');
    // An inventory read before drivers were says nothing about them.
    expect(changelogBetween(before, { ...after, drivers: [nic] })).not.toHaveProperty('driversAdded');
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
