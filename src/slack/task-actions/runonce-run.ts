import type { App, BlockButtonAction } from '@slack/bolt';
import { TASK_ACTIONS } from '../../../views/task-message.js';
import type { Services } from '../../services.js';
import { requestMachineAction } from '../../workflow/machine-requests.js';
import { onTaskButton } from './guard.js';

/** Runs the listed HKLM RunOnce entries once (after a confirm): nobody signs in to run them otherwise. */
export function registerRunOnceRun(app: App, services: Services): void {
  app.action<BlockButtonAction>(TASK_ACTIONS.runOnceRun, (args) =>
    onTaskButton(args, services, 'operate-machine', 'run the RunOnce entries on the packaging machine', (ctx) =>
      requestMachineAction(services, ctx, 'runonce-run'),
    ),
  );
}
