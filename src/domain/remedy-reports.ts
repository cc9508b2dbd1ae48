/**
 * What the remedy scripts (Expedite NGen, RunOnce) report, read through the same fail-closed
 * contract as the integrity check (./script-output.ts). Pure: no I/O.
 */
import { z } from 'zod';
import { runOnceEntrySchema } from './integrity.js';
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
