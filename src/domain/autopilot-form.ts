/**
 * The autopilot modal's fields read back into a schedule, every problem named on its own field
 * (views/state.ts turns them into `response_action: errors`).
 */
import { z } from 'zod';
import { autopilotPolicySchema, autopilotTimingSchema, type AutopilotPolicy, type AutopilotSchedule, type AutopilotTiming } from './autopilot.js';
import { checkTimeZone, timingProblem } from './autopilot-timing.js';
import { parseKbList, updateModeSchema } from './windows-update.js';

/** The modal's input blocks (the keys parseAutopilotForm reads). */
export const AUTOPILOT_FIELD = {
  enabled: 'enabled',
  timingKind: 'timingKind',
  offsetDays: 'offsetDays',
  time: 'time',
  cron: 'cron',
  timeZone: 'timeZone',
  otherTimeZone: 'otherTimeZone',
  updateMode: 'updateMode',
  excludeKbs: 'excludeKbs',
  maxRunMinutes: 'maxRunMinutes',
  channelId: 'channelId',
  approval: 'approval',
} as const;
const F = AUTOPILOT_FIELD;

export const MAX_RUN_MINUTES = { min: 30, max: 24 * 60, default: 8 * 60 } as const;

type AutopilotFormResult =
  | { ok: true; value: Pick<AutopilotSchedule, 'enabled' | 'timing' | 'timeZone' | 'policy'> }
  | { ok: false; errors: Record<string, string> };

/**
 * `canChooseSingleApproval`: only who may set approval policies (the gallery's Set approval
 * policy) may let a run's version be promoted by its creator; everyone else keeps two people.
 */
export function parseAutopilotForm(raw: Record<string, string | null>, opts: { canChooseSingleApproval: boolean }): AutopilotFormResult {
  const errors: Record<string, string> = {};
  const timing = readTiming(raw, errors);
  const zoneText = raw[F.otherTimeZone]?.trim() || raw[F.timeZone];
  let timeZone = '';
  if (!zoneText) errors[F.timeZone] = 'Pick a time zone.';
  else {
    const zone = checkTimeZone(zoneText);
    if (zone.ok) timeZone = zone.zone;
    else errors[raw[F.otherTimeZone]?.trim() ? F.otherTimeZone : F.timeZone] = zone.problem;
  }
  if (timing && timeZone) {
    const problem = timingProblem(timing, timeZone);
    if (problem) errors[timing.kind === 'cron' ? F.cron : F.time] = problem;
  }
  const policy = readPolicy(raw, errors, opts);
  if (Object.keys(errors).length > 0 || !timing || !policy) return { ok: false, errors };
  return { ok: true, value: { enabled: raw[F.enabled] === 'on', timing, timeZone, policy } };
}

function readTiming(raw: Record<string, string | null>, errors: Record<string, string>): AutopilotTiming | undefined {
  if (raw[F.timingKind] === 'cron') {
    const expression = raw[F.cron]?.trim();
    if (!expression) {
      errors[F.cron] = 'Write a cron expression (minute hour day-of-month month day-of-week), e.g. 0 3 * * 3, or pick the Patch Tuesday preset.';
      return undefined;
    }
    const parsed = autopilotTimingSchema.safeParse({ kind: 'cron', expression });
    if (!parsed.success) errors[F.cron] = 'A cron expression of at most 120 characters.';
    return parsed.success ? parsed.data : undefined;
  }
  const offsetText = raw[F.offsetDays]?.trim() ?? '0';
  const offsetDays = /^\d{1,2}$/.test(offsetText) ? Number(offsetText) : NaN;
  if (!(offsetDays >= 0 && offsetDays <= 14)) errors[F.offsetDays] = 'A whole number of days from 0 to 14 (so the run stays in its Patch Tuesday’s month).';
  const time = raw[F.time]?.trim() ?? '';
  const padded = /^\d:\d\d$/.test(time) ? `0${time}` : time;
  const parsed = autopilotTimingSchema.safeParse({ kind: 'patch-tuesday', offsetDays, time: padded });
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(padded)) errors[F.time] = 'A time of day as HH:MM, 24-hour (e.g. 03:00 or 22:30).';
  return parsed.success ? parsed.data : undefined;
}

function readPolicy(raw: Record<string, string | null>, errors: Record<string, string>, opts: { canChooseSingleApproval: boolean }): AutopilotPolicy | undefined {
  const updateMode = updateModeSchema.safeParse(raw[F.updateMode]);
  if (!updateMode.success) errors[F.updateMode] = 'Pick which updates a run installs.';
  const kbs = parseKbList(raw[F.excludeKbs] ?? '');
  const excludeKbs = kbs.ok ? kbs.kbs : [];
  if (!kbs.ok) errors[F.excludeKbs] = `${kbs.invalid} is not a KB number (write KB5041578, or 5041578).`;
  else if (!z.array(autopilotPolicySchema.shape.excludeKbs.element).safeParse(excludeKbs).success) {
    errors[F.excludeKbs] = 'KB numbers have six to eight digits (KB5041578).';
  }
  const minutesText = raw[F.maxRunMinutes]?.trim() ?? '';
  const maxRunMinutes = /^\d{1,4}$/.test(minutesText) ? Number(minutesText) : NaN;
  if (!(maxRunMinutes >= MAX_RUN_MINUTES.min && maxRunMinutes <= MAX_RUN_MINUTES.max)) {
    errors[F.maxRunMinutes] = `Minutes from ${MAX_RUN_MINUTES.min} to ${MAX_RUN_MINUTES.max} (24 hours).`;
  }
  const channelId = raw[F.channelId] ?? '';
  if (!channelId) errors[F.channelId] = 'Pick the channel where runs post their task message.';
  const approval = raw[F.approval] === 'single' ? 'single' : 'two-person';
  if (approval === 'single' && !opts.canChooseSingleApproval) {
    errors[F.approval] = 'A single approver needs the Administrator role (it sets approval policies); keep Two people.';
  }
  const parsed = autopilotPolicySchema.safeParse({ updateMode: updateMode.data, excludeKbs, maxRunMinutes, channelId, approval });
  return parsed.success ? parsed.data : undefined;
}
