/**
 * What the remedy scripts (Expedite NGen, RunOnce) report, read through the same fail-closed
 * contract as the integrity check (./script-output.ts). Pure: no I/O.
 */
import { z } from 'zod';
import { runOnceEntrySchema, type RunOnceEntry } from './integrity.js';
import { readScriptOutput, versionedReader, type ScriptOutput, type ScriptReading } from './script-output.js';

/** expedite-ngen.ps1: whether every ngen step ended within the script's budget, and which one still runs. */
export const ngenReportSchema = z.strictObject({
  v: z.literal(1),
  finished: z.boolean(),
  running: z.string().max(200).nullable(),
  ran: z.array(z.string().max(200)).max(16),
});
export type NgenReport = z.infer<typeof ngenReportSchema>;

/** runonce.ps1: what became of each entry the admin confirmed. */
export const runOnceReportSchema = z.strictObject({
  v: z.literal(1),
  results: z
    .array(
      runOnceEntrySchema.extend({
        outcome: z.enum(['ran', 'removed', 'missing', 'still-running']),
        exitCode: z.number().int().nullable(),
      }),
    )
    .max(64),
});
export type RunOnceReport = z.infer<typeof runOnceReportSchema>;

const readNgenReport = versionedReader({ 1: ngenReportSchema });
const readRunOnceReport = versionedReader({ 1: runOnceReportSchema });

export function readNgenOutput(output: ScriptOutput): ScriptReading<NgenReport> {
  return readScriptOutput(output, readNgenReport);
}

export function readRunOnceOutput(output: ScriptOutput): ScriptReading<RunOnceReport> {
  return readScriptOutput(output, readRunOnceReport);
}

/**
 * runonce.ps1's Run Command parameters. The entry names are Windows data (any characters), so
 * they travel base64-encoded: the value on the script's command line is only [A-Za-z0-9+/=].
 */
export function runOnceParameters(action: 'run' | 'remove', entries: readonly RunOnceEntry[]): Record<'Action' | 'Entries', string> {
  const listed = entries.map(({ view, key, name }) => ({ view, key, name }));
  return { Action: action, Entries: Buffer.from(JSON.stringify({ entries: listed }), 'utf8').toString('base64') };
}
