import type { App, BlockButtonAction } from '@slack/bolt';
import { TASK_ACTIONS } from '../../../views/task-message.js';
import type { Services } from '../../services.js';
import { onTaskButton } from './guard.js';

/**
 * Create Packaging Machine is a URL button: Slack opens the portal link itself and still sends
 * the click, which must be acked. A user without the role is told the deployment is not theirs
 * to make (the portal would refuse them without rights on the subscription anyway).
 */
export function registerCreateMachineLink(app: App, services: Services): void {
  app.action<BlockButtonAction>(TASK_ACTIONS.createMachine, (args) =>
    onTaskButton(args, services, 'operate-machine', 'create the packaging machine', async () => {}),
  );
}
