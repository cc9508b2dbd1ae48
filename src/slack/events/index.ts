import type { App } from '@slack/bolt';
import type { Services } from '../../services.js';
import * as appHomeOpened from './app-home-opened.js';

/** Events API listeners, one per file. */
export function register(app: App, services: Services): void {
  appHomeOpened.register(app, services);
}
