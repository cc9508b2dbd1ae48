import type { App, BlockButtonAction } from '@slack/bolt';
import { TASK_ACTIONS } from '../../../views/task-message.js';
import type { Services } from '../../services.js';
import { requestMachineAction } from '../../workflow/machine-requests.js';
import { onTaskButton } from './guard.js';

/** The remedy for pending restarts (drivers, installs, RunOnce); never offered for NGen. */
export function registerReboot(app: App, services: Services): void {
  app.action<BlockButtonAction>(TASK_ACTIONS.reboot, (args) =>
    onTaskButton(args, services, 'operate-machine', 'restart the packaging machine', (ctx) => requestMachineAction(services, ctx, 'reboot')),
  );
}
