/** The connector Test's lines: a check's verdict, a failure with the service's message, or a check not run. */
import { toAzureError } from './errors.js';
import type { ProbeCheck, ProbeResult } from './ports.js';

export type Verdict = { ok: boolean; detail: string };

/** Runs a check; whatever it throws becomes a failed line with the service's message. */
export async function verdict(check: ProbeCheck, run: () => Promise<Verdict>): Promise<ProbeResult> {
  try {
    return result(check, await run());
  } catch (err) {
    return result(check, { ok: false, detail: toAzureError(err).message });
  }
}

export function result(check: ProbeCheck, { ok, detail }: Verdict): ProbeResult {
  return { check, ok, skipped: false, detail };
}

export function skip(check: ProbeCheck, reason: string): ProbeResult {
  return { check, ok: false, skipped: true, detail: `skipped: ${reason}` };
}
