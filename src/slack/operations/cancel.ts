import type { App } from '@slack/bolt';
import type { Services } from '../../services.js';
import { OPERATIONS_ACTIONS } from '../../../views/operations.js';
import { cancelJob } from '../../workflow/job-queue.js';
import { onJobButton } from './job-button.js';

/** Cancel on a waiting or failed job: it leaves the queue; its task is not changed. */
export function register(app: App, services: Services): void {
  onJobButton(app, services, { actionId: OPERATIONS_ACTIONS.cancel, what: 'cancel a job', done: 'cancelled', operate: cancelJob });
}
