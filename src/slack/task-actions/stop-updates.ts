import type { App, BlockButtonAction } from '@slack/bolt';
import { TASK_ACTIONS } from '../../../views/task-message.js';
import type { Services } from '../../services.js';
import { stopUpdateRun } from '../../workflow/windows-updates.js';
import { onTaskButton } from './guard.js';

/** Stop, after a run stopped on one update: the run ends there and its buttons go; the update stays pending. */
export function registerStopUpdates(app: App, services: Services): void {
  app.action<BlockButtonAction>(TASK_ACTIONS.stopUpdates, (args) =>
    onTaskButton(args, services, 'operate-machine', 'install updates on the packaging machine', async (ctx) => {
      await ctx.tell(await stopUpdateRun(ctx.run, ctx.userId));
    }),
  );
}
