import type { App } from '@slack/bolt';
import type { Services } from '../../services.js';
import { OPERATIONS_ACTIONS } from '../../../views/operations.js';
import { retryJob } from '../../workflow/job-queue.js';
import { onJobButton } from './job-button.js';

/** Retry on a failed job: it runs again now with the same data. */
export function register(app: App, services: Services): void {
  onJobButton(app, services, { actionId: OPERATIONS_ACTIONS.retry, what: 'retry a job', done: 'retried', operate: retryJob });
}
