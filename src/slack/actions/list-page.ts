import type { App, BlockButtonAction } from '@slack/bolt';
import type { Services } from '../../services.js';
import { authorize } from '../authorize.js';
import { ACTION } from '../../../views/ids.js';
import { connectorsListMessage, layersListMessage } from '../lists.js';
import { tellUser } from '../replies.js';

const LISTS: Record<string, typeof layersListMessage> = {
  [ACTION.layersPagePrevious]: layersListMessage,
  [ACTION.layersPageNext]: layersListMessage,
  [ACTION.connectorsPagePrevious]: connectorsListMessage,
  [ACTION.connectorsPageNext]: connectorsListMessage,
};

/** Previous/Next on the layer and connector lists (value: the page to show): the message is redrawn in place. */
export function register(app: App, services: Services): void {
  app.action<BlockButtonAction>({ action_id: new RegExp(`^(${Object.keys(LISTS).join('|')})$`), type: 'block_actions' }, async (args) => {
    const { ack, body, action, respond } = args;
    await ack();
    const auth = await authorize(services, body.user.id, 'view', 'see this list');
    if (!auth.ok) return tellUser(args, auth.message);
    const list = LISTS[action.action_id]!;
    await respond({ replace_original: true, ...(await list(services.repos, auth.role, Number(action.value) || 0)) });
  });
}
