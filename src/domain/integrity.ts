/**
 * The layer integrity check (DESIGN §5): what the script inside the packaging machine reports,
 * how its output is read, and what each blocking condition means to the admin. Pure: no I/O.
 *
 * The output is read strictly. Anything but exactly one JSON line of the expected shape is
 * "the check failed", a result of its own: a layer must never be called clean because the
 * check could not say otherwise.
 */
import { z } from 'zod';

/** The script's report, in the order the conditions are shown. */
export const integrityReportSchema = z.strictObject({
  v: z.literal(1),
  driverRebootPending: z.boolean(),
  rebootPending: z.boolean(),
  msiInProgress: z.boolean(),
  ngenInProgress: z.boolean(),
  ngenQueued: z.boolean(),
  runOnceOutstanding: z.boolean(),
  smsCfgPresent: z.boolean(),
});

export type IntegrityReport = z.infer<typeof integrityReportSchema>;
export type IntegrityCondition = Exclude<keyof IntegrityReport, 'v'>;
export type Remedy = 'reboot' | 'expedite-ngen';

export const INTEGRITY_CONDITIONS: readonly IntegrityCondition[] = [
  'driverRebootPending',
  'rebootPending',
  'msiInProgress',
  'ngenInProgress',
  'ngenQueued',
  'runOnceOutstanding',
  'smsCfgPresent',
];

export type IntegrityResult =
  | { outcome: 'clean'; report: IntegrityReport }
  | { outcome: 'blocked'; report: IntegrityReport; blocking: IntegrityCondition[] }
  | { outcome: 'failed'; reason: string };

/** Run Command keeps at most this much of a stream; output that reaches it may have been cut. */
export const RUN_COMMAND_OUTPUT_LIMIT = 4096;

/** Reads the script's stdout. Never throws; never answers clean unless the output proves it. */
export function readIntegrityOutput(stdout: string): IntegrityResult {
  if (Buffer.byteLength(stdout, 'utf8') >= RUN_COMMAND_OUTPUT_LIMIT) {
    return { outcome: 'failed', reason: 'its output was cut off at the Run Command limit' };
  }
  // PowerShell ends its output with CRLF; nothing else may surround the line.
  const lines = stdout.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines.length === 0) return { outcome: 'failed', reason: 'it printed nothing' };
  if (lines.length > 1) return { outcome: 'failed', reason: 'it printed more than the one line of results' };
  let json: unknown;
  try {
    json = JSON.parse(lines[0]!);
  } catch {
    return { outcome: 'failed', reason: 'its output was not readable (incomplete or garbled)' };
  }
  const parsed = integrityReportSchema.safeParse(json);
  if (!parsed.success) {
    const wrongVersion = typeof json === 'object' && json !== null && 'v' in json && (json as { v: unknown }).v !== 1;
    return { outcome: 'failed', reason: wrongVersion ? 'it reported in a format this bot does not know' : 'its results were incomplete or had unexpected fields' };
  }
  const report = parsed.data;
  const blocking = INTEGRITY_CONDITIONS.filter((condition) => report[condition]);
  return blocking.length === 0 ? { outcome: 'clean', report } : { outcome: 'blocked', report, blocking };
}

export interface ConditionAdvice {
  /** What is wrong and what to do, in plain words. */
  text: string;
  remedy?: Remedy;
}

const NEVER_REBOOT_NGEN = 'Do not restart the machine to stop it: an interrupted NGen run can leave .NET broken.';

/** Each blocking condition in the admin's words, with the button that helps (if any). */
export const CONDITION_ADVICE: Readonly<Record<IntegrityCondition, ConditionAdvice>> = {
  driverRebootPending: {
    text: 'Drivers on the boot disk were updated and only take effect after a restart. Restart the packaging machine.',
    remedy: 'reboot',
  },
  rebootPending: {
    text: 'Something that was installed (an update or an application) is waiting for a restart to finish. Restart the packaging machine.',
    remedy: 'reboot',
  },
  msiInProgress: {
    text: 'A Windows Installer (MSI) package is still installing. Let it finish (look for an installer window on the machine), then check again.',
  },
  ngenInProgress: {
    text: `.NET is compiling native images (NGen) in the background. Wait for it to finish, or click Expedite NGen to run it in the foreground. ${NEVER_REBOOT_NGEN}`,
    remedy: 'expedite-ngen',
  },
  ngenQueued: {
    text: `.NET has native image (NGen) work queued that has not run yet. Click Expedite NGen to run it now, or wait for Windows to get to it. ${NEVER_REBOOT_NGEN}`,
    remedy: 'expedite-ngen',
  },
  runOnceOutstanding: {
    text: 'Commands are registered to run once at the next sign-in or start (RunOnce) and have not run yet. Sign in to the machine, or restart it, so they run.',
    remedy: 'reboot',
  },
  smsCfgPresent: {
    text: "The Configuration Manager (SCCM) client's identity file SMSCFG.INI is still on the machine; every desktop built from this layer would share it. Remove the SCCM client's identity before finalizing.",
  },
};

/** Advice for stored condition keys, skipping any this version of the bot does not know. */
export function adviceFor(conditions: readonly string[]): ConditionAdvice[] {
  return conditions.flatMap((key) => (Object.hasOwn(CONDITION_ADVICE, key) ? [CONDITION_ADVICE[key as IntegrityCondition]] : []));
}
