/**
 * How the simulated guest's scripts answer, as the real ones do through fail-closed.ps1: one
 * result line from Write-ResultLine (compact JSON, every character outside printable ASCII as
 * a \u escape, CRLF), or a probe failure on stderr with exit code 1 and no result line.
 */

/** What a script run printed, and its exit code (Action Run Command does not report it; managed Run Command does). */
export interface GuestRun {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export function resultLine(value: unknown): string {
  return `${JSON.stringify(value).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\r\n`;
}

/** fail-closed.ps1's $ResultLineBudget: Write-ResultLine refuses a line of this many UTF-8 bytes or more. */
export const RESULT_LINE_BUDGET = 4000;

/** Write-ResultLine: the line, or the 'report' probe failure the real script gives for a line Run Command would cut. */
export function answered(value: unknown): GuestRun {
  const line = resultLine(value);
  if (Buffer.byteLength(line.trimEnd(), 'utf8') >= RESULT_LINE_BUDGET) return probeFailure('report', 'the result is too long for Run Command');
  return { stdout: line, stderr: '', exitCode: 0 };
}

export function probeFailure(probe: string, message: string): GuestRun {
  return { stdout: '', stderr: `oslayer probe failed: ${probe}: ${message}\r\n`, exitCode: 1 };
}

/**
 * What Run Command hands back of a stream: only its last 4,096 bytes ("Output is limited to the
 * last 4,096 bytes", action Run Command; the managed Run Command's instance view keeps the last
 * 4 KB of output and of error). A character cut in half at the start is dropped.
 */
export const RUN_COMMAND_OUTPUT_BYTES = 4096;

export function runCommandTail(stream: string): string {
  const bytes = Buffer.from(stream, 'utf8');
  if (bytes.length <= RUN_COMMAND_OUTPUT_BYTES) return stream;
  let start = bytes.length - RUN_COMMAND_OUTPUT_BYTES;
  // UTF-8 continuation bytes are 10xxxxxx: start at the next whole character.
  while (start < bytes.length && (bytes[start]! & 0xc0) === 0x80) start++;
  return bytes.subarray(start).toString('utf8');
}
