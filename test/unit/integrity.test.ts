import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { EXPEDITE_NGEN_SCRIPT, INTEGRITY_CHECK_SCRIPT } from '../../src/azure/scripts/index.js';
import { adviceFor, CONDITION_ADVICE, INTEGRITY_CONDITIONS, readIntegrityOutput, type IntegrityCondition } from '../../src/domain/integrity.js';
import type { Task } from '../../src/domain/model.js';
import { MAX_BACKOFF_MS, nextReadDelayMs } from '../../src/workflow/machine-watch.js';
import { checkBlockKitLimits } from '../../views/limits.js';
import { TASK_ACTIONS, taskMessage } from '../../views/task-message.js';

const CLEAN = { v: 1, driverRebootPending: false, rebootPending: false, msiInProgress: false, ngenInProgress: false, ngenQueued: false, runOnceOutstanding: false, smsCfgPresent: false };
const CLEAN_LINE = JSON.stringify(CLEAN);

describe('reading the integrity check output', () => {
  it('reads a clean report, with the CRLF PowerShell ends it with', () => {
    expect(readIntegrityOutput(`${CLEAN_LINE}\r\n`)).toEqual({ outcome: 'clean', report: CLEAN });
  });

  it.each(INTEGRITY_CONDITIONS)('reports %s as the one blocking condition', (condition) => {
    const result = readIntegrityOutput(JSON.stringify({ ...CLEAN, [condition]: true }));
    expect(result).toMatchObject({ outcome: 'blocked', blocking: [condition] });
  });

  it('lists several blocking conditions in check order', () => {
    const result = readIntegrityOutput(JSON.stringify({ ...CLEAN, smsCfgPresent: true, rebootPending: true, ngenQueued: true }));
    expect(result).toMatchObject({ outcome: 'blocked', blocking: ['rebootPending', 'ngenQueued', 'smsCfgPresent'] });
  });

  it.each<[string, string, RegExp]>([
    ['nothing', '', /printed nothing/],
    ['only blank lines', '\r\n  \n', /printed nothing/],
    ['a second line', `${CLEAN_LINE}\nWARNING: something`, /more than the one line/],
    ['text before the line', `Loading...\n${CLEAN_LINE}`, /more than the one line/],
    ['text after the JSON on the same line', `${CLEAN_LINE} done`, /not readable/],
    ['a truncated line', CLEAN_LINE.slice(0, -5), /not readable/],
    ['a wrong version', JSON.stringify({ ...CLEAN, v: 2 }), /format this bot does not know/],
    ['a missing field', JSON.stringify({ ...CLEAN, smsCfgPresent: undefined }), /incomplete or had unexpected fields/],
    ['an extra field', JSON.stringify({ ...CLEAN, extra: false }), /incomplete or had unexpected fields/],
    ['a string for a flag', JSON.stringify({ ...CLEAN, msiInProgress: 'false' }), /incomplete or had unexpected fields/],
    ['an array', JSON.stringify([CLEAN]), /incomplete or had unexpected fields/],
    ['output cut at the Run Command limit', `${CLEAN_LINE}${' '.repeat(4096)}`, /cut off/],
  ])('calls %s "the check failed"', (_what, stdout, reason) => {
    const result = readIntegrityOutput(stdout);
    expect(result.outcome).toBe('failed');
    expect(result).toMatchObject({ reason: expect.stringMatching(reason) });
  });

  it('never reads random output as clean', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 600 }), (stdout) => readIntegrityOutput(stdout).outcome !== 'clean'), { numRuns: 2000 });
  });

  it('never reads a cut-off or extended clean line as clean', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: CLEAN_LINE.length - 1 }), (cut) => readIntegrityOutput(CLEAN_LINE.slice(0, cut)).outcome !== 'clean'),
    );
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 80 }).filter((s) => s.trim() !== ''), fc.constantFrom('', ' ', '\n', '\r\n'), (extra, sep) =>
        readIntegrityOutput(`${CLEAN_LINE}${sep}${extra}`).outcome !== 'clean' && readIntegrityOutput(`${extra}${sep}${CLEAN_LINE}`).outcome !== 'clean',
      ),
    );
  });

  it('never reads a report of another shape as clean', () => {
    const anyValue = fc.oneof(fc.boolean(), fc.integer(), fc.string(), fc.constant(null));
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...Object.keys(CLEAN), 'other', 'V'), anyValue), (fields) => {
        const exactlyClean = JSON.stringify(Object.entries(fields).sort()) === JSON.stringify(Object.entries(CLEAN).sort());
        return exactlyClean || readIntegrityOutput(JSON.stringify(fields)).outcome !== 'clean';
      }),
      { numRuns: 2000 },
    );
  });
});

describe('what each blocking condition tells the admin', () => {
  const remedy = (c: IntegrityCondition) => CONDITION_ADVICE[c].remedy;

  it('offers a restart for pending restarts and RunOnce, Expedite NGen for NGen, and no button where only the admin can act', () => {
    expect(INTEGRITY_CONDITIONS.map((c) => [c, remedy(c)])).toEqual([
      ['driverRebootPending', 'reboot'],
      ['rebootPending', 'reboot'],
      ['msiInProgress', undefined],
      ['ngenInProgress', 'expedite-ngen'],
      ['ngenQueued', 'expedite-ngen'],
      ['runOnceOutstanding', 'reboot'],
      ['smsCfgPresent', undefined],
    ]);
  });

  it('warns never to restart to stop NGen, and says what to do for the others', () => {
    for (const c of ['ngenInProgress', 'ngenQueued'] as const) expect(CONDITION_ADVICE[c].text).toMatch(/Do not restart the machine to stop it/);
    expect(CONDITION_ADVICE.driverRebootPending.text).toMatch(/boot disk.*Restart the packaging machine/);
    expect(CONDITION_ADVICE.msiInProgress.text).toMatch(/Let it finish/);
    expect(CONDITION_ADVICE.runOnceOutstanding.text).toMatch(/Sign in to the machine, or restart it/);
    expect(CONDITION_ADVICE.smsCfgPresent.text).toMatch(/SMSCFG\.INI.*Remove the SCCM client's identity before finalizing/);
  });

  it('skips stored conditions this bot does not know', () => {
    expect(adviceFor(['msiInProgress', 'somethingNew'])).toEqual([CONDITION_ADVICE.msiInProgress]);
  });
});

describe('the scripts sent into the packaging machine', () => {
  it('start with the marker line the guest recognises', () => {
    expect(INTEGRITY_CHECK_SCRIPT[0]).toBe('# oslayer:integrity-check');
    expect(EXPEDITE_NGEN_SCRIPT[0]).toBe('# oslayer:expedite-ngen');
  });

  it('the check prints exactly the fields the parser expects, in order, once', () => {
    const text = INTEGRITY_CHECK_SCRIPT.join('\n');
    const fields = [...text.matchAll(/^\s{4}(\w+)\s*=\s*/gm)].map((m) => m[1]);
    expect(fields).toEqual(['v', ...INTEGRITY_CONDITIONS]);
    expect(text.match(/Write-Output/g)).toHaveLength(1);
    expect(text).toContain('ConvertTo-Json -Compress');
    for (const evidence of ['RebootPending', 'RebootRequired', 'PendingFileRenameOperations', 'Global\\_MSIExecute', 'mscorsvw', 'RunOnce', 'SMSCFG.INI']) {
      expect(text).toContain(evidence);
    }
  });

  it('expedite runs update /force then executeQueuedItems for 32- and 64-bit frameworks', () => {
    const text = EXPEDITE_NGEN_SCRIPT.join('\n');
    expect(text).toMatch(/'Framework', 'Framework64'/);
    expect(text.indexOf('update /force')).toBeLessThan(text.indexOf('executeQueuedItems'));
    expect(text).not.toMatch(/Restart-Computer|shutdown/i);
  });

  it('are read from the repository files as they are', () => {
    const file = readFileSync(new URL('../../src/azure/scripts/integrity-check.ps1', import.meta.url), 'utf8');
    expect(INTEGRITY_CHECK_SCRIPT.join('\n')).toBe(file.trimEnd());
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
    const message = taskMessage({ ...base, blocking: adviceFor(INTEGRITY_CONDITIONS), checkedAt: now, machine: { state: 'running', agentReady: true } });
    const json = JSON.stringify(message.blocks);
    for (const c of INTEGRITY_CONDITIONS) expect(json).toContain(JSON.stringify(CONDITION_ADVICE[c].text).slice(1, -1));
    const accessories = message.blocks.flatMap((b) => ('accessory' in b && b.accessory ? [(b.accessory as { action_id: string }).action_id] : []));
    expect(accessories).toEqual([TASK_ACTIONS.reboot, TASK_ACTIONS.reboot, TASK_ACTIONS.expediteNgen, TASK_ACTIONS.expediteNgen, TASK_ACTIONS.reboot]);
    expect(json).toContain(TASK_ACTIONS.checkAgain);
    expect(json).toContain('*Packaging machine* `2026-11`: running');
    expect(checkBlockKitLimits(message, 'message')).toEqual([]);
  });

  it('says the check failed rather than showing nothing', () => {
    const json = JSON.stringify(taskMessage({ ...base, integrityFailure: 'it printed nothing', checkedAt: now }).blocks);
    expect(json).toContain('The layer integrity check failed');
    expect(json).toContain('it printed nothing');
    expect(json).toContain(TASK_ACTIONS.checkAgain);
  });

  it('shows a machine deleted outside the bot with what to do', () => {
    const json = JSON.stringify(taskMessage({ ...base, machine: { state: 'gone' } }).blocks);
    expect(json).toContain('deleted outside oslayer');
    expect(json).toContain(TASK_ACTIONS.deployForMe);
    expect(json).toContain(TASK_ACTIONS.cancel);
  });
});
