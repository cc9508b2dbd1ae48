import type { App, BlockButtonAction } from '@slack/bolt';
import type { Services } from '../../services.js';
import { authorize } from '../authorize.js';
import { connectorsListMessage } from '../lists.js';
import { listModal, tellUser } from '../replies.js';
import { HOME_ACTIONS } from '../../../views/home.js';

/**
 * Manage connectors on App Home. A Home tab is no conversation and the app sends no DMs (its
 * Messages tab is off), so the connector list opens as a modal; its New/Edit/Test/Delete and
 * paging answer inside it.
 */
export function register(app: App, services: Services): void {
  app.action<BlockButtonAction>({ action_id: HOME_ACTIONS.manageConnectors, type: 'block_actions' }, async (args) => {
    const { ack, body, client } = args;
    await ack();
    const auth = await authorize(services, body.user.id, 'manage-connectors', 'manage platform connector configurations');
    if (!auth.ok) return tellUser(args, auth.message);
    await client.views.open({ trigger_id: body.trigger_id, view: listModal(await connectorsListMessage(services.repos, auth.role), 'Connectors') });
  });
}
