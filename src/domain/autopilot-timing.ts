/**
 * When an autopilot schedule fires next: "Patch Tuesday + N days at HH:MM" or a cron expression,
 * both in the schedule's IANA time zone. Cron is read by cron-parser, the parser Agenda 6 itself
 * uses for repeating jobs (the same package, deduplicated); zone arithmetic by dayjs with its
 * utc/timezone plugins (the zone database is the runtime's ICU, as for Intl).
 *
 * Daylight saving, one rule for both kinds (it is what cron-parser does, and the preset follows it):
 * - a local time that does not exist (02:30 on the spring-forward day in Europe/Berlin or
 *   America/New_York) fires as many minutes later as the clock jumped: 03:30 that day;
 * - a local time that happens twice (01:30 on the fall-back day in New York, 02:30 in Berlin)
 *   fires once, at the first of the two (still summer time).
 */
import { CronExpressionParser } from 'cron-parser';
import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc.js';
import timezone from 'dayjs/plugin/timezone.js';
import type { AutopilotTiming } from './autopilot.js';

dayjs.extend(utc);
dayjs.extend(timezone);

/** Two firings closer than this are refused: a run takes hours, and every firing during an open run posts a note. */
const MIN_CRON_GAP_MINUTES = 60;
/** How many firings ahead the gap rule looks at (a week of an hourly pattern is more than any expression repeats within). */
const GAP_LOOKAHEAD = 200;
const MINUTE_MS = 60_000;

/** The zone's canonical IANA name, or a sentence saying why it is not one (offsets such as `+01:00` are not zones). */
export function checkTimeZone(zone: string): { ok: true; zone: string } | { ok: false; problem: string } {
  const typed = zone.trim();
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: typed }).resolvedOptions().timeZone;
  } catch {
    return { ok: false, problem: `"${typed}" is not an IANA time zone; use a name such as Europe/Berlin or America/New_York.` };
  }
  if (resolved !== 'UTC' && !Intl.supportedValuesOf('timeZone').includes(resolved)) {
    return { ok: false, problem: `"${typed}" is an offset, not an IANA time zone: an offset never follows daylight saving. Use a name such as Europe/Berlin.` };
  }
  return { ok: true, zone: typed };
}

/** Why a cron expression is refused (five fields: minute hour day-of-month month day-of-week), or undefined. */
export function cronProblem(expression: string, zone: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) {
    return `A cron expression has five fields (minute hour day-of-month month day-of-week), e.g. "0 3 * * 3"; "${expression.trim()}" has ${fields.length}.`;
  }
  let firings: Date[];
  try {
    const it = CronExpressionParser.parse(expression.trim(), { tz: zone, currentDate: new Date() });
    firings = Array.from({ length: GAP_LOOKAHEAD }, () => it.next().toDate());
  } catch (err) {
    return `"${expression.trim()}" is not a cron expression cron-parser can read: ${(err as Error).message}.`;
  }
  const tooClose = firings.findIndex((at, i) => i > 0 && at.getTime() - firings[i - 1]!.getTime() < MIN_CRON_GAP_MINUTES * MINUTE_MS);
  if (tooClose !== -1) return `"${expression.trim()}" fires more than once an hour; autopilot runs at most hourly.`;
  return undefined;
}

/** Why a timing cannot be scheduled in `zone`, or undefined. */
export function timingProblem(timing: AutopilotTiming, zone: string): string | undefined {
  const checked = checkTimeZone(zone);
  if (!checked.ok) return checked.problem;
  return timing.kind === 'cron' ? cronProblem(timing.expression, zone) : undefined;
}

/** The first firing strictly after `after`. Call only with a timing timingProblem accepted. */
export function nextFiring(timing: AutopilotTiming, zone: string, after: Date): Date {
  return timing.kind === 'cron' ? nextCronFiring(timing.expression, zone, after) : nextPatchTuesdayFiring(timing, zone, after);
}

function nextCronFiring(expression: string, zone: string, after: Date): Date {
  const next = CronExpressionParser.parse(expression.trim(), { tz: zone, currentDate: after }).next().toDate();
  // cron-parser may answer `after` itself when it falls on a firing (Agenda nudges the same way).
  if (next.getTime() > after.getTime()) return next;
  return CronExpressionParser.parse(expression.trim(), { tz: zone, currentDate: new Date(after.getTime() + 1000) }).next().toDate();
}

/** Microsoft's monthly release day: the second Tuesday of the month, as a calendar day. */
export function patchTuesday(year: number, month: number): { year: number; month: number; day: number } {
  const firstWeekday = dayjs.utc(Date.UTC(year, month - 1, 1)).day();
  const firstTuesday = 1 + ((2 - firstWeekday + 7) % 7);
  return { year, month, day: firstTuesday + 7 };
}

function nextPatchTuesdayFiring(timing: Extract<AutopilotTiming, { kind: 'patch-tuesday' }>, zone: string, after: Date): Date {
  const [hour, minute] = timing.time.split(':').map(Number) as [number, number];
  const local = dayjs(after).tz(zone);
  // This month's firing may still be ahead; otherwise next month's is (an offset of at most 14 days keeps each firing in its month).
  for (let ahead = 0; ; ahead++) {
    const month = dayjs.utc(Date.UTC(local.year(), local.month() + ahead, 1));
    const pt = patchTuesday(month.year(), month.month() + 1);
    const at = zonedInstant(zone, { ...pt, day: pt.day + timing.offsetDays, hour, minute });
    if (at.getTime() > after.getTime()) return at;
  }
}

/**
 * The instant a wall-clock time in `zone` names, by the module's daylight-saving rule: of the
 * zone's offsets that day (before and after any change), those that give back the same wall time
 * are candidates and the earliest wins; in a gap none does, and the offset before the change is
 * used, which lands as many minutes past the gap as the time was into it.
 */
function zonedInstant(zone: string, wall: { year: number; month: number; day: number; hour: number; minute: number }): Date {
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  const offsetAt = (ms: number) => dayjs(ms).tz(zone).utcOffset();
  const before = offsetAt(asUtc - 12 * 60 * MINUTE_MS);
  const after = offsetAt(asUtc + 12 * 60 * MINUTE_MS);
  const wanted = dayjs.utc(asUtc).format('YYYY-MM-DD HH:mm');
  const candidates = [before, after]
    .map((offset) => asUtc - offset * MINUTE_MS)
    .filter((ms) => dayjs(ms).tz(zone).format('YYYY-MM-DD HH:mm') === wanted)
    .sort((a, b) => a - b);
  return new Date(candidates[0] ?? asUtc - before * MINUTE_MS);
}

/** The firing as people in the schedule's zone read it: `Wed 2027-03-10 03:00 (Europe/Berlin)`. */
export function wallClock(at: Date, zone: string): string {
  return `${dayjs(at).tz(zone).format('ddd YYYY-MM-DD HH:mm')} (${zone})`;
}

/** The timing in words: `Patch Tuesday + 2 days at 03:00` or `cron 0 3 * * 3`. */
export function describeTiming(timing: AutopilotTiming): string {
  if (timing.kind === 'cron') return `cron ${timing.expression.trim()}`;
  const days = timing.offsetDays === 0 ? '' : ` + ${timing.offsetDays} day${timing.offsetDays === 1 ? '' : 's'}`;
  return `Patch Tuesday${days} at ${timing.time}`;
}
