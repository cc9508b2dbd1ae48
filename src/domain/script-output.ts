/**
 * How the bot reads what a script run inside a packaging machine (Run Command) printed: the
 * fail-closed contract every oslayer script keeps (DESIGN §5). Pure: no I/O.
 *
 * A script that can answer prints exactly one compact JSON line on stdout, nothing on stderr, and
 * exits 0. Anything else is "the check failed", never a result: text on stderr, a non-zero exit
 * code (where Run Command reports one), a `WARNING:` or any other extra line, a byte order mark,
 * output at Run Command's 4096-byte cap, an empty or unreadable line, or a format version this
 * bot does not know. A probe that cannot answer says so on stderr as
 * `oslayer probe failed: <probe>: <error>`, so the failure can name what could not look.
 */
import type { z } from 'zod';

/** A script's streams as Run Command reports them; `exitCode` only where Azure tells it (managed Run Command). */
export interface ScriptOutput {
  stdout: string;
  stderr: string;
  exitCode?: number;
}

export interface ScriptFailure {
  /** Why the result can't be used, in plain words (Windows' own text may be quoted: escape it before mrkdwn). */
  reason: string;
  /** The probe that could not answer, when the script named one. */
  probe?: string;
}

export type ScriptReading<T> = { ok: true; value: T } | { ok: false; failure: ScriptFailure };

/** Run Command keeps at most this much of each stream; output that reaches it may have been cut. */
export const RUN_COMMAND_OUTPUT_LIMIT = 4096;

const BOM = '\uFEFF';
const PROBE_FAILED = /^oslayer probe failed: ([A-Za-z][A-Za-z0-9-]{0,63}): ?(.*)$/m;
/** PowerShell's own stream prefixes when a warning, verbose or debug record reaches stdout. */
const STREAM_RECORD = /^(WARNING|VERBOSE|DEBUG): ?(.*)$/m;
const QUOTE_LIMIT = 300;

function failed(reason: string, probe?: string): { ok: false; failure: ScriptFailure } {
  return { ok: false, failure: probe ? { reason, probe } : { reason } };
}

function quote(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > QUOTE_LIMIT ? `${oneLine.slice(0, QUOTE_LIMIT - 1)}…` : oneLine;
}

/**
 * Reads one script run. `readLine` turns the parsed JSON into the script's typed result (see
 * `versionedReader`). Never throws; answers ok only when every rule above holds.
 */
export function readScriptOutput<T>(output: ScriptOutput, readLine: (json: unknown) => ScriptReading<T>): ScriptReading<T> {
  const { stdout, stderr, exitCode } = output;
  const probe = PROBE_FAILED.exec(stderr);
  if (probe) return failed(`the ${probe[1]} probe could not answer: ${quote(probe[2] ?? '') || 'no reason given'}`, probe[1]);
  if (stderr.trim() !== '') return failed(`it reported an error: ${quote(stderr)}`);
  if (exitCode !== undefined && exitCode !== 0) return failed(`it ended with exit code ${exitCode}`);
  if (Buffer.byteLength(stdout, 'utf8') >= RUN_COMMAND_OUTPUT_LIMIT) return failed('its output was cut off at the Run Command limit');
  // The scripts write UTF-8 without a BOM; one means the output encoding was not theirs, so none of it is trusted.
  const bom = stdout.includes(BOM);
  const text = bom ? stdout.replaceAll(BOM, '') : stdout;
  const record = STREAM_RECORD.exec(text);
  if (record) return failed(`it printed a ${record[1]!.toLowerCase()} message: ${quote(record[2] ?? '')}`);
  if (bom) return failed('its output started with a byte order mark, so the machine is not writing output the way the script sets it');
  // PowerShell ends its output with CRLF; nothing else may surround the line.
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines.length === 0) return failed('it printed nothing');
  if (lines.length > 1) return failed('it printed more than the one line of results');
  let json: unknown;
  try {
    json = JSON.parse(lines[0]!);
  } catch {
    return failed('its output was not readable (incomplete or garbled)');
  }
  return readLine(json);
}

/**
 * A reader for a versioned report `{"v": n, ...}` that knows exactly the versions in `schemas`:
 * a newer script's report is refused, never read as an older one.
 */
export function versionedReader<S extends z.ZodType>(schemas: Readonly<Record<number, S>>): (json: unknown) => ScriptReading<z.infer<S>> {
  return (json) => {
    const version = typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as { v?: unknown }).v : undefined;
    if (typeof version !== 'number' || !Object.hasOwn(schemas, version)) {
      return failed(version === undefined ? 'its results were incomplete or had unexpected fields' : 'it reported in a format this bot does not know');
    }
    const parsed = schemas[version]!.safeParse(json);
    return parsed.success ? { ok: true, value: parsed.data } : failed('its results were incomplete or had unexpected fields');
  };
}
