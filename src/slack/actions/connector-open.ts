import type { App, BlockButtonAction } from '@slack/bolt';
import type { Services } from '../../services.js';
import { authorize } from '../authorize.js';
import { ACTION } from '../../../views/ids.js';
import { draftIdOf } from '../../../views/wizard.js';
import { connectorModalFor } from '../connector-modals.js';
import { openOver, tellUser } from '../replies.js';

const NEW = new Set<string>([ACTION.connectorsNew, ACTION.wizardConnectorNew]);
const ALL = [ACTION.connectorsNew, ACTION.wizardConnectorNew, ACTION.connectorsEdit, ACTION.wizardConnectorEdit];

/**
 * New and Edit, on the connector list or on the wizard's Connector step (value: the connector
 * id for Edit). From the wizard the modal is pushed on top and remembers the draft, so saving
 * returns to the wizard with the connector selected; from the list it opens on its own.
 */
export function register(app: App, services: Services): void {
  app.action<BlockButtonAction>({ action_id: new RegExp(`^(${ALL.join('|')})$`), type: 'block_actions' }, async (args) => {
    const { ack, body, action } = args;
    await ack();
    const isNew = NEW.has(action.action_id);
    const auth = await authorize(services, body.user.id, 'manage-connectors', `${isNew ? 'add' : 'edit'} a platform connector configuration`);
    if (!auth.ok) return tellUser(args, auth.message);
    const draftId = draftIdOf(body.view?.private_metadata);
    const view = await connectorModalFor(services.repos, { ...(isNew ? {} : { connectorId: action.value }), ...(draftId ? { draftId } : {}) });
    await openOver(args, view);
  });
}
