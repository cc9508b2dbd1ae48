/**
 * Autopilot: a layer's monthly version built, updated, checked, finalized and published to the
 * gallery with nobody clicking, up to the approval request. This module is the contract between
 * the schedule (when a run starts: views/autopilot.ts, the autopilot commands, the repeatable job)
 * and the run (what a run does: src/workflow/autopilot-run.ts).
 */
import { z } from 'zod';
import type { ApprovalPolicy } from './model.js';
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
}
