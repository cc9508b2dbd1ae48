/**
 * The life of a layer version (DESIGN §1). Every status change goes through `transition`,
 * so an illegal move (finalizing a cancelled version, cancelling a deployable one) is
 * refused in one place instead of being guarded in every listener and job.
 */
import type { TaskStatus, VersionStatus } from './model.js';

/** Where a failed version may pick up again; the caller knows which step failed. */
export type RetryPoint = 'publishing' | 'action-required' | 'ready-to-finalize';

export type VersionEvent =
  | { type: 'published' }
  | { type: 'check-started' }
  | { type: 'check-blocked' }
  | { type: 'shutdown-clean' }
  | { type: 'machine-started' }
  | { type: 'finalize-started' }
  | { type: 'finalized' }
  | { type: 'gallery-replicated' }
  | { type: 'failed' }
  | { type: 'cancelled' }
  | { type: 'retry'; resumeAt: RetryPoint };

type VersionEventType = VersionEvent['type'];

export const VERSION_STATUSES: readonly VersionStatus[] = [
  'publishing',
  'action-required',
  'checking',
  'ready-to-finalize',
  'finalizing',
  'deployable',
  'published',
  'failed',
  'cancelled',
];

/** How a status reads in Slack. */
export const VERSION_STATUS_LABEL: Readonly<Record<VersionStatus, string>> = {
  publishing: 'Publishing',
  'action-required': 'Action Required',
  checking: 'Checking the layer',
  'ready-to-finalize': 'Ready to Finalize',
  finalizing: 'Finalizing',
  deployable: 'Deployable',
  published: 'Published to the gallery',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

export class IllegalTransitionError extends Error {
  constructor(
    readonly from: VersionStatus,
    readonly event: VersionEvent,
  ) {
    super(`a version that is ${STATUS_PHRASE[from]} cannot ${EVENT_PHRASE[event.type]}`);
    this.name = 'IllegalTransitionError';
  }
}

const STATUS_PHRASE: Readonly<Record<VersionStatus, string>> = {
  publishing: 'still publishing',
  'action-required': 'waiting for action',
  checking: 'having its layer checked',
  'ready-to-finalize': 'ready to finalize',
  finalizing: 'finalizing',
  deployable: 'deployable',
  published: 'published to the gallery',
  failed: 'failed',
  cancelled: 'cancelled',
};

const EVENT_PHRASE: Readonly<Record<VersionEventType, string>> = {
  published: 'finish publishing',
  'check-started': 'have its layer checked for Finalize',
  'check-blocked': 'go back to waiting for action',
  'shutdown-clean': 'become ready to finalize',
  'machine-started': 'go back to waiting for action',
  'finalize-started': 'start finalizing',
  finalized: 'become deployable',
  'gallery-replicated': 'become published to the gallery',
  failed: 'fail',
  cancelled: 'be cancelled',
  retry: 'be retried',
};

/** Deployable, published and cancelled versions never fail or cancel again; a failed one can still be retried or cancelled. */
export function isFinal(status: VersionStatus): boolean {
  return isDeployable(status) || status === 'cancelled';
}

/** A finalized version: its VHD is in the layer store (and, when published, its image version in the gallery). */
export function isDeployable(status: VersionStatus): boolean {
  return status === 'deployable' || status === 'published';
}

/** The forward path; failure, cancellation and retry are handled for every status below. */
const FORWARD: Readonly<Partial<Record<VersionEventType, Partial<Record<VersionStatus, VersionStatus>>>>> = {
  published: { publishing: 'action-required' },
  // Finalize clicked before the layer was verified: the check, shutdown and finalize run as one job.
  'check-started': { 'action-required': 'checking' },
  // Something blocks (or the check could not answer): the machine stays running, back in the admin's hands.
  'check-blocked': { checking: 'action-required' },
  // Shutdown for Finalize from Action Required, or the one-click Finalize's clean check.
  'shutdown-clean': { 'action-required': 'ready-to-finalize', checking: 'ready-to-finalize' },
  // Someone started the deallocated machine again: it must pass the integrity check once more.
  'machine-started': { 'ready-to-finalize': 'action-required' },
  'finalize-started': { 'ready-to-finalize': 'finalizing' },
  finalized: { finalizing: 'deployable' },
  // Finalize's image version has replicated to every target region of the connector's gallery.
  'gallery-replicated': { deployable: 'published' },
};

function next(current: VersionStatus, event: VersionEvent): VersionStatus | undefined {
  switch (event.type) {
    case 'failed':
      return isFinal(current) || current === 'failed' ? undefined : 'failed';
    case 'cancelled':
      return isFinal(current) ? undefined : 'cancelled';
    case 'retry':
      return current === 'failed' ? event.resumeAt : undefined;
    default:
      return FORWARD[event.type]?.[current];
  }
}

/** The status after `event`, or IllegalTransitionError saying why the move is not allowed. */
export function transition(current: VersionStatus, event: VersionEvent): VersionStatus {
  const to = next(current, event);
  if (to === undefined) throw new IllegalTransitionError(current, event);
  return to;
}

export function canTransition(current: VersionStatus, event: VersionEvent): boolean {
  return next(current, event) !== undefined;
}

/**
 * The task that runs a version mirrors its status: it waits on the admin while the packaging
 * machine is in their hands (action required, ready to finalize) and runs while the bot works.
 */
export function taskStatusOf(status: VersionStatus): TaskStatus {
  switch (status) {
    case 'publishing':
    case 'checking':
    case 'finalizing':
      return 'running';
    case 'action-required':
    case 'ready-to-finalize':
      return 'action-required';
    case 'deployable':
    case 'published':
      return 'done';
    case 'failed':
      return 'failed';
    case 'cancelled':
      return 'cancelled';
  }
}
