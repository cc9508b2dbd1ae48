import type { App } from '@slack/bolt';
import type { Services } from '../../services.js';
import * as rolesOpen from './roles-open.js';
import * as rolesSubmit from './roles-submit.js';

/** The roles modal's entry button and its submission, one listener per file. */
export function register(app: App, services: Services): void {
  for (const listener of [rolesOpen, rolesSubmit]) listener.register(app, services);
}
