/**
 * Installing Windows updates on the packaging machine: the three fixed modes an admin picks
 * from, what the update script reports (read fail-closed through ./script-output.ts), and the
 * words the thread and task message use. Pure: no I/O.
 *
 * The script (src/azure/scripts/windows-update.ps1) uses the Windows Update Agent API:
 * IUpdateSearcher.Search with one fixed criteria string per mode (always BrowseOnly=0, never the
 * Upgrades category), then UpdateDownloader and UpdateInstaller for one update at a time, so
 * progress and failures are per update. What it leaves out it reports as held, with the reason.
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

/** A KB number as a person types it: "KB5041578" or "5041578". */
const KB_INPUT = /^(?:KB)?(\d{5,8})$/i;

/** At most this many KBs per list: the script's parameter pattern allows no more. */
export const KB_LIST_LIMIT = 50;

/**
 * A list of KB numbers typed into the modal (commas, spaces or new lines between), as
 * ["KB5041578", …] without repeats, or the first entry that is not a KB number.
 */
export function parseKbList(text: string | undefined): { ok: true; kbs: string[] } | { ok: false; invalid: string } {
  const kbs: string[] = [];
  for (const item of (text ?? '').split(/[\s,;]+/).filter(Boolean)) {
    const match = KB_INPUT.exec(item);
    if (!match) return { ok: false, invalid: item };
    const kb = `KB${match[1]}`;
    if (!kbs.includes(kb)) kbs.push(kb);
  }
  if (kbs.length > KB_LIST_LIMIT) return { ok: false, invalid: `more than ${KB_LIST_LIMIT} KBs` };
  return { ok: true, kbs };
}

/** Why the script left an update out: an optional update nobody named, one in the Upgrades category, or one on the layer's Exclude KBs. */
export const HELD_REASONS = ['optional', 'upgrade', 'excluded'] as const;
export type HeldReason = (typeof HELD_REASONS)[number];

export const HELD_REASON_TEXT: Readonly<Record<HeldReason, string>> = {
  optional: 'an optional update (BrowseOnly, such as a preview); it is installed only when you name its KB under *Optional updates to install*',
  upgrade: 'a feature update (Upgrades category); it would change the OS release of the layer, so it is never installed',
  excluded: "on this layer's *Exclude KBs*",
};

export const searchReportSchema = z.strictObject({
  v: z.literal(2),
  action: z.literal('search'),
  mode: updateModeSchema,
  /** How many updates may be installed; `updates` lists those from index `from` that fit Run Command's output. */
  total: z.number().int().min(0),
  from: z.number().int().min(0),
  updates: z.array(z.strictObject({ id: updateIdSchema, kb: kbSchema, title: titleSchema })).max(200),
  /** How many were left out; `held` lists those that fit. */
  heldTotal: z.number().int().min(0),
  held: z.array(z.strictObject({ kb: kbSchema, title: titleSchema, reason: z.enum(HELD_REASONS) })).max(200),
});
export type SearchReport = z.infer<typeof searchReportSchema>;
export type ApplicableUpdate = SearchReport['updates'][number];
export type HeldUpdate = SearchReport['held'][number];

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

const readSearchLine = versionedReader({ 2: searchReportSchema });
const readInstallLine = versionedReader({ 1: installReportSchema });

/** One page of a search; `from` must be the index asked for, and a page that lists nothing must be the end. */
export function readSearchOutput(run: ScriptOutput, from = 0): ScriptReading<SearchReport> {
  const reading = readScriptOutput(run, readSearchLine);
  if (!reading.ok) return reading;
  const { total, updates, heldTotal, held } = reading.value;
  if (total < reading.value.from + updates.length || heldTotal < held.length) return { ok: false, failure: { reason: 'it counted fewer updates than it listed' } };
  if (reading.value.from !== from) return { ok: false, failure: { reason: `it listed from update ${reading.value.from + 1} when update ${from + 1} was asked for` } };
  if (updates.length === 0 && from < total) return { ok: false, failure: { reason: 'it listed no update although more were left' } };
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

/**
 * WU_E_INSTALL_NOT_ALLOWED: "Operation tried to install while another installation was in
 * progress or the system was pending a mandatory restart." A restart and a retry, not a failure.
 */
export const WU_E_INSTALL_NOT_ALLOWED = 0x80240016 | 0;

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
