import type { App, BlockButtonAction } from '@slack/bolt';
import { TASK_ACTIONS } from '../../../views/task-message.js';
import type { Services } from '../../services.js';
import { requestUpdateRun } from '../../workflow/machine-requests.js';
import { onTaskButton } from './guard.js';
import { escapeMrkdwn, mention, mrkdwn } from '../../../views/blocks.js';

/**
 * Exclude KB and continue, after a run stopped on one update (failed twice, or offered again after
 * it installed): the KB joins the layer's Exclude KBs and a new run in the same mode installs the rest.
 */
export function registerExcludeKbAndContinue(app: App, services: Services): void {
  app.action<BlockButtonAction>(TASK_ACTIONS.excludeKbAndContinue, (args) =>
    onTaskButton(args, services, 'operate-machine', 'install updates on the packaging machine', async (ctx) => {
      const last = ctx.run.version.windowsUpdates;
      const kb = last?.status === 'failed' ? last.stuck?.kb : undefined;
      if (!last || !kb) return ctx.tell(mrkdwn`The last update run did not stop on an update with a KB number; click *Install updates* to start a new one.`);
      const excludeKbs = [...new Set([...(ctx.run.layer.excludeKbs ?? []), kb])];
      await ctx.run.thread(mrkdwn`:no_entry_sign: ${mention(ctx.userId)} added ${escapeMrkdwn(kb)} to this layer's Exclude KBs; installing the rest.`);
      await requestUpdateRun(services, ctx, last.mode, { excludeKbs, includeKbs: (last.includeKbs ?? []).filter((named) => named !== kb) });
    }),
  );
}
