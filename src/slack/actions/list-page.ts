import type { App, BlockButtonAction } from '@slack/bolt';
import type { Services } from '../../services.js';
import { authorize } from '../authorize.js';
import { ACTION } from '../../../views/ids.js';
import { connectorsListMessage, layersListMessage } from '../lists.js';
import { redraw, tellUser } from '../replies.js';

const LISTS: Record<string, [typeof layersListMessage, string]> = {
  [ACTION.layersPagePrevious]: [layersListMessage, 'OS layers'],
  [ACTION.layersPageNext]: [layersListMessage, 'OS layers'],
  [ACTION.connectorsPagePrevious]: [connectorsListMessage, 'Connectors'],
  [ACTION.connectorsPageNext]: [connectorsListMessage, 'Connectors'],
};

/** Previous/Next on the layer and connector lists (value: the page to show): the message (or modal) is redrawn in place. */
export function register(app: App, services: Services): void {
  app.action<BlockButtonAction>({ action_id: new RegExp(`^(${Object.keys(LISTS).join('|')})$`), type: 'block_actions' }, async (args) => {
    const { ack, body, action } = args;
    await ack();
    const auth = await authorize(services, body.user.id, 'view', 'see this list');
    if (!auth.ok) return tellUser(args, auth.message);
    const [list, title] = LISTS[action.action_id]!;
    await redraw(args, await list(services.repos, auth.role, Number(action.value) || 0), title);
  });
}
