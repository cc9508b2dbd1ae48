/**
 * The simulated guest's Windows Update and installed software, for the update and inventory
 * scripts (src/azure/scripts/windows-update.ps1, inventory.ps1). It answers as those scripts
 * would on Windows, and refuses as PowerShell would: a parameter the script does not declare,
 * or a value its ValidateSet/ValidatePattern/ValidateRange rejects, ends the run with the
 * error on stderr and no result line.
 *
 * Sources: the Windows Update Agent API (IUpdateSearcher.Search criteria — an installed update
 * is no longer returned by IsInstalled=0; IUpdateInstallationResult.ResultCode is an
 * OperationResultCode, 2 Succeeded, 4 Failed; RebootRequired; HResult), and "Run scripts in
 * your Windows VM by using action Run Command" (parameters are passed as named script parameters).
 */
import { createHash, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { z } from 'zod';
import { answered, probeFailure, type GuestRun } from './script-lines.js';

export const WINDOWS_UPDATE_MARKER = '# oslayer:windows-update';
export const INVENTORY_MARKER = '# oslayer:inventory';

const hresultSchema = z.union([z.number().int(), z.string().regex(/^0x[0-9a-fA-F]{1,8}$/).transform((hex) => Number.parseInt(hex, 16) | 0)]);

/** ERROR_INSTALL_FAILURE as an HRESULT: what a failing MSI-based update usually reports. */
const DEFAULT_FAILURE_HRESULT = 0x80070643 | 0;

export const simulatedUpdateSchema = z.strictObject({
  kb: z.string().regex(/^KB\d{5,8}$/),
  title: z.string().min(1).max(300),
  /** WSUS classification; "Drivers" is Type='Driver', everything else Type='Software'. */
  classification: z.enum(['Security Updates', 'Critical Updates', 'Updates', 'Update Rollups', 'Feature Packs', 'Service Packs', 'Definition Updates', 'Drivers']),
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

export const installedUpdateSchema = z.strictObject({
  kb: z.string().regex(/^KB\d{5,8}$/),
  installedOn: z.string().regex(/^(\d{4}-\d{2}-\d{2})?$/),
});

/** What the control API (PUT /_simulator/guest/{vm}) may set; omitted keys keep their value. */
export const windowsUpdateControlSchema = z.object({
  pendingUpdates: z.array(simulatedUpdateSchema).max(200).optional(),
  installedUpdates: z.array(installedUpdateSchema).max(500).optional(),
  installedPrograms: z.array(installedProgramSchema).max(1000).optional(),
  /** How long this guest's VM agent takes to report Ready after a boot (default 0: at once). */
  agentBootMs: z.number().int().min(0).max(600_000).optional(),
  /** Makes IUpdateSearcher.Search throw this HRESULT (e.g. "0x8024402C", no route to Windows Update); null clears it. */
  searchError: hresultSchema.nullable().optional(),
});
export type WindowsUpdateControl = z.input<typeof windowsUpdateControlSchema>;

interface PendingUpdate extends z.infer<typeof simulatedUpdateSchema> {
  id: string;
  hiddenUntilRestart: boolean;
}

interface WindowsUpdateState {
  pending: PendingUpdate[];
  installedUpdates: Array<z.infer<typeof installedUpdateSchema>>;
  installedPrograms: Array<z.infer<typeof installedProgramSchema>>;
  /** Restarts seen by this guest (ARM restart or a start from stopped). */
  boots: number;
  agentBootMs: number;
  searchError: number | null;
}

export interface WindowsUpdateView {
  pendingUpdates: Array<z.infer<typeof simulatedUpdateSchema> & { offered: boolean }>;
  installedUpdates: WindowsUpdateState['installedUpdates'];
  installedPrograms: WindowsUpdateState['installedPrograms'];
  boots: number;
  agentBootMs: number;
  searchError: number | null;
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

/** IUpdateSearcher.Search with the script's criteria for `mode`. */
function matchesMode(update: PendingUpdate, mode: string): boolean {
  if (mode === 'security') return SECURITY_CLASSES.has(update.classification);
  if (mode === 'software') return update.classification !== 'Drivers';
  return true;
}

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** The param() blocks of the two scripts, as PowerShell binds them. */
const PARAMETERS: Record<string, Record<string, (value: string) => boolean>> = {
  [WINDOWS_UPDATE_MARKER]: {
    Action: (v) => ['search', 'install'].includes(v.toLowerCase()),
    Mode: (v) => ['security', 'software', 'drivers'].includes(v.toLowerCase()),
    UpdateId: (v) => v === '' || GUID.test(v),
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
      state = { pending: [], installedUpdates: [], installedPrograms: DEFAULT_PROGRAMS.map((p) => ({ ...p })), boots: 0, agentBootMs: 0, searchError: null };
      this.states.set(key, state);
    }
    return state;
  }

  view(vmName: string): WindowsUpdateView {
    const s = this.state(vmName);
    return {
      pendingUpdates: s.pending.map(({ id: _id, hiddenUntilRestart, ...u }) => ({ ...u, offered: !hiddenUntilRestart })),
      installedUpdates: s.installedUpdates.map((u) => ({ ...u })),
      installedPrograms: s.installedPrograms.map((p) => ({ ...p })),
      boots: s.boots,
      agentBootMs: s.agentBootMs,
      searchError: s.searchError,
    };
  }

  update(vmName: string, changes: z.infer<typeof windowsUpdateControlSchema>): void {
    const s = this.state(vmName);
    if (changes.pendingUpdates) {
      s.pending = changes.pendingUpdates.map((u) => ({ ...u, id: randomUUID(), hiddenUntilRestart: u.appearsAfterRestart }));
    }
    if (changes.installedUpdates) s.installedUpdates = changes.installedUpdates.map((u) => ({ ...u }));
    if (changes.installedPrograms) s.installedPrograms = changes.installedPrograms.map((p) => ({ ...p }));
    if (changes.agentBootMs !== undefined) s.agentBootMs = changes.agentBootMs;
    if (changes.searchError !== undefined) s.searchError = changes.searchError;
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

  run(vmName: string, script: readonly string[], parameters: Readonly<Record<string, string>>): ScriptAnswer {
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
    return marker === INVENTORY_MARKER ? this.inventory(vmName, Number(values.Part)) : this.windowsUpdate(vmName, values);
  }

  private windowsUpdate(vmName: string, values: Record<string, string>): ScriptAnswer {
    const s = this.state(vmName);
    const mode = values.Mode!.toLowerCase();
    if (values.Action!.toLowerCase() === 'search') {
      // What the script prints when Search throws: the HRESULT as a probe failure, exit 1, no result line.
      if (s.searchError !== null) return probeFailure('search', `HRESULT 0x${(s.searchError >>> 0).toString(16).toUpperCase().padStart(8, '0')} Exception from HRESULT`);
      const applicable = s.pending.filter((u) => !u.hiddenUntilRestart && matchesMode(u, mode));
      const updates = applicable.slice(0, 15).map((u) => ({ id: u.id, kb: u.kb, title: u.title.length > 120 ? `${u.title.slice(0, 119)}…` : u.title }));
      return answered({ v: 1, action: 'search', mode, total: applicable.length, updates });
    }
    const id = (values.UpdateId ?? '').toLowerCase();
    if (id === '') return probeFailure('install', 'no UpdateId given');
    const update = s.pending.find((u) => u.id === id && !u.hiddenUntilRestart);
    if (!update) return probeFailure('install', `update ${id} is no longer offered`);
    const report = { v: 1, action: 'install', id, kb: update.kb, title: update.title.length > 120 ? `${update.title.slice(0, 119)}…` : update.title };
    if (update.fails) {
      return answered({ ...report, resultCode: 4, hresult: update.hresult ?? DEFAULT_FAILURE_HRESULT, rebootRequired: false });
    }
    s.pending = s.pending.filter((u) => u !== update);
    s.installedUpdates.push({ kb: update.kb, installedOn: new Date().toISOString().slice(0, 10) });
    return { ...answered({ ...report, resultCode: 2, hresult: 0, rebootRequired: update.rebootRequired }), ...(update.rebootRequired ? { rebootPending: true } : {}) };
  }

  private inventory(vmName: string, part: number): ScriptAnswer {
    const s = this.state(vmName);
    const json = JSON.stringify({
      updates: s.installedUpdates.map((u) => [u.kb, u.installedOn]),
      programs: s.installedPrograms.map((p) => [p.name, p.version, p.publisher]),
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
