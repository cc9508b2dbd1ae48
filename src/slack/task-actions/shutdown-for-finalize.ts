import type { App, BlockButtonAction } from '@slack/bolt';
import { TASK_ACTIONS } from '../../../views/task-message.js';
import type { Services } from '../../services.js';
import { requestMachineAction } from '../../workflow/machine-requests.js';
import { onTaskButton } from './guard.js';

/** Checks the machine and, only if nothing is pending, stops and deallocates it for Finalize. */
export function registerShutdownForFinalize(app: App, services: Services): void {
  app.action<BlockButtonAction>(TASK_ACTIONS.shutdownForFinalize, (args) =>
    onTaskButton(args, services, 'operate-machine', 'shut the packaging machine down for finalize', (ctx) =>
      requestMachineAction(services, ctx, 'shutdown'),
    ),
  );
}
