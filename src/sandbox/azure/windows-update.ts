/**
 * The simulated guest's Windows Update and installed software, for the update and inventory
 * scripts (src/azure/scripts/windows-update.ps1, inventory.ps1). It answers as those scripts
 * would on Windows, and refuses as PowerShell would: a parameter the script does not declare,
 * or a value its ValidateSet/ValidatePattern/ValidateRange rejects, ends the run with the
 * error on stderr and no result line.
 *
 * Sources: the Windows Update Agent API (IUpdateSearcher.Search criteria — an installed update
 * is no longer returned by IsInstalled=0, BrowseOnly=0 leaves optional updates out, the Upgrades
 * category is 3689BDC8-B205-4AF4-8D4A-A63924C5E9D5; IUpdateInstallationResult.ResultCode is an
 * OperationResultCode, 2 Succeeded, 4 Failed; RebootRequired; HResult; WU_E_INSTALL_NOT_ALLOWED
 * 0x80240016 "another installation was in progress or the system was pending a mandatory
 * restart"), "Run scripts in your Windows VM by using action Run Command" (parameters are
 * passed as named script parameters) and PowerShell's COM interop: a COM call that fails throws
 * a MethodInvocationException whose own HResult is 0x80131501 (COR_E_SYSTEM); Windows Update's
 * HRESULT is only on its base exception. Titles come in the image's language (Windows Update
 * localizes them), so the guest's `language` turns the English titles into that language.
 *
 * The guest plays the script: where the real one would print more than Run Command returns,
 * this one does too (and Run Command keeps only the tail: machine-actions.ts). It lists what fits
 * the script's byte budget, as the script does, and reports the wrapper's HRESULT to a script
 * that does not unwrap it with GetBaseException().
 */
import { createHash, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { z } from 'zod';
import { answered, probeFailure, RESULT_LINE_BUDGET, resultLine, type GuestRun } from './script-lines.js';

export const WINDOWS_UPDATE_MARKER = '# oslayer:windows-update';
export const INVENTORY_MARKER = '# oslayer:inventory';

const hresultSchema = z.union([z.number().int(), z.string().regex(/^0x[0-9a-fA-F]{1,8}$/).transform((hex) => Number.parseInt(hex, 16) | 0)]);

/** ERROR_INSTALL_FAILURE as an HRESULT: what a failing MSI-based update usually reports. */
const DEFAULT_FAILURE_HRESULT = 0x80070643 | 0;

export const simulatedUpdateSchema = z.strictObject({
  kb: z.string().regex(/^KB\d{5,8}$/),
  title: z.string().min(1).max(300),
  /** WSUS classification; "Drivers" is Type='Driver', everything else Type='Software'. */
  classification: z.enum(['Security Updates', 'Critical Updates', 'Updates', 'Update Rollups', 'Feature Packs', 'Service Packs', 'Definition Updates', 'Drivers', 'Upgrades']),
  /** IUpdate.BrowseOnly: an optional update (a preview cumulative update, a feature update offered as optional). */
  browseOnly: z.boolean().default(false),
  /** Offered again after it reports installed (a known Windows Update loop). */
  reappears: z.boolean().default(false),
  rebootRequired: z.boolean().default(false),
  fails: z.boolean().default(false),
  /** The HRESULT a failing update reports (number or "0x…"); default 0x80070643. */
  hresult: hresultSchema.optional(),
  /** Not offered until the guest has restarted once after this was set (a follow-up update). */
  appearsAfterRestart: z.boolean().default(false),
});

export const installedProgramSchema = z.strictObject({
  name: z.string().min(1).max(400),
  version: z.string().max(100),
  publisher: z.string().max(400).default(''),
});

export const installedDriverSchema = z.strictObject({
  name: z.string().min(1).max(1000),
  version: z.string().min(1).max(1000),
  provider: z.string().max(1000).default(''),
});

export const installedUpdateSchema = z.strictObject({
  kb: z.string().regex(/^KB\d{5,8}$/),
  installedOn: z.string().regex(/^(\d{4}-\d{2}-\d{2})?$/),
});

/** What the control API (PUT /_simulator/guest/{vm}) may set; omitted keys keep their value. */
export const windowsUpdateControlSchema = z.object({
  pendingUpdates: z.array(simulatedUpdateSchema).max(200).optional(),
  installedUpdates: z.array(installedUpdateSchema).max(500).optional(),
  installedPrograms: z.array(installedProgramSchema).max(1000).optional(),
  /** Win32_PnPSignedDriver: device drivers with their versions (values over the script's limits are shortened by it). */
  installedDrivers: z.array(installedDriverSchema).max(1000).optional(),
  /** How long this guest's VM agent takes to report Ready after a boot (default 0: at once). */
  agentBootMs: z.number().int().min(0).max(600_000).optional(),
  /** Makes IUpdateSearcher.Search throw this HRESULT (e.g. "0x8024402C", no route to Windows Update); null clears it. */
  searchError: hresultSchema.nullable().optional(),
  /** The image's display language: update titles come back in it ("en-US", "ja-JP", "zh-CN", "ru-RU"). */
  language: z.enum(['en-US', 'ja-JP', 'zh-CN', 'ru-RU']).optional(),
});
export type WindowsUpdateControl = z.input<typeof windowsUpdateControlSchema>;

interface PendingUpdate extends z.infer<typeof simulatedUpdateSchema> {
  id: string;
  hiddenUntilRestart: boolean;
}

interface WindowsUpdateState {
  pending: PendingUpdate[];
  /** What Win32_QuickFixEngineering lists. */
  installedUpdates: Array<z.infer<typeof installedUpdateSchema>>;
  /** Windows Update's history of successful installations (QFE leaves out Defender's and drivers'). */
  updateHistory: Array<z.infer<typeof installedUpdateSchema>>;
  installedDrivers: Array<z.infer<typeof installedDriverSchema>>;
  installedPrograms: Array<z.infer<typeof installedProgramSchema>>;
  /** Restarts seen by this guest (ARM restart or a start from stopped). */
  boots: number;
  agentBootMs: number;
  searchError: number | null;
  language: Language;
}

type Language = NonNullable<WindowsUpdateControl['language']>;

export interface WindowsUpdateView {
  pendingUpdates: Array<z.infer<typeof simulatedUpdateSchema> & { offered: boolean }>;
  installedUpdates: WindowsUpdateState['installedUpdates'];
  updateHistory: WindowsUpdateState['updateHistory'];
  installedDrivers: WindowsUpdateState['installedDrivers'];
  installedPrograms: WindowsUpdateState['installedPrograms'];
  boots: number;
  agentBootMs: number;
  searchError: number | null;
  language: Language;
}

export interface ScriptAnswer extends GuestRun {
  /** Set when the script left a restart pending (the guest's restart flags follow it). */
  rebootPending?: boolean;
}

/** A small Windows 10 image, so an inventory always has something in it. */
const DEFAULT_PROGRAMS = [
  { name: 'Microsoft Edge', version: '127.0.2651.98', publisher: 'Microsoft Corporation' },
  { name: 'Microsoft Update Health Tools', version: '5.72.0.0', publisher: 'Microsoft Corporation' },
];

const SECURITY_CLASSES = new Set(['Security Updates', 'Critical Updates']);

/** IUpdateSearcher.Search with the script's criteria for `mode` (BrowseOnly=0 in every arm). */
function matchesMode(update: PendingUpdate, mode: string): boolean {
  if (update.browseOnly) return false;
  if (mode === 'security') return SECURITY_CLASSES.has(update.classification);
  if (mode === 'software') return update.classification !== 'Drivers';
  return true;
}

/** Why windows-update.ps1 leaves an update out ('' when it installs it), from its IncludeKbs and ExcludeKbs. */
function heldReason(update: PendingUpdate, included: readonly string[], excluded: readonly string[]): string {
  if (update.classification === 'Upgrades') return 'upgrade';
  if (excluded.includes(update.kb)) return 'excluded';
  if (update.browseOnly && !included.includes(update.kb)) return 'optional';
  return '';
}

/** Windows Update's words in each language, longest first (enough to make every title read as that language's). */
const TRANSLATIONS: Readonly<Record<Exclude<Language, 'en-US'>, ReadonlyArray<[RegExp, string]>>> = {
  'ja-JP': [
    [/Cumulative Update Preview/g, '累積更新プログラムのプレビュー'],
    [/Cumulative Update/g, '累積更新プログラム'],
    [/Security Update/g, 'セキュリティ更新プログラム'],
    [/Servicing Stack Update/g, 'サービス スタック更新プログラム'],
    [/Feature update to/g, '機能更新プログラム:'],
    [/Update/g, '更新プログラム'],
    [/x64-based Systems/g, 'x64 ベース システム'],
    [/Version/g, 'バージョン'],
    [/ for /g, ' 用 '],
  ],
  'zh-CN': [
    [/Cumulative Update Preview/g, '累积更新预览'],
    [/Cumulative Update/g, '累积更新'],
    [/Security Update/g, '安全更新'],
    [/Update/g, '更新'],
    [/x64-based Systems/g, '基于 x64 的系统'],
    [/Version/g, '版本'],
    [/ for /g, ' 适用于 '],
  ],
  'ru-RU': [
    [/Cumulative Update Preview/g, 'Предварительный просмотр накопительного обновления'],
    [/Cumulative Update/g, 'Накопительное обновление'],
    [/Security Update/g, 'Обновление безопасности'],
    [/Update/g, 'Обновление'],
    [/x64-based Systems/g, 'систем на базе процессоров x64'],
    [/Version/g, 'версии'],
    [/ for /g, ' для '],
  ],
};

function localized(title: string, language: Language): string {
  if (language === 'en-US') return title;
  return TRANSLATIONS[language].reduce((text, [english, local]) => text.replace(english, local), title).slice(0, 300);
}

/** fail-closed.ps1's Get-Shortened at the script's title limit. */
function shortened(title: string): string {
  return title.length > 120 ? `${title.slice(0, 119)}\u2026` : title;
}

const fits = (report: unknown) => Buffer.byteLength(resultLine(report).trimEnd(), 'utf8') < RESULT_LINE_BUDGET;

/** Appends items to `report[key]` one at a time while the line still fits, as the script's loops do. */
function fillWhileFits(report: Record<string, unknown>, key: string, items: readonly unknown[]): number {
  const listed: unknown[] = [];
  for (const item of items) {
    report[key] = [...listed, item];
    if (!fits(report)) break;
    listed.push(item);
  }
  report[key] = listed;
  return listed.length;
}

/** What PowerShell's COM interop puts on the exception it throws: its own HResult, not Windows Update's. */
const METHOD_INVOCATION_HRESULT = 0x80131501 | 0;
const WU_E_INSTALL_NOT_ALLOWED = 0x80240016 | 0;
const hex = (hresult: number) => `0x${(hresult >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;

const KB_LIST = /^$|^KB\d{5,8}(,KB\d{5,8}){0,49}$/;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** The param() blocks of the two scripts, as PowerShell binds them. */
const PARAMETERS: Record<string, Record<string, (value: string) => boolean>> = {
  [WINDOWS_UPDATE_MARKER]: {
    Action: (v) => ['search', 'install'].includes(v.toLowerCase()),
    Mode: (v) => ['security', 'software', 'drivers'].includes(v.toLowerCase()),
    UpdateId: (v) => v === '' || GUID.test(v),
    IncludeKbs: (v) => KB_LIST.test(v),
    ExcludeKbs: (v) => KB_LIST.test(v),
    Skip: (v) => /^\d+$/.test(v) && Number(v) <= 10000,
  },
  [INVENTORY_MARKER]: { Part: (v) => /^\d+$/.test(v) && Number(v) <= 63 },
};
const MANDATORY: Record<string, string[]> = { [WINDOWS_UPDATE_MARKER]: ['Action', 'Mode'], [INVENTORY_MARKER]: ['Part'] };

const INVENTORY_PART_SIZE = 3000;

/** PowerShell refusing the parameters before a line of the script runs: its error on stderr, no result line. */
function refused(message: string): ScriptAnswer {
  return { stdout: '', stderr: `${message}\r\n`, exitCode: 1 };
}

export class WindowsUpdateGuests {
  private readonly states = new Map<string, WindowsUpdateState>();

  private state(vmName: string): WindowsUpdateState {
    const key = vmName.toLowerCase();
    let state = this.states.get(key);
    if (!state) {
      state = { pending: [], installedUpdates: [], updateHistory: [], installedDrivers: [], installedPrograms: DEFAULT_PROGRAMS.map((p) => ({ ...p })), boots: 0, agentBootMs: 0, searchError: null, language: 'en-US' };
      this.states.set(key, state);
    }
    return state;
  }

  view(vmName: string): WindowsUpdateView {
    const s = this.state(vmName);
    return {
      pendingUpdates: s.pending.map(({ id: _id, hiddenUntilRestart, ...u }) => ({ ...u, offered: !hiddenUntilRestart })),
      installedUpdates: s.installedUpdates.map((u) => ({ ...u })),
      updateHistory: s.updateHistory.map((u) => ({ ...u })),
      installedDrivers: s.installedDrivers.map((d) => ({ ...d })),
      installedPrograms: s.installedPrograms.map((p) => ({ ...p })),
      boots: s.boots,
      agentBootMs: s.agentBootMs,
      searchError: s.searchError,
      language: s.language,
    };
  }

  update(vmName: string, input: WindowsUpdateControl): void {
    const changes = windowsUpdateControlSchema.parse(input);
    const s = this.state(vmName);
    if (changes.pendingUpdates) {
      s.pending = changes.pendingUpdates.map((u) => ({ ...u, id: randomUUID(), hiddenUntilRestart: u.appearsAfterRestart }));
    }
    if (changes.installedUpdates) s.installedUpdates = changes.installedUpdates.map((u) => ({ ...u }));
    if (changes.installedPrograms) s.installedPrograms = changes.installedPrograms.map((p) => ({ ...p }));
    if (changes.installedDrivers) s.installedDrivers = changes.installedDrivers.map((d) => ({ ...d }));
    if (changes.agentBootMs !== undefined) s.agentBootMs = changes.agentBootMs;
    if (changes.searchError !== undefined) s.searchError = changes.searchError;
    if (changes.language) s.language = changes.language;
  }

  agentBootMs(vmName: string): number {
    return this.state(vmName).agentBootMs;
  }

  /** A restart: follow-up updates are now offered. */
  boot(vmName: string): void {
    const s = this.state(vmName);
    s.boots += 1;
    for (const update of s.pending) update.hiddenUntilRestart = false;
  }

  /** Whether `script` is one of the two this module answers. */
  static handles(script: readonly string[]): boolean {
    const marker = script[0]?.trim() ?? '';
    return marker === WINDOWS_UPDATE_MARKER || marker === INVENTORY_MARKER;
  }

  /**
   * Runs one of the two scripts. `installBlocked`: another installation runs or a restart that
   * Windows Update did not ask for itself is pending, so IUpdateInstaller.Install throws 0x80240016.
   */
  run(vmName: string, script: readonly string[], parameters: Readonly<Record<string, string>>, installBlocked = false): ScriptAnswer {
    const marker = script[0]!.trim();
    const declared = PARAMETERS[marker]!;
    const values: Record<string, string> = {};
    for (const [name, value] of Object.entries(parameters)) {
      const param = Object.keys(declared).find((p) => p.toLowerCase() === name.toLowerCase());
      if (!param) return refused(`A parameter cannot be found that matches parameter name '${name}'.`);
      if (!declared[param]!(value)) return refused(`Cannot validate argument on parameter '${param}'. The argument "${value}" does not belong to the set or pattern the script allows.`);
      values[param] = value;
    }
    const missing = MANDATORY[marker]!.find((p) => values[p] === undefined);
    if (missing) return refused(`Cannot process command because of one or more missing mandatory parameters: ${missing}.`);
    if (marker === INVENTORY_MARKER) return this.inventory(vmName, Number(values.Part));
    const unwraps = script.some((line) => !line.trimStart().startsWith('#') && line.includes('.GetBaseException()'));
    return this.windowsUpdate(vmName, values, { installBlocked, hresultOf: (thrown) => (unwraps ? thrown : METHOD_INVOCATION_HRESULT) });
  }

  private windowsUpdate(vmName: string, values: Record<string, string>, com: { installBlocked: boolean; hresultOf: (thrown: number) => number }): ScriptAnswer {
    const s = this.state(vmName);
    const mode = values.Mode!.toLowerCase();
    const list = (value: string | undefined) => (value ?? '').split(',').filter(Boolean);
    const included = list(values.IncludeKbs);
    const excluded = list(values.ExcludeKbs);
    const title = (u: PendingUpdate) => shortened(localized(u.title, s.language));
    const offered = s.pending.filter((u) => !u.hiddenUntilRestart);
    if (values.Action!.toLowerCase() === 'search') {
      // What the script prints when Search throws: the HRESULT as a probe failure, exit 1, no result line.
      if (s.searchError !== null) return probeFailure('search', `HRESULT ${hex(com.hresultOf(s.searchError))} Exception from HRESULT: ${hex(s.searchError)}`);
      // The mode's search (BrowseOnly=0), then the optional updates' (BrowseOnly=1).
      const found = [...offered.filter((u) => matchesMode(u, mode)), ...offered.filter((u) => u.browseOnly)];
      const eligible = found.filter((u) => heldReason(u, included, excluded) === '').map((u) => ({ id: u.id, kb: u.kb, title: title(u) }));
      const held = found.flatMap((u) => {
        const reason = heldReason(u, included, excluded);
        return reason ? [{ kb: u.kb, title: title(u), reason }] : [];
      });
      const from = Number(values.Skip ?? '0');
      const report: Record<string, unknown> = { v: 2, action: 'search', mode, total: eligible.length, from, updates: [], heldTotal: held.length, held: [] };
      const listed = fillWhileFits(report, 'updates', eligible.slice(from));
      if (listed === 0 && from < eligible.length) return probeFailure('report', 'not even one update fits the Run Command output');
      fillWhileFits(report, 'held', held);
      return answered(report);
    }
    const id = (values.UpdateId ?? '').toLowerCase();
    if (id === '') return probeFailure('install', 'no UpdateId given');
    const update = offered.find((u) => u.id === id);
    if (!update) return probeFailure('install', `update ${id} is no longer offered`);
    const reason = heldReason(update, included, excluded);
    if (reason) return probeFailure('install', `update ${id} is not installed by this script (${reason})`);
    const report = { v: 1, action: 'install', id, kb: update.kb, title: title(update) };
    // IUpdateInstaller.Install throws WU_E_INSTALL_NOT_ALLOWED: the script reports it as orcFailed with the HRESULT it read.
    if (com.installBlocked) return answered({ ...report, resultCode: 4, hresult: com.hresultOf(WU_E_INSTALL_NOT_ALLOWED), rebootRequired: false });
    if (update.fails) {
      return answered({ ...report, resultCode: 4, hresult: update.hresult ?? DEFAULT_FAILURE_HRESULT, rebootRequired: false });
    }
    // A looping update reports installed and is offered again, as it was.
    if (!update.reappears) s.pending = s.pending.filter((u) => u !== update);
    const installedOn = new Date().toISOString().slice(0, 10);
    s.updateHistory.push({ kb: update.kb, installedOn });
    // Win32_QuickFixEngineering lists neither Defender's definition updates nor drivers.
    if (update.classification !== 'Definition Updates' && update.classification !== 'Drivers') s.installedUpdates.push({ kb: update.kb, installedOn });
    return { ...answered({ ...report, resultCode: 2, hresult: 0, rebootRequired: update.rebootRequired }), ...(update.rebootRequired ? { rebootPending: true } : {}) };
  }

  private inventory(vmName: string, part: number): ScriptAnswer {
    const s = this.state(vmName);
    const updates = new Map<string, string>();
    for (const u of [...s.installedUpdates, ...s.updateHistory]) if (!updates.has(u.kb)) updates.set(u.kb, u.installedOn);
    const cut = (value: string, limit: number) => (value.length > limit ? `${value.slice(0, limit - 1)}\u2026` : value);
    const json = JSON.stringify({
      updates: [...updates].map(([kb, installedOn]) => [kb, installedOn]),
      drivers: s.installedDrivers.map((d) => [cut(d.name, 400), cut(d.version, 100), cut(d.provider, 400)]),
      programs: s.installedPrograms.map((p) => [cut(p.name, 400), cut(p.version, 100), cut(p.publisher, 400)]),
    });
    const packed = gzipSync(Buffer.from(json, 'utf8'));
    const sha256 = createHash('sha256').update(packed).digest('hex');
    const data = packed.toString('base64');
    const parts = Math.max(1, Math.ceil(data.length / INVENTORY_PART_SIZE));
    if (parts > 64) return probeFailure('report', `too large to report (${data.length} characters packed)`);
    if (part >= parts) return probeFailure('report', `part ${part} asked for, but there are only ${parts}`);
    return answered({ v: 1, action: 'inventory', part, parts, sha256, data: data.slice(part * INVENTORY_PART_SIZE, (part + 1) * INVENTORY_PART_SIZE) });
  }
}
