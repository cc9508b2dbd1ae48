import type { App } from '@slack/bolt';
import type { Services } from '../../services.js';
import { registerRetry } from './retry.js';

/** The task message's buttons; one listener per file. */
export function register(app: App, services: Services): void {
  registerRetry(app, services);
}
