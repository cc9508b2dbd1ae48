import type { App, BlockButtonAction } from '@slack/bolt';
import type { Services } from '../../services.js';
import { authorize } from '../authorize.js';
import { connectorsListMessage } from '../lists.js';
import { HOME_ACTIONS } from '../../../views/home.js';

/**
 * Manage connectors on App Home. The connector list's buttons answer in the conversation they
 * sit in, which a Home tab is not, so the list goes to the app's Messages tab, where they work.
 */
export function register(app: App, services: Services): void {
  app.action<BlockButtonAction>({ action_id: HOME_ACTIONS.manageConnectors, type: 'block_actions' }, async ({ ack, body, client }) => {
    await ack();
    const userId = body.user.id;
    const auth = await authorize(services, userId, 'manage-connectors', 'manage platform connector configurations');
    if (!auth.ok) {
      await client.chat.postMessage({ channel: userId, text: auth.message });
      return;
    }
    await client.chat.postMessage({ channel: userId, ...(await connectorsListMessage(services.repos, auth.role)) });
  });
}
