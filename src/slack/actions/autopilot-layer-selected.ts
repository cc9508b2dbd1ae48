import type { App, BlockStaticSelectAction } from '@slack/bolt';
import type { Services } from '../../services.js';
import { ACTION } from '../../../views/ids.js';
import { mrkdwn } from '../../../views/blocks.js';
import { authorize } from '../authorize.js';
import { autopilotView } from '../autopilot/modal.js';
import { tellUser } from '../replies.js';
import { updateViewGuarded } from '../view-updates.js';

/** The autopilot modal's layer picker: the modal is rebuilt around the chosen layer's schedule (what was typed for the other layer is not kept). */
export function register(app: App, services: Services): void {
  app.action<BlockStaticSelectAction>({ action_id: ACTION.autopilotLayerSelected, type: 'block_actions' }, async (args) => {
    const { ack, body, action, client } = args;
    await ack();
    const auth = await authorize(services, body.user.id, 'add-version', "change an OS layer's autopilot schedule");
    if (!auth.ok) return tellUser(args, auth.message);
    const view = body.view;
    if (!view) return;
    const built = await autopilotView(services, { layerId: action.selected_option?.value ?? '' });
    if (!built) return tellUser(args, mrkdwn`There are no OS layers any more.`);
    await updateViewGuarded(client, view.id, view.hash, async () => built);
  });
}
