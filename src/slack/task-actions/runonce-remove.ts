import type { App, BlockButtonAction } from '@slack/bolt';
import { TASK_ACTIONS } from '../../../views/task-message.js';
import type { Services } from '../../services.js';
import { requestMachineAction } from '../../workflow/machine-requests.js';
import { onTaskButton } from './guard.js';

/** Deletes the listed HKLM RunOnce entries without running them (after a confirm). */
export function registerRunOnceRemove(app: App, services: Services): void {
  app.action<BlockButtonAction>(TASK_ACTIONS.runOnceRemove, (args) =>
    onTaskButton(args, services, 'operate-machine', 'remove the RunOnce entries on the packaging machine', (ctx) =>
      requestMachineAction(services, ctx, 'runonce-remove'),
    ),
  );
}
