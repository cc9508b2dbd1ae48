import type { App, BlockButtonAction } from '@slack/bolt';
import { TASK_ACTIONS } from '../../../views/task-message.js';
import type { Services } from '../../services.js';
import { requestUpdateRun } from '../../workflow/machine-requests.js';
import { onTaskButton } from './guard.js';
import { mrkdwn } from '../../../views/blocks.js';

/** Retry updates after a run stopped: a new run in the same mode, which starts with a fresh search. */
export function registerRetryUpdates(app: App, services: Services): void {
  app.action<BlockButtonAction>(TASK_ACTIONS.retryUpdates, (args) =>
    onTaskButton(args, services, 'operate-machine', 'install updates on the packaging machine', async (ctx) => {
      const last = ctx.run.version.windowsUpdates;
      if (last?.status !== 'failed') return ctx.tell(mrkdwn`There is no stopped update run to retry; click *Install updates* to start one.`);
      await requestUpdateRun(services, ctx, last.mode, { excludeKbs: ctx.run.layer.excludeKbs ?? [], includeKbs: last.includeKbs ?? [] });
    }),
  );
}
