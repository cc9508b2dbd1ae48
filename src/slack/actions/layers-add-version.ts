import type { App, BlockButtonAction } from '@slack/bolt';
import type { Services } from '../../services.js';
import { authorize } from '../authorize.js';
import { ACTION } from '../../../views/ids.js';
import { openWizard } from '../wizard.js';
import { tellUser } from '../replies.js';

/** Add Version on a layer in the layer list (value: the layer id): the wizard for that layer. */
export function register(app: App, services: Services): void {
  app.action<BlockButtonAction>({ action_id: ACTION.layersAddVersion, type: 'block_actions' }, async (args) => {
    const { ack, body, action, client } = args;
    await ack();
    const auth = await authorize(services, body.user.id, 'add-version', 'add a version to an OS layer');
    if (!auth.ok) return tellUser(args, auth.message);
    await openWizard(services, client, { triggerId: body.trigger_id, userId: body.user.id, channelId: body.channel?.id, layerId: action.value });
  });
}
