import type { App, BlockButtonAction } from '@slack/bolt';
import type { Services } from '../../services.js';
import { authorize } from '../authorize.js';
import { listModal, tellUser } from '../replies.js';
import { OPERATIONS_ACTIONS } from '../../../views/operations.js';
import { currentOperations, OPERATIONS_TITLE } from './current.js';

/** Operations on App Home: the job queue in a modal (a Home tab is no conversation, and Home has a block limit). */
export function register(app: App, services: Services): void {
  app.action<BlockButtonAction>({ action_id: OPERATIONS_ACTIONS.open, type: 'block_actions' }, async (args) => {
    const { ack, body, client } = args;
    await ack();
    const auth = await authorize(services, body.user.id, 'operate-jobs', 'see and operate the job queue');
    if (!auth.ok) return tellUser(args, auth.message);
    await client.views.open({ trigger_id: body.trigger_id, view: listModal(await currentOperations(services), OPERATIONS_TITLE) });
  });
}
