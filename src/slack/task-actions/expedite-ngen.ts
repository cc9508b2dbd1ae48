import type { App, BlockButtonAction } from '@slack/bolt';
import { TASK_ACTIONS } from '../../../views/task-message.js';
import type { Services } from '../../services.js';
import { requestMachineAction } from '../../workflow/machine-requests.js';
import { onTaskButton } from './guard.js';

/** Runs queued NGen work in the foreground, then checks again: the alternative to waiting (never to a restart). */
export function registerExpediteNgen(app: App, services: Services): void {
  app.action<BlockButtonAction>(TASK_ACTIONS.expediteNgen, (args) =>
    onTaskButton(args, services, 'operate-machine', 'expedite NGen on the packaging machine', (ctx) =>
      requestMachineAction(services, ctx, 'expedite-ngen'),
    ),
  );
}
