import fc from 'fast-check';
import { readIntegrityOutput, type IntegrityReport } from '../../src/domain/integrity.js';
import { readNgenOutput, readRunOnceOutput, runOnceParameters } from '../../src/domain/remedy-reports.js';
import { RUN_COMMAND_OUTPUT_LIMIT, type ScriptOutput } from '../../src/domain/script-output.js';
import { CLEAN_REPORT } from '../fixtures/integrity-report.js';

const CLEAN: IntegrityReport = CLEAN_REPORT;
const CLEAN_LINE = JSON.stringify(CLEAN);

/** Ways a run can go wrong, each applied to output that would otherwise read as clean. */
const failureMode = fc.oneof(
  fc.record({ kind: fc.constant('probe error' as const), probe: fc.constantFrom('devices', 'msi-mutex', 'update-agent'), message: fc.string({ maxLength: 80 }) }),
  fc.record({ kind: fc.constant('stderr' as const), text: fc.string({ minLength: 1, maxLength: 200 }).filter((t) => t.trim() !== '') }),
  fc.record({ kind: fc.constant('non-zero exit' as const), code: fc.integer({ min: -2147483648, max: 2147483647 }).filter((c) => c !== 0) }),
  fc.record({ kind: fc.constant('warning' as const), text: fc.string({ maxLength: 120 }).map((t) => t.replace(/[\r\n]/g, ' ')), before: fc.boolean() }),
  fc.record({ kind: fc.constant('bom' as const), at: fc.nat(CLEAN_LINE.length) }),
  fc.record({ kind: fc.constant('truncation' as const), keep: fc.nat(CLEAN_LINE.length - 1) }),
  fc.record({ kind: fc.constant('empty' as const), blank: fc.constantFrom('', '\r\n', ' \n \r\n') }),
  fc.record({ kind: fc.constant('cut at the limit' as const), padding: fc.integer({ min: RUN_COMMAND_OUTPUT_LIMIT, max: RUN_COMMAND_OUTPUT_LIMIT + 200 }) }),
  fc.record({ kind: fc.constant('extra line' as const), text: fc.string({ minLength: 1, maxLength: 80 }).filter((t) => t.trim() !== ''), before: fc.boolean() }),
);

type FailureMode = typeof failureMode extends fc.Arbitrary<infer T> ? T : never;

function spoil(mode: FailureMode): ScriptOutput {
  const line = `${CLEAN_LINE}\r\n`;
  switch (mode.kind) {
    case 'probe error':
      // What the scripts do; a script that also printed its line anyway must still fail.
      return { stdout: line, stderr: `oslayer probe failed: ${mode.probe}: ${mode.message}\r\n` };
    case 'stderr':
      return { stdout: line, stderr: mode.text };
    case 'non-zero exit':
      return { stdout: line, stderr: '', exitCode: mode.code };
    case 'warning':
      return { stdout: mode.before ? `WARNING: ${mode.text}\r\n${line}` : `${line}WARNING: ${mode.text}\r\n`, stderr: '' };
    case 'bom':
      return { stdout: `${line.slice(0, mode.at)}\uFEFF${line.slice(mode.at)}`, stderr: '' };
    case 'truncation':
      return { stdout: CLEAN_LINE.slice(0, mode.keep), stderr: '' };
    case 'empty':
      return { stdout: mode.blank, stderr: '' };
    case 'cut at the limit':
      return { stdout: `${CLEAN_LINE}${' '.repeat(mode.padding - CLEAN_LINE.length)}`, stderr: '' };
    case 'extra line':
      return { stdout: mode.before ? `${mode.text}\r\n${line}` : `${line}${mode.text}\r\n`, stderr: '' };
  }
}

describe('the fail-closed reading of a script run', () => {
  it('reads the one clean line, with nothing on stderr and exit code 0 or unreported, as clean', () => {
    expect(readIntegrityOutput({ stdout: `${CLEAN_LINE}\r\n`, stderr: '' }).outcome).toBe('clean');
    expect(readIntegrityOutput({ stdout: CLEAN_LINE, stderr: '', exitCode: 0 }).outcome).toBe('clean');
  });

  it('never reads a clean line spoiled by any combination of failure modes as clean', () => {
    fc.assert(
      fc.property(fc.array(failureMode, { minLength: 1, maxLength: 4 }), (modes) => {
        // Combine: later modes spoil the streams the earlier ones produced.
        const output = modes.reduce<ScriptOutput>((acc, mode) => {
          const spoiled = spoil(mode);
          return {
            stdout: mode.kind === 'probe error' || mode.kind === 'stderr' || mode.kind === 'non-zero exit' ? acc.stdout : spoiled.stdout,
            stderr: `${acc.stderr}${spoiled.stderr}`,
            ...(spoiled.exitCode !== undefined ? { exitCode: spoiled.exitCode } : acc.exitCode !== undefined ? { exitCode: acc.exitCode } : {}),
          };
        }, { stdout: `${CLEAN_LINE}\r\n`, stderr: '' });
        return readIntegrityOutput(output).outcome === 'failed';
      }),
      { numRuns: 3000 },
    );
  });

  it('never reads random streams and exit codes as clean', () => {
    const stream = fc.oneof(fc.string({ unit: 'binary', maxLength: 600 }), fc.constant(''), fc.constant(`${CLEAN_LINE}\r\n`));
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 600 }), stream, fc.option(fc.integer(), { nil: undefined }), (stdout, stderr, exitCode) => {
        const result = readIntegrityOutput({ stdout, stderr, ...(exitCode === undefined ? {} : { exitCode }) });
        return result.outcome !== 'clean' || (stderr === '' && (exitCode ?? 0) === 0 && stdout.trim() === CLEAN_LINE);
      }),
      { numRuns: 3000 },
    );
  });

  it('never reads a report of another shape or version as clean', () => {
    const anyValue = fc.oneof(fc.boolean(), fc.integer(), fc.string(), fc.constant(null), fc.constant([]));
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...Object.keys(CLEAN), 'other', 'V'), anyValue), (fields) => {
        const exactlyClean = JSON.stringify(Object.entries(fields).sort()) === JSON.stringify(Object.entries(CLEAN).sort());
        return exactlyClean || readIntegrityOutput({ stdout: JSON.stringify(fields), stderr: '' }).outcome !== 'clean';
      }),
      { numRuns: 2000 },
    );
  });

  it('holds the remedy scripts to the same contract', () => {
    const ngen = JSON.stringify({ v: 1, finished: true, running: null, ran: [] });
    expect(readNgenOutput({ stdout: ngen, stderr: '' })).toMatchObject({ ok: true, value: { finished: true } });
    expect(readNgenOutput({ stdout: ngen, stderr: '', exitCode: 1 })).toMatchObject({ ok: false });
    expect(readNgenOutput({ stdout: `\uFEFF${ngen}`, stderr: '' })).toMatchObject({ ok: false });
    const runOnce = JSON.stringify({ v: 1, results: [{ view: '64', key: 'RunOnce', name: 'x', outcome: 'ran', exitCode: 0 }] });
    expect(readRunOnceOutput({ stdout: runOnce, stderr: '' })).toMatchObject({ ok: true });
    expect(readRunOnceOutput({ stdout: runOnce, stderr: 'oslayer probe failed: parameters: bad' })).toEqual({
      ok: false,
      failure: { probe: 'parameters', reason: 'the parameters probe could not answer: bad' },
    });
  });
});

describe('the RunOnce remedy parameters', () => {
  it('carry any entry name as base64 data that decodes back exactly, never as script text', () => {
    const entry = fc.record({ view: fc.constantFrom('64' as const, '32' as const), key: fc.constantFrom('RunOnce' as const, 'RunOnceEx' as const), name: fc.string({ minLength: 1, maxLength: 260 }) });
    fc.assert(
      fc.property(fc.constantFrom('run' as const, 'remove' as const), fc.array(entry, { minLength: 1, maxLength: 10 }), (action, entries) => {
        const parameters = runOnceParameters(action, entries);
        expect(parameters.Action).toBe(action);
        expect(parameters.Entries).toMatch(/^[A-Za-z0-9+/=]+$/);
        expect(JSON.parse(Buffer.from(parameters.Entries, 'base64').toString('utf8'))).toEqual({ entries });
      }),
    );
  });
});
