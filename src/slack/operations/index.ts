import type { App } from '@slack/bolt';
import type { Services } from '../../services.js';
import * as open from './open.js';
import * as retry from './retry.js';
import * as cancel from './cancel.js';

/** Operations (Administrators): the job queue from App Home, with Retry and Cancel. */
export function register(app: App, services: Services): void {
  open.register(app, services);
  retry.register(app, services);
  cancel.register(app, services);
}
