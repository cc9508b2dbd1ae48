import type { App, BlockButtonAction } from '@slack/bolt';
import { TASK_ACTIONS } from '../../../views/task-message.js';
import type { Services } from '../../services.js';
import { promoteVersion } from '../../workflow/gallery-latest.js';
import { onTaskButton } from './guard.js';

/** Promote: the version's image version joins the gallery's latest; Approve Versions, and under two-person not its creator. */
export function registerPromote(app: App, services: Services): void {
  app.action<BlockButtonAction>(TASK_ACTIONS.promote, (args) =>
    onTaskButton(args, services, 'approve-versions', 'promote a version', async ({ run, userId, tell }) => {
      const refusal = await promoteVersion(run, userId);
      if (refusal) await tell(refusal);
    }),
  );
}
