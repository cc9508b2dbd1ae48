import type { App, BlockButtonAction } from '@slack/bolt';
import { TASK_ACTIONS } from '../../../views/task-message.js';
import type { Services } from '../../services.js';
import { retryAutopilotRun } from '../../workflow/autopilot-run.js';
import { onTaskButton } from './guard.js';

/** Retry from <step>, on a stopped autopilot run: the run goes on from the step it stopped at. Who may add a version may retry one. */
export function registerAutopilotRetry(app: App, services: Services): void {
  app.action<BlockButtonAction>(TASK_ACTIONS.autopilotRetry, (args) =>
    onTaskButton(args, services, 'add-version', 'retry an autopilot run', async (ctx) => {
      await ctx.tell(await retryAutopilotRun(ctx.run, ctx.userId));
    }),
  );
}
