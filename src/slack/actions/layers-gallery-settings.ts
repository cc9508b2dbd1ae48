import type { App, BlockButtonAction } from '@slack/bolt';
import { galleryPolicyOf } from '../../domain/gallery.js';
import type { Services } from '../../services.js';
import { authorize } from '../authorize.js';
import { ACTION } from '../../../views/ids.js';
import { layerGalleryModal } from '../../../views/layer-gallery.js';
import { mrkdwn } from '../../../views/blocks.js';
import { tellUser } from '../replies.js';

/** Gallery Settings on the layer list (Administrators): the layer's approval policy, end of life and request expiry. */
export function register(app: App, services: Services): void {
  app.action<BlockButtonAction>({ action_id: ACTION.layersGallerySettings, type: 'block_actions' }, async (args) => {
    const { ack, body, action, client } = args;
    await ack();
    const auth = await authorize(services, body.user.id, 'set-approval-policy', "change a layer's gallery settings");
    if (!auth.ok) return tellUser(args, auth.message);
    const layer = await services.repos.layers.get(action.value ?? '');
    if (!layer) return tellUser(args, mrkdwn`That layer no longer exists.`);
    await client.views.open({ trigger_id: body.trigger_id, view: layerGalleryModal(layer, galleryPolicyOf(layer)) });
  });
}
