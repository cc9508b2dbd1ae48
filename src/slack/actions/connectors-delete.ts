import type { App, BlockButtonAction } from '@slack/bolt';
import type { Services } from '../../services.js';
import { authorize } from '../authorize.js';
import { deleteConnector } from '../../workflow/connectors.js';
import { ACTION } from '../../../views/ids.js';
import { connectorsListMessage } from '../lists.js';
import { redraw, tellUser } from '../replies.js';
import { escapeMrkdwn, mrkdwn } from '../../../views/blocks.js';

/** Delete (after the button's confirm dialog): refused while a layer or an open task uses the connector. */
export function register(app: App, services: Services): void {
  app.action<BlockButtonAction>({ action_id: ACTION.connectorsDelete, type: 'block_actions' }, async (args) => {
    const { ack, body, action } = args;
    await ack();
    const auth = await authorize(services, body.user.id, 'manage-connectors', 'delete a platform connector configuration');
    if (!auth.ok) return tellUser(args, auth.message);
    const result = await deleteConnector(services, action.value ?? '', body.user.id);
    if (!result.ok) return tellUser(args, result.message);
    await redraw(args, await connectorsListMessage(services.repos, auth.role), 'Connectors');
    await tellUser(args, mrkdwn`Deleted connector “${escapeMrkdwn(result.name)}” and its stored credentials. Nothing in Azure was touched.`);
  });
}
