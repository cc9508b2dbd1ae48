import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { EXPEDITE_NGEN_SCRIPT, INTEGRITY_CHECK_SCRIPT, INVENTORY_SCRIPT, RUNONCE_SCRIPT, WINDOWS_UPDATE_SCRIPT } from '../../src/azure/scripts/index.js';
import { INTEGRITY_PROBES } from '../../src/sandbox/azure/guest.js';
import { adviceFor, CONDITION_ADVICE, INTEGRITY_CONDITIONS, readIntegrityOutput, type IntegrityCondition } from '../../src/domain/integrity.js';
import type { Task } from '../../src/domain/model.js';
import { CLEAN_REPORT } from '../fixtures/integrity-report.js';
import { MAX_BACKOFF_MS, nextReadDelayMs } from '../../src/workflow/machine-watch.js';
import { checkBlockKitLimits } from '../../views/limits.js';
import { TASK_ACTIONS, taskMessage } from '../../views/task-message.js';

const CLEAN = CLEAN_REPORT;
const CLEAN_LINE = JSON.stringify(CLEAN);
const ENTRY = { view: '64' as const, key: 'RunOnce' as const, name: 'Finish setup' };
const out = (stdout: string, stderr = '', exitCode?: number) => ({ stdout, stderr, ...(exitCode === undefined ? {} : { exitCode }) });
const blocking = (condition: IntegrityCondition) => ({ ...CLEAN, [condition]: condition === 'runOnce' ? [ENTRY] : true });

describe('reading the integrity check output', () => {
  it('reads a clean report, with the CRLF PowerShell ends it with', () => {
    expect(readIntegrityOutput(out(`${CLEAN_LINE}\r\n`))).toEqual({ outcome: 'clean', report: CLEAN, hints: [] });
  });

  it.each(INTEGRITY_CONDITIONS)('reports %s as the one blocking condition', (condition) => {
    const result = readIntegrityOutput(out(JSON.stringify(blocking(condition))));
    expect(result).toMatchObject({ outcome: 'blocked', blocking: [condition] });
  });

  it('lists several blocking conditions in check order, with the RunOnce entries by name', () => {
    const result = readIntegrityOutput(out(JSON.stringify({ ...CLEAN, smsCfgPresent: true, rebootPending: true, ngenInProgress: true, runOnce: [ENTRY] })));
    expect(result).toMatchObject({ outcome: 'blocked', blocking: ['rebootPending', 'ngenInProgress', 'runOnce', 'smsCfgPresent'], report: { runOnce: [ENTRY] } });
  });

  it("never decides from NGen's scheduled tasks: disabled tasks and a 32-bit start are hints, the layer stays clean", () => {
    const result = readIntegrityOutput(out(JSON.stringify({ ...CLEAN, ngenTasks: 'disabled', startedAs32Bit: true })));
    expect(result).toMatchObject({ outcome: 'clean', hints: [expect.stringMatching(/NGen scheduled tasks are disabled .*says nothing about NGen's queue/), expect.stringMatching(/re-launched itself as 64-bit/)] });
    // The version-2 report, which read queued NGen work from the tasks, is not read any more.
    expect(readIntegrityOutput(out(JSON.stringify({ ...CLEAN, v: 2 })))).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/format this bot does not know/) });
  });

  it.each<[string, ReturnType<typeof out>, RegExp]>([
    ['nothing', out(''), /printed nothing/],
    ['only blank lines', out('\r\n  \n'), /printed nothing/],
    ['a warning line', out(`WARNING: something\r\n${CLEAN_LINE}`), /printed a warning message: something/],
    ['a verbose line', out(`${CLEAN_LINE}\r\nVERBOSE: loading`), /printed a verbose message/],
    ['a byte order mark', out(`\uFEFF${CLEAN_LINE}\r\n`), /byte order mark/],
    ['text before the line', out(`Loading...\n${CLEAN_LINE}`), /more than the one line/],
    ['text after the JSON on the same line', out(`${CLEAN_LINE} done`), /not readable/],
    ['a truncated line', out(CLEAN_LINE.slice(0, -5)), /not readable/],
    ['a newer report version', out(JSON.stringify({ ...CLEAN, v: 4 })), /format this bot does not know/],
    ['the old version 1 report', out(JSON.stringify({ ...CLEAN, v: 1 })), /format this bot does not know/],
    ['no version', out(JSON.stringify({ ...CLEAN, v: undefined })), /incomplete or had unexpected fields/],
    ['a missing field', out(JSON.stringify({ ...CLEAN, smsCfgPresent: undefined })), /incomplete or had unexpected fields/],
    ['an extra field', out(JSON.stringify({ ...CLEAN, extra: false })), /incomplete or had unexpected fields/],
    ['a string for a flag', out(JSON.stringify({ ...CLEAN, msiInProgress: 'false' })), /incomplete or had unexpected fields/],
    ['an array', out(JSON.stringify([CLEAN])), /incomplete or had unexpected fields/],
    ['output cut at the Run Command limit', out(`${CLEAN_LINE}${' '.repeat(4096)}`), /cut off/],
    ['a clean line with text on stderr', out(CLEAN_LINE, 'Get-PnpDevice : Generic failure'), /reported an error: Get-PnpDevice : Generic failure/],
    ['a clean line with a non-zero exit code', out(CLEAN_LINE, '', 1), /exit code 1/],
  ])('calls %s "the check failed"', (_what, output, reason) => {
    const result = readIntegrityOutput(output);
    expect(result.outcome).toBe('failed');
    expect(result).toMatchObject({ reason: expect.stringMatching(reason) });
  });

  it('names the probe that could not answer', () => {
    const result = readIntegrityOutput(out('', 'oslayer probe failed: msi-mutex: Access to the path is denied.\r\n'));
    expect(result).toEqual({ outcome: 'failed', probe: 'msi-mutex', reason: 'the msi-mutex probe could not answer: Access to the path is denied.' });
  });
});

describe('what each blocking condition tells the admin', () => {
  const remedy = (c: IntegrityCondition) => CONDITION_ADVICE[c].remedy;

  it('offers Reboot for restarts, Expedite NGen for NGen, its own remedy for RunOnce, and no button where only the admin can act', () => {
    expect(INTEGRITY_CONDITIONS.map((c) => [c, remedy(c)])).toEqual([
      ['driverRebootPending', 'reboot'],
      ['deviceRestartPending', 'reboot'],
      ['rebootPending', 'reboot'],
      ['windowsUpdateRebootRequired', 'reboot'],
      ['updateAgentRebootRequired', 'reboot'],
      ['fileRenamesPending', 'reboot'],
      ['computerRenamePending', 'reboot'],
      ['domainJoinPending', 'reboot'],
      ['msiInProgress', undefined],
      ['installerInProgress', undefined],
      ['ngenInProgress', 'expedite-ngen'],
      ['runOnce', 'runonce'],
      ['smsCfgPresent', undefined],
    ]);
  });

  it('warns never to restart to stop NGen, and says what to do for the others', () => {
    expect(CONDITION_ADVICE.ngenInProgress.text).toMatch(/Do not restart the machine to stop it/);
    expect(CONDITION_ADVICE.driverRebootPending.text).toMatch(/boot disk.*Reboot machine/);
    expect(CONDITION_ADVICE.msiInProgress.text).toMatch(/Let it finish/);
    expect(CONDITION_ADVICE.runOnce.text).toMatch(/a restart alone may not run them: run them once now \(as SYSTEM, not at a user's logon\), or remove them/);
    expect(CONDITION_ADVICE.smsCfgPresent.text).toMatch(/SMSCFG\.INI.*Remove the SCCM client's identity before finalizing/);
  });

  it('shows a stored condition this release no longer reports, with a Check again, instead of dropping it', () => {
    expect(adviceFor(['msiInProgress', 'runOnceOutstanding'])).toEqual([
      CONDITION_ADVICE.msiInProgress,
      { text: 'An earlier check reported "runOnceOutstanding", which this release no longer checks the same way. Click Check again for a current result.' },
    ]);
  });
});

describe('the scripts sent into the packaging machine', () => {
  const check = INTEGRITY_CHECK_SCRIPT.join('\n');

  it('start with the marker line the guest recognises', () => {
    expect(INTEGRITY_CHECK_SCRIPT[0]).toBe('# oslayer:integrity-check');
    expect(EXPEDITE_NGEN_SCRIPT[0]).toBe('# oslayer:expedite-ngen');
    expect(RUNONCE_SCRIPT[0]).toBe('# oslayer:runonce');
  });

  it('fail closed: Stop on errors and warnings, no SilentlyContinue error handling, no bare catch that answers', () => {
    for (const script of [INTEGRITY_CHECK_SCRIPT, EXPEDITE_NGEN_SCRIPT, RUNONCE_SCRIPT].map((lines) => lines.join('\n'))) {
      expect(script).toMatch(/^\$ErrorActionPreference = 'Stop'$/m);
      expect(script).toMatch(/^\$WarningPreference = 'Stop'$/m);
      expect(script).not.toMatch(/-ErrorAction\s+SilentlyContinue|ErrorActionPreference = '(SilentlyContinue|Continue|Ignore)'/);
      expect(script).not.toMatch(/catch\s*\{\s*\$(false|true|null)\s*\}/);
      expect(script).toContain('Is64BitProcess');
    }
  });

  it('the check prints exactly the fields the parser expects, in order, once', () => {
    const report = check.slice(check.indexOf('$report = [ordered]@{'));
    const fields = [...report.matchAll(/^\s{4}(\w+)\s*=\s*/gm)].map((m) => m[1]);
    // The NGen tasks' state and the 32-bit start are hints after their neighbours, never conditions.
    const conditions = INTEGRITY_CONDITIONS.filter((c) => c !== 'runOnce' && c !== 'smsCfgPresent');
    expect(fields).toEqual(['v', ...conditions, 'ngenTasks', 'runOnce', 'smsCfgPresent', 'startedAs32Bit']);
    expect(check.match(/\[Console\]::Out\.WriteLine/g)).toHaveLength(1);
    expect(check).toMatch(/^Write-ResultLine \$report$/m);
  });

  it('the check looks where Windows signals each condition', () => {
    for (const evidence of [
      'DEVPKEY_Device_DevNodeStatus',
      'DEVPKEY_Device_ProblemCode',
      'Component Based Servicing\\RebootPending',
      'WindowsUpdate\\Auto Update\\RebootRequired',
      "'Microsoft.Update.SystemInfo'",
      'PendingFileRenameOperations',
      "-notmatch '\\\\spool\\\\drivers\\\\'",
      'ActiveComputerName',
      "'JoinDomain'",
      "'AvoidSpnSet'",
      'Global\\_MSIExecute',
      'WaitOne(0)',
      'AbandonedMutexException',
      'Installer\\InProgress',
      'mscorsvw',
      '.NET Framework NGEN v4.0.30319',
      'RunOnceEx',
      "'Registry32'",
      'SMSCFG.INI',
    ]) {
      expect(check).toContain(evidence);
    }
    expect(check).not.toMatch(/HKEY_USERS/);
  });

  it('names the same probes the simulated guest can fail', () => {
    const probes = new Set([...check.matchAll(/(?:Invoke-Probe|Stop-WithProbeFailure) '([a-z0-9-]+)'/g)].map((m) => m[1]));
    expect([...probes].sort()).toEqual([...INTEGRITY_PROBES].sort());
  });

  it('expedite runs executeQueuedItems (v4 then v2, Framework64 then Framework), update /force only on request, and never stops NGen', () => {
    const text = EXPEDITE_NGEN_SCRIPT.join('\n');
    expect(text).toMatch(/'v4\.0\.30319', 'v2\.0\.50727'/);
    expect(text).toMatch(/'Framework64', 'Framework'/);
    expect(text).toMatch(/if \(\$Mode -eq 'update-force'\)/);
    expect(text).not.toMatch(/Restart-Computer|shutdown|Stop-Process|\.Kill\(/i);
    // ngen's output is drained in memory: no temp files left in the layer.
    expect(text).not.toMatch(/GetTempFileName|Out-File|RedirectStandardOutput \(|-RedirectStandard/);
  });

  it('RunOnce runs as Windows does: "!" values deleted after they ran, RunOnceEx only the confirmed entries (never iernonce, which runs them all)', () => {
    const text = RUNONCE_SCRIPT.join('\n');
    expect(text).toContain("$deleteAfter = ([string]$entry.name).StartsWith('!')");
    expect(text).toMatch(/if \(-not \$deleteAfter\) \{ \$key\.DeleteValue\(\$entry\.name\) \}\n\s*\$waited = Wait-Command/);
    expect(text).toMatch(/if \(\$deleteAfter -and \$waited\.outcome -eq 'ran'\) \{ \$key\.DeleteValue\(\$entry\.name\) \}/);
    expect(text).not.toMatch(/RunOnceExProcess/);
  });

  it('every script re-launches itself as 64-bit from a 32-bit start, with the same parameters, and HRESULTs come from the base exception', () => {
    for (const script of [INTEGRITY_CHECK_SCRIPT, EXPEDITE_NGEN_SCRIPT, RUNONCE_SCRIPT, WINDOWS_UPDATE_SCRIPT, INVENTORY_SCRIPT]) {
      const text = script.join('\n');
      expect(text).toContain("Join-Path $env:windir 'sysnative\\WindowsPowerShell\\v1.0\\powershell.exe'");
      expect(text).toContain('foreach ($name in $PSBoundParameters.Keys)');
      expect(text).toContain('exit $child.ExitCode');
      expect(text).not.toMatch(/\$_\.Exception\.(HResult|Message)/);
    }
  });

  it('RunOnce takes its entries as a base64 parameter and never evaluates them as script', () => {
    const text = RUNONCE_SCRIPT.join('\n');
    expect(text).toMatch(/param\(\s*\[string\]\$Action = '',\s*\[string\]\$Entries = ''\s*\)/);
    expect(text).toContain('FromBase64String($Entries)');
    expect(text).not.toMatch(/Invoke-Expression|iex |\[scriptblock\]::Create/i);
  });

  it('are the repository files, with the shared fail-closed prelude in place of its marker line', () => {
    const read = (file: string) => readFileSync(new URL(`../../src/azure/scripts/${file}`, import.meta.url), 'utf8').trimEnd();
    const expected = read('integrity-check.ps1').replace('# oslayer:fail-closed', read('fail-closed.ps1'));
    expect(INTEGRITY_CHECK_SCRIPT.join('\n')).toBe(expected);
    for (const script of [EXPEDITE_NGEN_SCRIPT, RUNONCE_SCRIPT]) {
      expect(script.join('\n')).toContain(read('fail-closed.ps1'));
      expect(script).not.toContain('# oslayer:fail-closed');
    }
  });
});

describe('the watch read schedule', () => {
  const production = { intervalMs: 30_000 };

  it('never reads a machine more than twice a minute, whatever happened before', () => {
    fc.assert(
      fc.property(fc.nat(50), fc.option(fc.nat(7200), { nil: undefined }), (failedReads, retryAfterSeconds) => {
        return nextReadDelayMs(production, { failedReads, retryAfterSeconds }) >= 30_000;
      }),
    );
  });

  it('backs off after failed reads, up to half an hour, and waits out Retry-After', () => {
    expect(nextReadDelayMs(production, { failedReads: 0 })).toBe(30_000);
    expect(nextReadDelayMs(production, { failedReads: 2 })).toBe(120_000);
    expect(nextReadDelayMs(production, { failedReads: 40 })).toBe(MAX_BACKOFF_MS);
    expect(nextReadDelayMs(production, { failedReads: 1, retryAfterSeconds: 3600 })).toBe(3_600_000);
  });
});

describe('the task message with integrity results', () => {
  const now = new Date('2026-11-03T10:00:00Z');
  const task: Task = {
    _id: 'task-1',
    kind: 'add-version',
    layerId: 'layer-1',
    versionId: 'v-1',
    status: 'action-required',
    steps: [],
    slack: { channel: 'C1', ts: '1.2' },
    startedBy: 'UADMIN1',
    createdAt: now,
    updatedAt: now,
  };
  const version = { name: '2026-11', status: 'action-required' as const, maxLayerSizeGb: 100, packagingDiskFilename: '2026-11.vhd', packagingMachine: { name: '2026-11', resourceGroup: 'rg' } };
  const base = { task, layer: { name: 'Windows 11' }, version };

  it('lists every blocking condition with its remedy button, and Check again, within Slack limits', () => {
    const message = taskMessage({ ...base, blocking: adviceFor(INTEGRITY_CONDITIONS), runOnceEntries: [ENTRY], checkedAt: now, machine: { state: 'running', agentReady: true } });
    const json = JSON.stringify(message.blocks);
    for (const c of INTEGRITY_CONDITIONS) expect(json).toContain(JSON.stringify(CONDITION_ADVICE[c].text).slice(1, -1));
    const accessories = message.blocks.flatMap((b) => ('accessory' in b && b.accessory ? [(b.accessory as { action_id: string }).action_id] : []));
    expect(accessories).toEqual([...Array(8).fill(TASK_ACTIONS.reboot), TASK_ACTIONS.expediteNgen]);
    for (const id of [TASK_ACTIONS.checkAgain, TASK_ACTIONS.runOnceRun, TASK_ACTIONS.runOnceRemove, TASK_ACTIONS.ngenUpdateForce]) expect(json).toContain(id);
    expect(json).toContain('RunOnce › Finish setup');
    expect(json).toContain('*Packaging machine* `2026-11`: running');
    expect(checkBlockKitLimits(message, 'message')).toEqual([]);
  });

  it('asks for confirmation before RunOnce entries are run or removed, and before ngen update /force', () => {
    const message = taskMessage({ ...base, blocking: adviceFor(['runOnce', 'ngenInProgress']), runOnceEntries: [ENTRY], checkedAt: now });
    const buttons = message.blocks.flatMap((b) => (b.type === 'actions' ? (b.elements as Array<{ action_id: string; confirm?: { confirm: { text: string } } }>) : []));
    const confirmOf = (id: string) => buttons.find((b) => b.action_id === id)?.confirm?.confirm.text;
    expect(confirmOf(TASK_ACTIONS.runOnceRun)).toBe('Run them once');
    expect(buttons.find((b) => b.action_id === TASK_ACTIONS.runOnceRun)?.confirm).toMatchObject({ text: { text: expect.stringMatching(/runs once now, as SYSTEM, not at a user's logon/) } });
    expect(confirmOf(TASK_ACTIONS.runOnceRemove)).toBe('Remove them');
    expect(confirmOf(TASK_ACTIONS.ngenUpdateForce)).toBe('Run it');
  });

  it('escapes RunOnce names and Windows error text, and lists at most 20 names', () => {
    const entries = Array.from({ length: 25 }, (_, i) => ({ ...ENTRY, name: `<!here> ${i}` }));
    const json = JSON.stringify(taskMessage({ ...base, blocking: adviceFor(['runOnce']), runOnceEntries: entries, checkedAt: now }).blocks);
    expect(json).not.toContain('<!here>');
    expect(json).toContain('&lt;!here&gt; 19');
    expect(json).not.toContain('&lt;!here&gt; 20');
    expect(json).toContain('and 5 more');
    const failed = JSON.stringify(taskMessage({ ...base, integrityFailure: 'the devices probe could not answer: <!channel>', checkedAt: now }).blocks);
    expect(failed).not.toContain('<!channel>');
  });

  it('says the check failed, that this is not a pass, and offers Check again', () => {
    const json = JSON.stringify(taskMessage({ ...base, integrityFailure: 'the devices probe could not answer: Generic failure', checkedAt: now }).blocks);
    expect(json).toContain('The layer integrity check failed');
    expect(json).toContain('the devices probe could not answer: Generic failure');
    expect(json).toContain('This is not a pass');
    expect(json).toContain(TASK_ACTIONS.checkAgain);
    expect(json).toContain('Finalize runs the check again first');
    expect(json).toContain('I check the layer first');
  });

  it('shows a machine deleted outside the bot with what to do', () => {
    const json = JSON.stringify(taskMessage({ ...base, machine: { state: 'gone' } }).blocks);
    expect(json).toContain('deleted outside oslayer');
    expect(json).toContain(TASK_ACTIONS.deployForMe);
    expect(json).toContain(TASK_ACTIONS.cancel);
  });
});
