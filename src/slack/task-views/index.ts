import type { App } from '@slack/bolt';
import type { Services } from '../../services.js';
import * as taskView from './task-view.js';
import * as tasksPage from './tasks-page.js';

/** The task list's buttons and the task detail modal, one listener per file. */
export function register(app: App, services: Services): void {
  for (const listener of [taskView, tasksPage]) listener.register(app, services);
}
