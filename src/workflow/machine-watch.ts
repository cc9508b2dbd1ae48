/**
 * The watch's read schedule, kept pure so it can be read (and tested) on its own.
 *
 * ARM throttles reads per subscription, and a packaging machine can sit for days. So every
 * watch tick makes exactly ONE ARM read (getVm with its instance view, or one tag query while
 * no machine is known), and ticks are at least `intervalMs` apart: production configuration
 * refuses less than 30 s, which keeps a machine at no more than 2 reads a minute. Failed reads
 * back off exponentially, and a throttled read waits at least as long as ARM's Retry-After.
 */
import type { MachineState } from '../domain/model.js';
import type { PowerState, VmStatus } from '../azure/ports.js';

export interface WatchSettings {
  /** Time between reads (production: ≥ 30 s). */
  intervalMs: number;
  /** Remind the channel once when the machine has been running this long. */
  runningReminderMs: number;
  /** Remind the channel once when no machine exists this long after publishing. */
  noMachineReminderMs: number;
  /** Say once that the VM agent is missing when a running machine's agent has not reported this long. */
  agentReportTimeoutMs: number;
}

/** A machine that keeps failing to read is still looked at twice an hour. */
export const MAX_BACKOFF_MS = 30 * 60 * 1000;
const MAX_DOUBLINGS = 10;

export function nextReadDelayMs(settings: Pick<WatchSettings, 'intervalMs'>, after: { failedReads: number; retryAfterSeconds?: number }): number {
  const backoff = Math.min(settings.intervalMs * 2 ** Math.min(after.failedReads, MAX_DOUBLINGS), Math.max(MAX_BACKOFF_MS, settings.intervalMs));
  return Math.max(settings.intervalMs, backoff, (after.retryAfterSeconds ?? 0) * 1000);
}

const FROM_POWER: Record<PowerState, MachineState> = {
  starting: 'starting',
  running: 'running',
  stopping: 'stopping',
  stopped: 'stopped',
  deallocating: 'deallocating',
  deallocated: 'deallocated',
  unknown: 'unknown',
};

export function machineStateOf(vm: Pick<VmStatus, 'powerState'>): MachineState {
  return FROM_POWER[vm.powerState];
}
