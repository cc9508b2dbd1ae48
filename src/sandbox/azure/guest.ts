import { z } from 'zod';
import { runOnceEntrySchema, type RunOnceEntry } from '../../domain/integrity.js';
import { answered, probeFailure, type GuestRun } from './script-lines.js';
import { WindowsUpdateGuests, windowsUpdateControlSchema, type WindowsUpdateControl, type WindowsUpdateView } from './windows-update.js';

/**
 * The probes of src/azure/scripts/integrity-check.ps1 (with fail-closed.ps1), by the names it reports on stderr when
 * one cannot answer (a unit test keeps the two lists equal).
 */
export const INTEGRITY_PROBES = [
  'architecture',
  'registry',
  'devices',
  'servicing',
  'windows-update',
  'update-agent',
  'file-renames',
  'computer-name',
  'domain-join',
  'msi-mutex',
  'installer-key',
  'ngen-processes',
  'ngen-tasks',
  'runonce',
  'smscfg',
  'report',
] as const;

/** What the layer integrity check looks for inside the packaging machine (DESIGN §5), and how the simulated script misbehaves. */
export const guestFlagsSchema = z.strictObject({
  driverRebootPending: z.boolean(),
  deviceRestartPending: z.boolean(),
  rebootPending: z.boolean(),
  windowsUpdateRebootRequired: z.boolean(),
  updateAgentRebootRequired: z.boolean(),
  fileRenamesPending: z.boolean(),
  computerRenamePending: z.boolean(),
  domainJoinPending: z.boolean(),
  msiInProgress: z.boolean(),
  installerInProgress: z.boolean(),
  ngenInProgress: z.boolean(),
  /** .NET has native image work queued (only `ngen executeQueuedItems` empties it). */
  ngenQueued: z.boolean(),
  /** The NGEN v4 scheduled tasks are disabled (VDI optimisation scripts do it) whether or not work is queued. */
  ngenTasksDisabled: z.boolean(),
  /** Run Command starts the scripts in 32-bit PowerShell: a script that does not re-launch itself as 64-bit fails its architecture probe. */
  powershell32bit: z.boolean(),
  /** HKLM RunOnce / RunOnceEx entries, with the command each would run. */
  runOnce: z.array(runOnceEntrySchema.extend({ command: z.string().max(500).default('cmd /c exit 0') })).max(64),
  smsCfgPresent: z.boolean(),
  /** The NGen work outlasts the Expedite NGen script's time budget: it reports NGen still running. */
  ngenOutlastsBudget: z.boolean(),
  /** The named probe of the check throws: the script writes its error to stderr, prints no result, exits 1. */
  failProbe: z.enum(INTEGRITY_PROBES).nullable(),
  /** A `WARNING:` line reaches stdout before the result. */
  emitWarning: z.boolean(),
  /** The output starts with a UTF-8 byte order mark. */
  bom: z.boolean(),
});

export type GuestFlags = z.infer<typeof guestFlagsSchema>;
/** What the control API accepts: any subset of the flags (RunOnce commands may be left out). */
export const guestChangesSchema = guestFlagsSchema.partial();
export type GuestChanges = z.input<typeof guestChangesSchema>;

/** PUT /_simulator/guest/{vm}: any of the flags, plus Windows Update and installed software. */
export const guestControlSchema = guestChangesSchema.extend(windowsUpdateControlSchema.shape);
export type GuestControl = GuestChanges & WindowsUpdateControl;
export type GuestView = GuestFlags & WindowsUpdateView;

/** A guest with nothing pending and no misbehaviour: what a new VM starts as. */
export const CLEAN_GUEST: Readonly<GuestFlags> = {
  driverRebootPending: false,
  deviceRestartPending: false,
  rebootPending: false,
  windowsUpdateRebootRequired: false,
  updateAgentRebootRequired: false,
  fileRenamesPending: false,
  computerRenamePending: false,
  domainJoinPending: false,
  msiInProgress: false,
  installerInProgress: false,
  ngenInProgress: false,
  ngenQueued: false,
  ngenTasksDisabled: false,
  powershell32bit: false,
  runOnce: [],
  smsCfgPresent: false,
  ngenOutlastsBudget: false,
  failProbe: null,
  emitWarning: false,
  bom: false,
};

/**
 * The report the integrity check prints for a guest with `flags`: its conditions, without the
 * simulator's own knobs. The check cannot see NGen's queue: the NGEN v4 tasks are enabled, as on a
 * new image, unless something disabled them (VDI optimisation), whatever is queued.
 */
export function integrityReportOf(flags: GuestFlags) {
  const { failProbe: _probe, emitWarning: _warning, bom: _bom, ngenOutlastsBudget: _budget, ngenQueued: _queued, ngenTasksDisabled, powershell32bit, runOnce, ...conditions } = flags;
  const { smsCfgPresent, ...before } = conditions;
  return {
    v: 3 as const,
    ...before,
    ngenTasks: ngenTasksDisabled ? ('disabled' as const) : ('enabled' as const),
    runOnce: runOnce.map(({ view, key, name }) => ({ view, key, name })),
    smsCfgPresent,
    startedAs32Bit: powershell32bit,
  };
}

/** fail-closed.ps1's re-launch: a script that carries it runs as 64-bit from a 32-bit start. */
const RELAUNCH_64 = 'sysnative\\WindowsPowerShell\\v1.0\\powershell.exe';

/** Conditions a restart clears; NGen, MSI, RunOnce (nobody signs in) and SMSCFG.INI are not boot-bound. */
const CLEARED_BY_BOOT = [
  'driverRebootPending',
  'deviceRestartPending',
  'rebootPending',
  'windowsUpdateRebootRequired',
  'updateAgentRebootRequired',
  'fileRenamesPending',
  'computerRenamePending',
  'domainJoinPending',
] as const;

/** Scripts announce what they are on their first line; the guest only understands these. */
const MARKERS = {
  check: '# oslayer:integrity-check',
  ngen: '# oslayer:expedite-ngen',
  runOnce: '# oslayer:runonce',
} as const;

const PROBE_ERRORS: Readonly<Record<(typeof INTEGRITY_PROBES)[number], string>> = {
  architecture: 'the script runs in a 32-bit PowerShell and could not start the 64-bit one',
  registry: 'Requested registry access is not allowed.',
  devices: 'Get-PnpDevice : Generic failure',
  servicing: 'Requested registry access is not allowed.',
  'windows-update': 'Requested registry access is not allowed.',
  'update-agent': 'Retrieving the COM class factory for component with CLSID {C01B9BA0-BEA7-41BA-B604-D0A36F469133} failed due to the following error: 80070422.',
  'file-renames': 'Requested registry access is not allowed.',
  'computer-name': 'the computer name keys are missing',
  'domain-join': 'Requested registry access is not allowed.',
  'msi-mutex': "Access to the path 'Global\\_MSIExecute' is denied.",
  'installer-key': 'Requested registry access is not allowed.',
  'ngen-processes': 'Cannot open Service Control Manager on computer \'.\'. This operation might require other privileges.',
  'ngen-tasks': 'Get-ScheduledTask : The service cannot be started, either because it is disabled or because it has no enabled devices associated with it.',
  runonce: 'Requested registry access is not allowed.',
  smscfg: 'Access to the path is denied.',
  report: 'the result is too long for Run Command',
};

const NGEN_STEPS = ['Framework64\\v4.0.30319', 'Framework\\v4.0.30319', 'Framework64\\v2.0.50727', 'Framework\\v2.0.50727'];

/**
 * The simulated Windows guests, by VM name. Flags are kept per name, not per VM, so a test
 * can prepare a guest before the machine exists (the bot creates it under a known name).
 */
export class GuestRegistry {
  private readonly guests = new Map<string, GuestFlags>();
  readonly windowsUpdate = new WindowsUpdateGuests();
  /** What the control API set for each name itself, so the defaults never override it. */
  private readonly explicit = new Map<string, GuestControl>();
  private defaults: GuestControl = {};

  flags(vmName: string): GuestFlags {
    return structuredClone(this.guests.get(vmName.toLowerCase()) ?? CLEAN_GUEST);
  }

  update(vmName: string, changes: Partial<GuestFlags>): GuestFlags {
    const next = guestFlagsSchema.parse({ ...this.flags(vmName), ...changes });
    this.guests.set(vmName.toLowerCase(), next);
    return structuredClone(next);
  }

  /** The control API's view: flags, pending and installed updates, installed programs. */
  view(vmName: string): GuestView {
    return { ...this.flags(vmName), ...this.windowsUpdate.view(vmName) };
  }

  control(vmName: string, input: GuestControl): GuestView {
    const changes = guestControlSchema.parse(input);
    const { pendingUpdates, installedUpdates, installedPrograms, installedDrivers, agentBootMs, searchError, language, ...flags } = changes;
    this.update(vmName, flags);
    this.windowsUpdate.update(vmName, { pendingUpdates, installedUpdates, installedPrograms, installedDrivers, agentBootMs, searchError, language });
    this.explicit.set(vmName.toLowerCase(), { ...this.explicit.get(vmName.toLowerCase()), ...changes });
    return this.view(vmName);
  }

  /** PUT /_simulator/guest-defaults: the guest fields every VM created from now on starts with (replacing the last defaults; {} clears them). */
  setDefaults(input: GuestControl): GuestControl {
    this.defaults = guestControlSchema.parse(input);
    return structuredClone(this.defaults);
  }

  /** A VM was created under `vmName`: the defaults apply, then whatever was set for this name by itself. */
  created(vmName: string): void {
    const own = this.explicit.get(vmName.toLowerCase());
    if (Object.keys(this.defaults).length === 0) return;
    this.control(vmName, this.defaults);
    if (own) this.control(vmName, own);
    else this.explicit.delete(vmName.toLowerCase());
  }

  /** A boot finishes what was waiting for one, and offers the updates that only appear after it. */
  boot(vmName: string): void {
    this.update(vmName, Object.fromEntries(CLEARED_BY_BOOT.map((flag) => [flag, false])));
    this.windowsUpdate.boot(vmName);
  }

  /** Runs a RunPowerShellScript body with its parameters and answers what the guest would print. */
  runScript(vmName: string, script: readonly string[], parameters: Readonly<Record<string, string>> = {}): GuestRun {
    const flags = this.flags(vmName);
    // Started 32-bit, a script without fail-closed.ps1's re-launch stops at its architecture probe.
    if (flags.powershell32bit && !script.some((line) => line.includes(RELAUNCH_64))) return probeFailure('architecture', PROBE_ERRORS.architecture);
    if (WindowsUpdateGuests.handles(script)) {
      // Another installation runs, or a restart that Windows Update did not ask for itself is pending (servicing, an MSI).
      const installBlocked = flags.msiInProgress || flags.installerInProgress || (flags.rebootPending && !flags.windowsUpdateRebootRequired);
      const { rebootPending, ...answer } = this.windowsUpdate.run(vmName, script, parameters, installBlocked);
      // An installed update that needs a restart leaves both the servicing stack's and Windows Update's flag.
      if (rebootPending) this.update(vmName, { rebootPending: true, windowsUpdateRebootRequired: true });
      return answer;
    }
    const marker = script[0]?.trim() ?? '';
    if (marker === MARKERS.check) return this.integrityCheck(vmName);
    if (marker === MARKERS.ngen) return this.expediteNgen(vmName, parameters.Mode ?? 'queued');
    if (marker === MARKERS.runOnce) return this.runOnce(vmName, parameters.Action ?? '', parameters.Entries ?? '');
    return { stdout: '', stderr: '', exitCode: 0 };
  }

  private integrityCheck(vmName: string): GuestRun {
    const flags = this.flags(vmName);
    const { failProbe, emitWarning, bom } = flags;
    if (failProbe) return probeFailure(failProbe, PROBE_ERRORS[failProbe]);
    const answer = answered(integrityReportOf(flags));
    if (answer.exitCode !== 0) return answer;
    const warning = emitWarning ? 'WARNING: The names of some imported commands from the module include unapproved verbs.\r\n' : '';
    return { ...answer, stdout: `${bom ? '\uFEFF' : ''}${warning}${answer.stdout}` };
  }

  private expediteNgen(vmName: string, mode: string): GuestRun {
    if (mode !== 'queued' && mode !== 'update-force') return probeFailure('mode', 'Mode must be queued or update-force');
    const steps = NGEN_STEPS.map((step) => `${step} executeQueuedItems`);
    if (mode === 'update-force') steps.push(...NGEN_STEPS.map((step) => `${step} update /force`));
    if (this.flags(vmName).ngenOutlastsBudget) {
      // ngen keeps compiling (mscorsvw runs) after the script stops waiting for it.
      this.update(vmName, { ngenInProgress: true });
      return answered({ v: 1, finished: false, running: steps[0], ran: [] });
    }
    this.update(vmName, { ngenInProgress: false, ngenQueued: false });
    return answered({ v: 1, finished: true, running: null, ran: steps });
  }

  private runOnce(vmName: string, action: string, entriesBase64: string): GuestRun {
    if (action !== 'run' && action !== 'remove') return probeFailure('parameters', 'Action must be run or remove');
    let requested: RunOnceEntry[];
    try {
      const parameter = z.strictObject({ entries: z.array(runOnceEntrySchema).min(1) });
      requested = parameter.parse(JSON.parse(Buffer.from(entriesBase64, 'base64').toString('utf8'))).entries;
    } catch {
      return probeFailure('parameters', 'an entry is not a RunOnce or RunOnceEx entry of HKLM');
    }
    const present = this.flags(vmName).runOnce;
    const same = (a: RunOnceEntry, b: RunOnceEntry) => a.view === b.view && a.key === b.key && a.name.toLowerCase() === b.name.toLowerCase();
    const results = requested.map((entry) => {
      const found = present.some((p) => same(p, entry));
      const outcome = !found ? 'missing' : action === 'remove' ? 'removed' : 'ran';
      return { ...entry, outcome, exitCode: outcome === 'ran' ? 0 : null };
    });
    this.update(vmName, { runOnce: present.filter((p) => !requested.some((entry) => same(p, entry))) });
    return answered({ v: 1, results });
  }
}
