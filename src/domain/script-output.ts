/**
 * How the bot reads what a fixed script printed inside the packaging machine (the fail-closed
 * contract of DESIGN §5): exactly one compact JSON line on stdout and nothing else. Anything
 * else — text on stderr, a non-zero exit, a PowerShell WARNING, a byte-order mark, more or less
 * than one line, output that reached Run Command's cap, JSON that does not parse or has the
 * wrong shape — is a failure with a reason, never an empty or clean answer. Pure: no I/O.
 */
import type { z } from 'zod';

/** Run Command keeps at most this much of each stream; output that reaches it may have been cut. */
export const SCRIPT_OUTPUT_LIMIT = 4096;

export interface ScriptRun {
  stdout: string;
  stderr: string;
  /** Managed Run Command reports the script's exit code; the action API does not. */
  exitCode?: number;
}

export type ScriptReading<T> = { ok: true; value: T } | { ok: false; reason: string };

/** The first line of what the script said on stderr, short enough to quote. */
function firstLine(text: string): string {
  const line = text.split(/\r?\n/).find((l) => l.trim() !== '')?.trim() ?? '';
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/** Reads one JSON line of the shape `schema` describes, or says why it can't. Never throws. */
export function readScriptLine<T>(run: ScriptRun, schema: z.ZodType<T>): ScriptReading<T> {
  if (run.stderr.trim() !== '') return { ok: false, reason: `it reported an error: ${firstLine(run.stderr)}` };
  if (run.exitCode !== undefined && run.exitCode !== 0) return { ok: false, reason: `it ended with exit code ${run.exitCode}` };
  const { stdout } = run;
  if (Buffer.byteLength(stdout, 'utf8') >= SCRIPT_OUTPUT_LIMIT) return { ok: false, reason: 'its output was cut off at the Run Command limit' };
  if (stdout.startsWith('\uFEFF')) return { ok: false, reason: 'its output began with a byte-order mark, so it was not the plain line expected' };
  const lines = stdout.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines.some((line) => /^WARNING:/i.test(line.trim()))) return { ok: false, reason: `it printed a warning: ${firstLine(lines.find((l) => /^WARNING:/i.test(l.trim()))!)}` };
  if (lines.length === 0) return { ok: false, reason: 'it printed nothing' };
  if (lines.length > 1) return { ok: false, reason: 'it printed more than the one line of results' };
  let json: unknown;
  try {
    json = JSON.parse(lines[0]!);
  } catch {
    return { ok: false, reason: 'its output was not readable (incomplete or garbled)' };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: 'its results were incomplete or had unexpected fields' };
  return { ok: true, value: parsed.data };
}
