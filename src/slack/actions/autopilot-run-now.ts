import type { App, BlockButtonAction } from '@slack/bolt';
import type { Services } from '../../services.js';
import { startAutopilotRun } from '../../workflow/autopilot-start.js';
import { runNowAnswer } from '../../../views/autopilot.js';
import { ACTION } from '../../../views/ids.js';
import { mrkdwn } from '../../../views/blocks.js';
import { authorize } from '../authorize.js';
import { tellUser } from '../replies.js';

/** Run now in the autopilot modal: a run of the layer starts now with its saved schedule's settings, and the clicker is told what happened. */
export function register(app: App, services: Services): void {
  app.action<BlockButtonAction>({ action_id: ACTION.autopilotRunNow, type: 'block_actions' }, async (args) => {
    const { ack, body, action } = args;
    await ack();
    const auth = await authorize(services, body.user.id, 'add-version', 'start an autopilot run');
    if (!auth.ok) return tellUser(args, auth.message);
    const layer = await services.repos.layers.get(action.value ?? '');
    if (!layer) return tellUser(args, mrkdwn`That layer no longer exists.`);
    const outcome = await startAutopilotRun(services, layer._id, { kind: 'run-now', userId: body.user.id });
    await tellUser(args, runNowAnswer(layer.name, outcome));
  });
}
