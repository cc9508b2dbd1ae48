import type { App, BlockButtonAction } from '@slack/bolt';
import { TASK_ACTIONS } from '../../../views/task-message.js';
import type { Services } from '../../services.js';
import { requestMachineAction } from '../../workflow/machine-requests.js';
import { onTaskButton } from './guard.js';

/** Runs the layer integrity check again; the result replaces the list in the task message. */
export function registerCheckAgain(app: App, services: Services): void {
  app.action<BlockButtonAction>(TASK_ACTIONS.checkAgain, (args) =>
    onTaskButton(args, services, 'operate-machine', 'check the packaging machine', (ctx) => requestMachineAction(services, ctx, 'check')),
  );
}
