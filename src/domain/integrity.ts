/**
 * The layer integrity check (DESIGN §5): what the script inside the packaging machine reports,
 * how its output is read, and what each blocking condition means to the admin. Pure: no I/O.
 *
 * The output is read strictly through the fail-closed contract of ./script-output.ts: anything
 * but exactly one JSON line of a known report version is "the check failed", a result of its
 * own. A layer must never be called clean because the check could not say otherwise.
 */
import { z } from 'zod';
import { readScriptOutput, versionedReader, type ScriptFailure, type ScriptOutput } from './script-output.js';

/** Where a RunOnce entry lives: HKLM's 64-bit or 32-bit (WOW6432Node) view, RunOnce or RunOnceEx. */
export const runOnceEntrySchema = z.strictObject({
  view: z.enum(['64', '32']),
  key: z.enum(['RunOnce', 'RunOnceEx']),
  name: z.string().min(1).max(260),
});
export type RunOnceEntry = z.infer<typeof runOnceEntrySchema>;

/**
 * The script's report, version 3, in the order the conditions are shown. Version 3 no longer
 * decides anything from the NGEN v4 scheduled tasks (VDI optimisation disables them while work is
 * queued, and nothing documents that Windows disables them once the queue is empty): their state
 * is a hint for the admin; Shutdown for Finalize drains NGen's queue before it checks.
 */
export const integrityReportSchema = z.strictObject({
  v: z.literal(3),
  /** A device on the boot path (storage controller, disk, volume) needs a restart (DN_NEED_RESTART or problem code 14). */
  driverRebootPending: z.boolean(),
  /** Any other device needs a restart. */
  deviceRestartPending: z.boolean(),
  /** Component Based Servicing's RebootPending key. */
  rebootPending: z.boolean(),
  /** Windows Update's Auto Update\RebootRequired key. */
  windowsUpdateRebootRequired: z.boolean(),
  /** The Windows Update agent's own answer (Microsoft.Update.SystemInfo RebootRequired). */
  updateAgentRebootRequired: z.boolean(),
  /** PendingFileRenameOperations outside spool\drivers. */
  fileRenamesPending: z.boolean(),
  /** ActiveComputerName differs from ComputerName. */
  computerRenamePending: z.boolean(),
  /** Netlogon's JoinDomain or AvoidSpnSet values. */
  domainJoinPending: z.boolean(),
  /** The Global\_MSIExecute mutex is held. */
  msiInProgress: z.boolean(),
  /** Windows Installer's InProgress key. */
  installerInProgress: z.boolean(),
  /** mscorsvw / ngen running, or the NGen service running. */
  ngenInProgress: z.boolean(),
  /** A hint, never a condition: the state of the ".NET Framework NGEN v4.0.30319" scheduled tasks. */
  ngenTasks: z.enum(['enabled', 'disabled', 'absent']),
  /** HKLM RunOnce / RunOnceEx entries, both registry views. */
  runOnce: z.array(runOnceEntrySchema).max(64),
  /** SCCM's SMSCFG.INI in the Windows folder. */
  smsCfgPresent: z.boolean(),
  /** Run Command started the check in 32-bit PowerShell and it re-launched itself as 64-bit (fail-closed.ps1). */
  startedAs32Bit: z.boolean(),
});

export type IntegrityReport = z.infer<typeof integrityReportSchema>;
export type IntegrityCondition = Exclude<keyof IntegrityReport, 'v' | 'ngenTasks' | 'startedAs32Bit'>;
export type Remedy = 'reboot' | 'expedite-ngen' | 'runonce';

export const INTEGRITY_CONDITIONS: readonly IntegrityCondition[] = [
  'driverRebootPending',
  'deviceRestartPending',
  'rebootPending',
  'windowsUpdateRebootRequired',
  'updateAgentRebootRequired',
  'fileRenamesPending',
  'computerRenamePending',
  'domainJoinPending',
  'msiInProgress',
  'installerInProgress',
  'ngenInProgress',
  'runOnce',
  'smsCfgPresent',
];

export type IntegrityResult =
  | { outcome: 'clean'; report: IntegrityReport; hints: string[] }
  | { outcome: 'blocked'; report: IntegrityReport; blocking: IntegrityCondition[]; hints: string[] }
  | ({ outcome: 'failed' } & ScriptFailure);

/** Only the versions this bot knows; a newer script's report is "the check failed". */
const readReport = versionedReader({ 3: integrityReportSchema });

function blocks(report: IntegrityReport, condition: IntegrityCondition): boolean {
  const value = report[condition];
  return Array.isArray(value) ? value.length > 0 : value === true;
}

/** Reads one run of the check. Never throws; never answers clean unless the output proves it. */
export function readIntegrityOutput(output: ScriptOutput): IntegrityResult {
  const reading = readScriptOutput(output, readReport);
  if (!reading.ok) return { outcome: 'failed', ...reading.failure };
  const report = reading.value;
  const blocking = INTEGRITY_CONDITIONS.filter((condition) => blocks(report, condition));
  const hints = integrityHints(report);
  return blocking.length === 0 ? { outcome: 'clean', report, hints } : { outcome: 'blocked', report, blocking, hints };
}

/** What the check saw that decides nothing but the admin should know, in plain words. */
export function integrityHints(report: Pick<IntegrityReport, 'ngenTasks' | 'startedAs32Bit'>): string[] {
  const hints: string[] = [];
  if (report.ngenTasks === 'disabled') {
    hints.push(".NET's NGen scheduled tasks are disabled (VDI optimisation scripts do this). That says nothing about NGen's queue: Shutdown for Finalize runs it (`ngen executeQueuedItems`) before it checks.");
  }
  if (report.startedAs32Bit) hints.push('Run Command started the check in 32-bit PowerShell; it re-launched itself as 64-bit, so it read the 64-bit registry and system folders.');
  return hints;
}

export interface ConditionAdvice {
  /** What is wrong and what to do, in plain words. */
  text: string;
  remedy?: Remedy;
}

const NEVER_REBOOT_NGEN = 'Do not restart the machine to stop it: an interrupted NGen run can leave .NET broken.';
const RESTART = 'Click Reboot machine, then Check again.';

/** Each blocking condition in the admin's words, with the button that clears it (if one can). */
export const CONDITION_ADVICE: Readonly<Record<IntegrityCondition, ConditionAdvice>> = {
  driverRebootPending: {
    text: `A driver on the boot disk's path (storage controller, disk or volume) was updated and only takes effect after a restart. ${RESTART}`,
    remedy: 'reboot',
  },
  deviceRestartPending: {
    text: `A device driver was installed or updated and Windows needs a restart before the device uses it. ${RESTART}`,
    remedy: 'reboot',
  },
  rebootPending: {
    text: `Windows servicing (an update, a feature or a role) is waiting for a restart to finish installing. ${RESTART}`,
    remedy: 'reboot',
  },
  windowsUpdateRebootRequired: {
    text: `Windows Update installed updates that need a restart. ${RESTART}`,
    remedy: 'reboot',
  },
  updateAgentRebootRequired: {
    text: `The Windows Update agent says the machine must restart. ${RESTART}`,
    remedy: 'reboot',
  },
  fileRenamesPending: {
    text: `An installer left files to be replaced at the next restart. ${RESTART}`,
    remedy: 'reboot',
  },
  computerRenamePending: {
    text: `The computer was renamed and the new name only takes effect after a restart. ${RESTART}`,
    remedy: 'reboot',
  },
  domainJoinPending: {
    text: `The machine joined or left a domain and needs a restart to finish. ${RESTART}`,
    remedy: 'reboot',
  },
  msiInProgress: {
    text: 'A Windows Installer (MSI) package is installing right now. Let it finish (look for an installer window on the machine), then click Check again.',
  },
  installerInProgress: {
    text: 'Windows Installer has an installation marked as in progress (it was interrupted or is still running). Finish or roll it back on the machine, then click Check again.',
  },
  ngenInProgress: {
    text: `.NET is compiling native images (NGen) in the background. Wait for it to finish, or click Expedite NGen to run it in the foreground. ${NEVER_REBOOT_NGEN}`,
    remedy: 'expedite-ngen',
  },
  runOnce: {
    text: 'Commands are registered to run once at the next start (HKLM RunOnce) and have not run. Nobody signs in to this machine, so a restart alone may not run them: run them once now (as SYSTEM, not at a user\'s logon), or remove them.',
    remedy: 'runonce',
  },
  smsCfgPresent: {
    text: "The Configuration Manager (SCCM) client's identity file SMSCFG.INI is still on the machine; every desktop built from this layer would share it. Remove the SCCM client's identity before finalizing, then click Check again.",
  },
};

/** Advice for stored condition keys, skipping any this version of the bot does not know. */
export function adviceFor(conditions: readonly string[]): ConditionAdvice[] {
  // A result stored by an earlier release may name a condition this one no longer reports (report
  // v2's ngenQueued): it still blocked, so it is shown, never dropped.
  return conditions.map((key) =>
    Object.hasOwn(CONDITION_ADVICE, key)
      ? CONDITION_ADVICE[key as IntegrityCondition]
      : { text: `An earlier check reported "${key}", which this release no longer checks the same way. Click Check again for a current result.` },
  );
}
