import type { App } from '@slack/bolt';
import type { Services } from '../src/services.js';
import { registerOslayerCommand } from './oslayer.js';

export function register(app: App, services: Services): void {
  registerOslayerCommand(app, services);
}
