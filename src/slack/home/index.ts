import type { App } from '@slack/bolt';
import type { Services } from '../../services.js';
import * as manageConnectors from './manage-connectors.js';

/** App Home's own buttons (Add version and View reuse the list and task listeners). */
export function register(app: App, services: Services): void {
  manageConnectors.register(app, services);
}
