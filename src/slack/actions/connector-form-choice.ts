import type { App, BlockAction, RadioButtonsAction, StaticSelectAction } from '@slack/bolt';
import type { Services } from '../../services.js';
import { authorize } from '../authorize.js';
import { ACTION } from '../../../views/ids.js';
import { connectorModal, connectorModalMetadataOf } from '../../../views/connector-modal.js';
import { readViewState } from '../../../views/state.js';
import { tellUser } from '../replies.js';
import { updateViewGuarded } from '../view-updates.js';

/**
 * The connector modal's cloud and sign-in choices: the modal is rebuilt from what is on screen
 * so only the fields that matter for the choice show. connectorModal never prefills the client
 * secret; Slack itself keeps what was typed in an input that stays in the rebuilt view.
 */
export function register(app: App, services: Services): void {
  app.action<BlockAction<StaticSelectAction | RadioButtonsAction>>(
    { action_id: new RegExp(`^(${ACTION.connectorCloudChosen}|${ACTION.connectorAuthChosen})$`), type: 'block_actions' },
    async (args) => {
      const { ack, body, client } = args;
      await ack();
      const auth = await authorize(services, body.user.id, 'manage-connectors', 'change a platform connector configuration');
      if (!auth.ok) return tellUser(args, auth.message);
      const view = body.view!;
      const metadata = connectorModalMetadataOf(view.private_metadata);
      const stored = metadata.connectorId ? await services.repos.connectors.get(metadata.connectorId) : null;
      await updateViewGuarded(client, view.id, view.hash, async () =>
        connectorModal({ values: readViewState(view.state), metadata, hasStoredSecret: stored?.auth.kind === 'client-secret' }),
      );
    },
  );
}
