import { checkTimeZone, cronProblem, describeTiming, nextFiring, patchTuesday, timingProblem, wallClock } from '../../src/domain/autopilot-timing.js';
import type { AutopilotTiming } from '../../src/domain/autopilot.js';

const iso = (at: Date) => at.toISOString();
const cron = (expression: string): AutopilotTiming => ({ kind: 'cron', expression });
const preset = (offsetDays: number, time: string): AutopilotTiming => ({ kind: 'patch-tuesday', offsetDays, time });

/** The next `count` firings from `from`, each one after the last. */
function firings(timing: AutopilotTiming, zone: string, from: string, count: number): string[] {
  const out: string[] = [];
  let after = new Date(from);
  for (let i = 0; i < count; i++) {
    after = nextFiring(timing, zone, after);
    out.push(iso(after));
  }
  return out;
}

describe('Patch Tuesday', () => {
  it('is the second Tuesday of the month, whatever weekday the month starts on', () => {
    // December 2026 starts on a Tuesday (8th), February 2027 on a Monday (9th), September 2026 on a Tuesday (8th), May 2027 on a Saturday (11th), March 2026 on a Sunday (10th), April 2026 on a Wednesday (14th).
    expect([patchTuesday(2026, 12), patchTuesday(2027, 2), patchTuesday(2027, 5), patchTuesday(2026, 3), patchTuesday(2026, 4)].map((d) => d.day)).toEqual([8, 9, 11, 10, 14]);
  });

  it('rolls over month and year ends: from late December the next firing is January’s', () => {
    expect(firings(preset(0, '10:00'), 'UTC', '2026-12-20T00:00:00Z', 3)).toEqual(['2027-01-12T10:00:00.000Z', '2027-02-09T10:00:00.000Z', '2027-03-09T10:00:00.000Z']);
  });

  it('takes this month’s firing while it is ahead, even after Patch Tuesday itself, and the offset may reach the end of the month', () => {
    // April 2026: Patch Tuesday on the 14th, + 14 days = the 28th.
    expect(iso(nextFiring(preset(14, '23:59'), 'UTC', new Date('2026-04-20T00:00:00Z')))).toBe('2026-04-28T23:59:00.000Z');
    expect(iso(nextFiring(preset(14, '23:59'), 'UTC', new Date('2026-04-28T23:59:00Z')))).toBe('2026-05-26T23:59:00.000Z');
  });

  it('is at the local time in the zone, summer and winter', () => {
    // Berlin: January is CET (+01:00), June is CEST (+02:00).
    expect(iso(nextFiring(preset(1, '03:00'), 'Europe/Berlin', new Date('2027-01-01T00:00:00Z')))).toBe('2027-01-13T02:00:00.000Z');
    expect(iso(nextFiring(preset(1, '03:00'), 'Europe/Berlin', new Date('2027-06-01T00:00:00Z')))).toBe('2027-06-09T01:00:00.000Z');
  });

  it('counts the month in the zone, not in UTC', () => {
    // 06:00Z on 12 January is already 19:00 that day in Auckland: its 20:00 firing is an hour away.
    // 04:30Z on 1 February is still 31 January in New York: January's firing (the 12th) has passed, February's (the 9th) is next.
    expect(iso(nextFiring(preset(0, '20:00'), 'Pacific/Auckland', new Date('2027-01-12T06:00:00Z')))).toBe('2027-01-12T07:00:00.000Z');
    expect(iso(nextFiring(preset(0, '20:00'), 'America/New_York', new Date('2027-02-01T04:30:00Z')))).toBe('2027-02-10T01:00:00.000Z');
  });

  describe('across daylight-saving changes', () => {
    // The preset lands on a change's Sunday when Patch Tuesday + 5 or + 12 is that Sunday:
    // New York springs forward on Sunday 14 March 2027 (Patch Tuesday the 9th, + 5);
    // Berlin springs forward on Sunday 25 March 2029 (Patch Tuesday the 13th, + 12) and falls back on Sunday 25 October 2026 (the 13th, + 12).
    // New York falls back on the first Sunday of November, before any Patch Tuesday + N of that month: cron covers it below.
    it('a time that does not exist (spring forward) fires as far past the gap as it was into it: 02:30 → 03:30, New York and Berlin', () => {
      const newYork = nextFiring(preset(5, '02:30'), 'America/New_York', new Date('2027-03-01T00:00:00Z'));
      expect([iso(newYork), wallClock(newYork, 'America/New_York')]).toEqual(['2027-03-14T07:30:00.000Z', 'Sun 2027-03-14 03:30 (America/New_York)']);
      const berlin = nextFiring(preset(12, '02:30'), 'Europe/Berlin', new Date('2029-03-01T00:00:00Z'));
      expect([iso(berlin), wallClock(berlin, 'Europe/Berlin')]).toEqual(['2029-03-25T01:30:00.000Z', 'Sun 2029-03-25 03:30 (Europe/Berlin)']);
    });

    it('a time that happens twice (fall back) fires once, at the first of the two (summer time), Berlin', () => {
      expect(firings(preset(12, '02:30'), 'Europe/Berlin', '2026-10-01T00:00:00Z', 2)).toEqual(['2026-10-25T00:30:00.000Z', '2026-11-22T01:30:00.000Z']);
      expect(wallClock(new Date('2026-10-25T00:30:00.000Z'), 'Europe/Berlin')).toBe('Sun 2026-10-25 02:30 (Europe/Berlin)');
    });

    it('keeps its local time on both sides of a change: 03:00 CET in March, 03:00 CEST in April (Berlin); 01:30 EDT in October, EST in November (New York)', () => {
      expect(firings(preset(1, '03:00'), 'Europe/Berlin', '2027-03-01T00:00:00Z', 2)).toEqual(['2027-03-10T02:00:00.000Z', '2027-04-14T01:00:00.000Z']);
      expect(firings(preset(0, '01:30'), 'America/New_York', '2027-10-01T00:00:00Z', 2)).toEqual(['2027-10-12T05:30:00.000Z', '2027-11-09T06:30:00.000Z']);
    });
  });
});

describe('cron in a time zone', () => {
  it('fires at the zone’s local time (a Wednesday at 03:00 in Berlin and in New York)', () => {
    expect(iso(nextFiring(cron('0 3 * * 3'), 'Europe/Berlin', new Date('2027-01-01T00:00:00Z')))).toBe('2027-01-06T02:00:00.000Z');
    expect(iso(nextFiring(cron('0 3 * * 3'), 'America/New_York', new Date('2027-01-01T00:00:00Z')))).toBe('2027-01-06T08:00:00.000Z');
  });

  it('never answers the instant it was asked from', () => {
    expect(iso(nextFiring(cron('0 3 * * *'), 'UTC', new Date('2027-01-06T03:00:00Z')))).toBe('2027-01-07T03:00:00.000Z');
  });

  it('spring forward, Berlin: 02:30 daily fires 03:30 CEST on the day 02:30 does not exist, 02:30 after', () => {
    expect(firings(cron('30 2 * * *'), 'Europe/Berlin', '2027-03-27T12:00:00Z', 3)).toEqual(['2027-03-28T01:30:00.000Z', '2027-03-29T00:30:00.000Z', '2027-03-30T00:30:00.000Z']);
  });

  it('fall back, Berlin: 02:30 daily fires once on the day it happens twice, at the first (CEST)', () => {
    expect(firings(cron('30 2 * * *'), 'Europe/Berlin', '2027-10-30T12:00:00Z', 3)).toEqual(['2027-10-31T00:30:00.000Z', '2027-11-01T01:30:00.000Z', '2027-11-02T01:30:00.000Z']);
  });

  it('spring forward, New York: 02:30 fires 03:30 EDT; fall back: 01:30 fires once, at 01:30 EDT', () => {
    expect(firings(cron('30 2 * * *'), 'America/New_York', '2027-03-13T12:00:00Z', 2)).toEqual(['2027-03-14T07:30:00.000Z', '2027-03-15T06:30:00.000Z']);
    expect(firings(cron('30 1 * * *'), 'America/New_York', '2027-11-06T12:00:00Z', 2)).toEqual(['2027-11-07T05:30:00.000Z', '2027-11-08T06:30:00.000Z']);
  });

  it('the preset and cron agree on a wall time in a gap; cron meets New York’s fall-back Sunday', () => {
    // 2027-03-14 is Patch Tuesday (9th) + 5 in March; 02:30 New York.
    expect(nextFiring(preset(5, '02:30'), 'America/New_York', new Date('2027-03-13T12:00:00Z'))).toEqual(nextFiring(cron('30 2 14 3 *'), 'America/New_York', new Date('2027-03-13T12:00:00Z')));
    // 2026-11-01 is New York's fall-back Sunday; November 2026's Patch Tuesday is the 10th, so the preset cannot land on it: cron alone here.
    expect(iso(nextFiring(cron('30 1 1 11 *'), 'America/New_York', new Date('2026-10-31T12:00:00Z')))).toBe('2026-11-01T05:30:00.000Z');
  });
});

describe('refusals', () => {
  it('refuses a cron expression it cannot read, or one with a seconds field, saying why', () => {
    expect(cronProblem('61 * * * *', 'UTC')).toMatch(/^"61 \* \* \* \*" is not a cron expression cron-parser can read: .*61.*0-59/);
    expect(cronProblem('0 0 3 * * *', 'UTC')).toBe('A cron expression has five fields (minute hour day-of-month month day-of-week), e.g. "0 3 * * 3"; "0 0 3 * * *" has 6.');
    expect(cronProblem('every tuesday', 'UTC')).toMatch(/has 2\.$/);
  });

  it('refuses an expression that fires more than once an hour', () => {
    expect(cronProblem('*/30 * * * *', 'UTC')).toBe('"*/30 * * * *" fires more than once an hour; autopilot runs at most hourly.');
    expect(cronProblem('0 * * * *', 'Europe/Berlin')).toBeUndefined();
  });

  it('refuses what is not an IANA time zone, offsets included, and takes zones and aliases', () => {
    expect(checkTimeZone('Mars/Olympus_Mons')).toEqual({ ok: false, problem: '"Mars/Olympus_Mons" is not an IANA time zone; use a name such as Europe/Berlin or America/New_York.' });
    expect(checkTimeZone('+01:00').ok).toBe(false);
    expect(checkTimeZone('Europe/Berlin')).toEqual({ ok: true, zone: 'Europe/Berlin' });
    expect(checkTimeZone('UTC')).toEqual({ ok: true, zone: 'UTC' });
    expect(timingProblem(preset(1, '03:00'), 'Nowhere/Special')).toMatch(/is not an IANA time zone/);
    expect(timingProblem(cron('0 3 * * *'), 'America/New_York')).toBeUndefined();
  });
});

it('describes a timing in words', () => {
  expect([describeTiming(preset(0, '03:00')), describeTiming(preset(1, '03:00')), describeTiming(preset(7, '22:15')), describeTiming(cron(' 0 3 * * 3 '))]).toEqual([
    'Patch Tuesday at 03:00',
    'Patch Tuesday + 1 day at 03:00',
    'Patch Tuesday + 7 days at 22:15',
    'cron 0 3 * * 3',
  ]);
});
