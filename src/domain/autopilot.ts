/**
 * Autopilot: a layer's monthly version built, updated, checked, finalized and published to the
 * gallery with nobody clicking, up to the approval request. This module is the contract between
 * the schedule (when a run starts: views/autopilot.ts, the autopilot commands, the repeatable job)
 * and the run (what a run does: src/workflow/autopilot-run.ts).
 */
import { z } from 'zod';
import type { ApprovalPolicy } from './model.js';
import type { Mrkdwn } from '../../views/blocks.js';
import { galleryVersionName } from './gallery.js';
import { CONDITION_ADVICE, type IntegrityCondition } from './integrity.js';
import { updateModeSchema } from './windows-update.js';

/** When runs start: Patch Tuesday (second Tuesday of the month) plus some days, or a cron expression. */
export const autopilotTimingSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('patch-tuesday'),
    /** Days after Patch Tuesday; at most 14, so the run stays in the month of its Patch Tuesday. */
    offsetDays: z.number().int().min(0).max(14),
    /** Local time of day in the schedule's time zone, 24-hour `HH:MM`. */
    time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/),
  }),
  z.object({ kind: z.literal('cron'), expression: z.string().min(1).max(120) }),
]);
export type AutopilotTiming = z.infer<typeof autopilotTimingSchema>;

/** What a run does, whoever started it. */
export const autopilotPolicySchema = z.object({
  updateMode: updateModeSchema,
  /** KB numbers never installed by a run (the layer's Exclude KBs list is used as well). */
  excludeKbs: z.array(z.string().regex(/^KB\d{6,8}$/)).max(100),
  /** The longest a run may take, from its start to the approval request; past it the run stops. */
  maxRunMinutes: z.number().int().min(30).max(24 * 60),
  /** Where the run's task message and thread go. */
  channelId: z.string().min(1),
  /** Who may make the run's image version latest (the gallery's rule). */
  approval: z.enum(['two-person', 'single']) satisfies z.ZodType<ApprovalPolicy>,
});
export type AutopilotPolicy = z.infer<typeof autopilotPolicySchema>;

export const autopilotScheduleSchema = z.object({
  layerId: z.string().min(1),
  enabled: z.boolean(),
  timing: autopilotTimingSchema,
  /** An IANA time zone (`Europe/Berlin`): every schedule has one, so DST moves nothing by surprise. */
  timeZone: z.string().min(1),
  policy: autopilotPolicySchema,
  updatedBy: z.string().min(1),
  updatedAt: z.date(),
});
export type AutopilotSchedule = z.infer<typeof autopilotScheduleSchema>;

/** Who or what started a run: the schedule, or a person (Run now, `/oslayer autopilot run-now`). */
export type AutopilotTrigger = { kind: 'schedule'; scheduledFor: Date } | { kind: 'run-now'; userId: string };

/** The user id the bot's own steps are recorded under ("by autopilot" in the thread and the audit log). */
export const AUTOPILOT_ACTOR = 'autopilot';

/** A layer's schedule as stored: one per layer, its id the layer's. */
export type AutopilotScheduleRecord = AutopilotSchedule & { _id: string };

/**
 * One run. `open` from its start until it ends awaiting approval or is cancelled; a stopped run
 * stays open (its machine kept) until a person retries or cancels it, so the layer gets no second run.
 */
export interface AutopilotRun {
  _id: string;
  layerId: string;
  trigger: AutopilotTrigger;
  /** The policy as it was when the run started: editing the schedule later changes the next run only. */
  policy: AutopilotPolicy;
  open: boolean;
  startedAt: Date;
  /** startedAt + policy.maxRunMinutes. */
  deadline: Date;
  /** The task the run created, once it has. */
  taskId?: string;
  /** The version's name, chosen (and stored) before the version is created, so a rerun creates no second one. */
  versionName?: string;
  versionId?: string;
  /** The step under way, or the one it stopped at: a rerun or Retry resumes here. */
  step?: AutopilotStep;
  /** The update run the install step started; a rerun continues it, a Retry starts a new one. */
  updateRunId?: string;
  /** Set when the run stopped (its machine kept) until a person retries or cancels it. */
  stoppedAt?: Date;
  /** Why it stopped, as the thread said it (guest and Azure text escaped). */
  failure?: { step: AutopilotStep; reason: Mrkdwn };
  /** How it ended once no longer open. */
  outcome?: 'awaiting-approval' | 'finalized' | 'cancelled';
  endedAt?: Date;
}

/** What a run does, in order; each is skipped when the version is already past it. */
export const AUTOPILOT_STEPS = ['create-version', 'publish', 'deploy', 'wait-for-agent', 'install-updates', 'integrity', 'shutdown', 'finalize'] as const;
export type AutopilotStep = (typeof AUTOPILOT_STEPS)[number];

/** Each step as the thread and the Retry button name it. */
export const AUTOPILOT_STEP_LABEL: Readonly<Record<AutopilotStep, string>> = {
  'create-version': 'Create version',
  publish: 'Publish',
  deploy: 'Deploy the packaging machine',
  'wait-for-agent': 'Wait for the VM agent',
  'install-updates': 'Install updates',
  integrity: 'Integrity check',
  shutdown: 'Shutdown for Finalize',
  finalize: 'Finalize',
};

/** The steps from `step` on. */
export function stepsFrom(step: AutopilotStep | undefined): AutopilotStep[] {
  return AUTOPILOT_STEPS.slice(step ? AUTOPILOT_STEPS.indexOf(step) : 0);
}

/**
 * The remedy a run applies by itself to a blocking condition, or none: a restart and Expedite NGen
 * are safe; RunOnce entries (they run someone's commands), a pending domain join (a domain's
 * business), installers under way and the SCCM identity need a person.
 */
export function autopilotRemedy(condition: string): 'reboot' | 'expedite-ngen' | undefined {
  if (!Object.hasOwn(CONDITION_ADVICE, condition) || NEEDS_A_PERSON.has(condition as IntegrityCondition)) return undefined;
  const remedy = CONDITION_ADVICE[condition as IntegrityCondition].remedy;
  return remedy === 'reboot' || remedy === 'expedite-ngen' ? remedy : undefined;
}
const NEEDS_A_PERSON: ReadonlySet<IntegrityCondition> = new Set(['domainJoinPending', 'runOnce']);

/**
 * Conditions under which the machine must be left running when a run stops: something is still
 * working inside it, and a deallocation would cut it off.
 */
export const WORK_IN_PROGRESS: ReadonlySet<string> = new Set(['ngenInProgress', 'msiInProgress', 'installerInProgress']);

/**
 * The version name of a run started at `at`: the month (`2026-12`), else the day (`2026-12-08`),
 * else the day with a counter; never a name the layer has, nor (with a gallery) one whose image
 * version name another version of the layer maps to. Null when all are taken.
 */
export function autopilotVersionName(at: Date, timeZone: string, taken: readonly string[], gallery: boolean): string | null {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(at).map((p) => [p.type, p.value]));
  const month = `${parts['year']}-${parts['month']}`;
  const day = `${month}-${parts['day']}`;
  const names = new Set(taken.map((n) => n.toLowerCase()));
  const images = new Set(taken.flatMap((n) => {
    const image = galleryVersionName(n);
    return image.ok ? [image.value] : [];
  }));
  const candidates = [month, day, ...Array.from({ length: 8 }, (_, i) => `${day}-${i + 2}`)];
  return (
    candidates.find((name) => {
      if (names.has(name.toLowerCase())) return false;
      const image = galleryVersionName(name);
      return !gallery || (image.ok && !images.has(image.value));
    }) ?? null
  );
}
