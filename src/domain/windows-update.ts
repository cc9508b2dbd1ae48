/**
 * Installing Windows updates on the packaging machine: the three fixed modes an admin picks
 * from, what the update script reports (read fail-closed through ./script-output.ts), and the
 * words the thread and task message use. Pure: no I/O.
 *
 * The script (src/azure/scripts/windows-update.ps1) uses the Windows Update Agent API:
 * IUpdateSearcher.Search with one fixed criteria string per mode, then UpdateDownloader and
 * UpdateInstaller for one update at a time, so progress and failures are per update.
 */
import { z } from 'zod';
import { readScriptOutput, versionedReader, type ScriptOutput, type ScriptReading } from './script-output.js';

export const UPDATE_MODES = ['security', 'software', 'drivers'] as const;
export type UpdateMode = (typeof UPDATE_MODES)[number];
export const updateModeSchema = z.enum(UPDATE_MODES);

export const UPDATE_MODE_LABEL: Readonly<Record<UpdateMode, string>> = {
  security: 'Security and critical updates only',
  software: 'All software updates',
  drivers: 'All software updates and drivers',
};

export const DEFAULT_UPDATE_MODE: UpdateMode = 'security';

/** Rounds of search → install → restart before the bot stops and reports what is left. */
export const DEFAULT_UPDATE_ROUNDS = 5;

/** WUA's IUpdate.Identity.UpdateID: the only thing the bot ever sends back into the guest. */
export const updateIdSchema = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);

const kbSchema = z.string().regex(/^(KB\d{5,8})?$/);
const titleSchema = z.string().max(300);

/** The script lists at most this many updates per search (Run Command output is capped at 4 KB). */
export const SEARCH_LIST_LIMIT = 15;

export const searchReportSchema = z.strictObject({
  v: z.literal(1),
  action: z.literal('search'),
  mode: updateModeSchema,
  /** How many updates are applicable; `updates` lists the first SEARCH_LIST_LIMIT of them. */
  total: z.number().int().min(0),
  updates: z.array(z.strictObject({ id: updateIdSchema, kb: kbSchema, title: titleSchema })).max(SEARCH_LIST_LIMIT),
});
export type SearchReport = z.infer<typeof searchReportSchema>;
export type ApplicableUpdate = SearchReport['updates'][number];

/** OperationResultCode (wuapi.h): the result of a download or installation. */
export const RESULT_CODE_LABEL: Readonly<Record<number, string>> = {
  0: 'NotStarted',
  1: 'InProgress',
  2: 'Succeeded',
  3: 'SucceededWithErrors',
  4: 'Failed',
  5: 'Aborted',
};

export const installReportSchema = z.strictObject({
  v: z.literal(1),
  action: z.literal('install'),
  id: updateIdSchema,
  kb: kbSchema,
  title: titleSchema,
  resultCode: z.number().int().min(0).max(5),
  /** IUpdateInstallationResult.HResult (or the download's, if that failed first); 0 when none. */
  hresult: z.number().int(),
  rebootRequired: z.boolean(),
});
export type InstallReport = z.infer<typeof installReportSchema>;

const readSearchLine = versionedReader({ 1: searchReportSchema });
const readInstallLine = versionedReader({ 1: installReportSchema });

export function readSearchOutput(run: ScriptOutput): ScriptReading<SearchReport> {
  const reading = readScriptOutput(run, readSearchLine);
  if (reading.ok && reading.value.total < reading.value.updates.length) return { ok: false, failure: { reason: 'it counted fewer updates than it listed' } };
  return reading;
}

export function readInstallOutput(run: ScriptOutput, expectedId: string): ScriptReading<InstallReport> {
  const reading = readScriptOutput(run, readInstallLine);
  if (reading.ok && reading.value.id.toLowerCase() !== expectedId.toLowerCase()) return { ok: false, failure: { reason: 'it reported on a different update than the one asked for' } };
  return reading;
}

/** Succeeded (2) and SucceededWithErrors (3) leave the update installed; anything else did not install it. */
export function installed(report: Pick<InstallReport, 'resultCode'>): boolean {
  return report.resultCode === 2 || report.resultCode === 3;
}

/** An HRESULT as Windows shows it: 0x8024402C. */
export function formatHresult(hresult: number): string {
  return `0x${(hresult >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
}

/** "KB5041578 2024-08 Cumulative Update…": the KB first (without the title's own "(KB…)"), or just the title for updates without one (drivers). */
export function updateName(update: { kb: string; title: string }): string {
  if (!update.kb) return update.title;
  const title = update.title.replace(` (${update.kb})`, '').trim();
  return title ? `${update.kb} ${title}` : update.kb;
}

/** "result code 4 (Failed), HRESULT 0x80070643" */
export function resultText(report: Pick<InstallReport, 'resultCode' | 'hresult'>): string {
  const code = `result code ${report.resultCode} (${RESULT_CODE_LABEL[report.resultCode] ?? 'unknown'})`;
  return report.hresult !== 0 ? `${code}, HRESULT ${formatHresult(report.hresult)}` : code;
}

/** Where an update run stands, as the task message shows it. */
export type UpdateRunPhase = 'searching' | 'installing' | 'restarting' | 'waiting-for-agent' | 'done' | 'failed';

export interface UpdateRunProgress {
  phase: UpdateRunPhase;
  round: number;
  rounds: number;
  /** Updates installed in this round so far, of `roundTotal` found applicable. */
  roundInstalled: number;
  roundTotal: number;
}

/** "round 2: 3 of 7 installed" and its neighbours. */
export function progressText(p: UpdateRunProgress): string {
  const round = `round ${p.round} of at most ${p.rounds}`;
  switch (p.phase) {
    case 'searching':
      return `${round}: searching for applicable updates`;
    case 'installing':
      return `${round}: ${p.roundInstalled} of ${p.roundTotal} installed`;
    case 'restarting':
      return `${round}: ${p.roundInstalled} of ${p.roundTotal} installed; restarting the machine through Azure`;
    case 'waiting-for-agent':
      return `${round}: restarted; waiting for the VM agent to report ready`;
    default:
      return round;
  }
}
