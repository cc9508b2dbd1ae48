import fc from 'fast-check';
import type { VersionStatus } from '../../src/domain/model.js';
import {
  canTransition,
  IllegalTransitionError,
  isFinal,
  taskStatusOf,
  transition,
  VERSION_STATUSES,
  type VersionEvent,
} from '../../src/domain/version-status.js';

const published: VersionEvent = { type: 'published' };
const checkStarted: VersionEvent = { type: 'check-started' };
const checkBlocked: VersionEvent = { type: 'check-blocked' };
const shutdownClean: VersionEvent = { type: 'shutdown-clean' };
const machineStarted: VersionEvent = { type: 'machine-started' };
const finalizeStarted: VersionEvent = { type: 'finalize-started' };
const finalized: VersionEvent = { type: 'finalized' };
const failed: VersionEvent = { type: 'failed' };
const cancelled: VersionEvent = { type: 'cancelled' };
const retry = (resumeAt: 'publishing' | 'action-required' | 'ready-to-finalize'): VersionEvent => ({ type: 'retry', resumeAt });

const ALL_EVENTS: VersionEvent[] = [
  published,
  checkStarted,
  checkBlocked,
  shutdownClean,
  machineStarted,
  finalizeStarted,
  finalized,
  failed,
  cancelled,
  retry('publishing'),
  retry('action-required'),
  retry('ready-to-finalize'),
];

const LEGAL: Array<[VersionStatus, VersionEvent, VersionStatus]> = [
  ['publishing', published, 'action-required'],
  ['action-required', shutdownClean, 'ready-to-finalize'],
  // The one-click Finalize: checking the layer, then back to the admin or on to ready.
  ['action-required', checkStarted, 'checking'],
  ['checking', checkBlocked, 'action-required'],
  ['checking', shutdownClean, 'ready-to-finalize'],
  ['checking', failed, 'failed'],
  ['checking', cancelled, 'cancelled'],
  ['ready-to-finalize', machineStarted, 'action-required'],
  ['ready-to-finalize', finalizeStarted, 'finalizing'],
  ['finalizing', finalized, 'deployable'],
  ['publishing', failed, 'failed'],
  ['action-required', failed, 'failed'],
  ['ready-to-finalize', failed, 'failed'],
  ['finalizing', failed, 'failed'],
  ['publishing', cancelled, 'cancelled'],
  ['action-required', cancelled, 'cancelled'],
  ['ready-to-finalize', cancelled, 'cancelled'],
  ['finalizing', cancelled, 'cancelled'],
  ['failed', cancelled, 'cancelled'],
  ['failed', retry('publishing'), 'publishing'],
  ['failed', retry('action-required'), 'action-required'],
  ['failed', retry('ready-to-finalize'), 'ready-to-finalize'],
];

describe('version status transitions', () => {
  it.each(LEGAL)('%s + %o → %s', (from, event, to) => {
    expect(transition(from, event)).toBe(to);
    expect(canTransition(from, event)).toBe(true);
  });

  it('allows nothing else', () => {
    const legal = new Set(LEGAL.map(([from, event]) => `${from} ${JSON.stringify(event)}`));
    for (const from of VERSION_STATUSES) {
      for (const event of ALL_EVENTS) {
        if (legal.has(`${from} ${JSON.stringify(event)}`)) continue;
        expect(() => transition(from, event)).toThrow(IllegalTransitionError);
        expect(canTransition(from, event)).toBe(false);
      }
    }
  });

  it.each<[VersionStatus, VersionEvent, string]>([
    ['deployable', cancelled, 'a version that is deployable cannot be cancelled'],
    ['cancelled', finalizeStarted, 'a version that is cancelled cannot start finalizing'],
    ['publishing', finalizeStarted, 'a version that is still publishing cannot start finalizing'],
    ['action-required', finalized, 'a version that is waiting for action cannot become deployable'],
    ['failed', failed, 'a version that is failed cannot fail'],
    ['action-required', retry('publishing'), 'a version that is waiting for action cannot be retried'],
    ['deployable', machineStarted, 'a version that is deployable cannot go back to waiting for action'],
    ['checking', finalizeStarted, 'a version that is having its layer checked cannot start finalizing'],
    ['ready-to-finalize', checkStarted, 'a version that is ready to finalize cannot have its layer checked for Finalize'],
  ])('refuses %s + %o with a readable reason', (from, event, message) => {
    expect(() => transition(from, event)).toThrow(message);
  });

  it('keeps the refused move on the error for the caller to report', () => {
    try {
      transition('cancelled', retry('publishing'));
      throw new Error('expected a refusal');
    } catch (err) {
      expect(err).toBeInstanceOf(IllegalTransitionError);
      expect(err).toMatchObject({ from: 'cancelled', event: { type: 'retry' } });
    }
  });

  it('never leaves deployable or cancelled, whatever happens next', () => {
    const event = fc.constantFrom(...ALL_EVENTS);
    fc.assert(
      fc.property(fc.constantFrom<VersionStatus>('deployable', 'cancelled'), fc.array(event, { maxLength: 20 }), (start, events) => {
        for (const e of events) expect(canTransition(start, e)).toBe(false);
        expect(isFinal(start)).toBe(true);
      }),
    );
  });

  it('becomes deployable only by finalizing, along any sequence of moves', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...ALL_EVENTS), { maxLength: 40 }), (events) => {
        let status: VersionStatus = 'publishing';
        for (const e of events) {
          if (!canTransition(status, e)) continue;
          const to = transition(status, e);
          if (to === 'deployable') expect(status).toBe('finalizing');
          status = to;
        }
      }),
    );
  });
});

describe('task status follows the version', () => {
  it.each<[VersionStatus, string]>([
    ['publishing', 'running'],
    ['action-required', 'action-required'],
    ['checking', 'running'],
    ['ready-to-finalize', 'action-required'],
    ['finalizing', 'running'],
    ['deployable', 'done'],
    ['failed', 'failed'],
    ['cancelled', 'cancelled'],
  ])('%s → %s', (version, task) => {
    expect(taskStatusOf(version)).toBe(task);
  });
});
