import type { App, BlockButtonAction } from '@slack/bolt';
import { TASK_ACTIONS } from '../../../views/task-message.js';
import type { Services } from '../../services.js';
import { rollBackLayer } from '../../workflow/gallery-latest.js';
import { onTaskButton } from './guard.js';

/** Roll back (after Slack's confirm dialog): the layer's latest goes back to the previous promoted image version. */
export function registerRollBack(app: App, services: Services): void {
  app.action<BlockButtonAction>(TASK_ACTIONS.rollBack, (args) =>
    onTaskButton(args, services, 'approve-versions', 'roll back a version', async ({ run, userId, tell }) => {
      const refusal = await rollBackLayer(run, userId);
      if (refusal) await tell(refusal);
    }),
  );
}
