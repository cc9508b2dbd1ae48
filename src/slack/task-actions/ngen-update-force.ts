import type { App, BlockButtonAction } from '@slack/bolt';
import { TASK_ACTIONS } from '../../../views/task-message.js';
import type { Services } from '../../services.js';
import { requestMachineAction } from '../../workflow/machine-requests.js';
import { onTaskButton } from './guard.js';

/** `ngen update /force`, only when the admin asks for it (after a confirm): it recompiles everything. */
export function registerNgenUpdateForce(app: App, services: Services): void {
  app.action<BlockButtonAction>(TASK_ACTIONS.ngenUpdateForce, (args) =>
    onTaskButton(args, services, 'operate-machine', 'run ngen update /force on the packaging machine', (ctx) =>
      requestMachineAction(services, ctx, 'ngen-update-force'),
    ),
  );
}
