import type { App, BlockStaticSelectAction } from '@slack/bolt';
import type { Services } from '../../services.js';
import { versionChangelogText } from '../../workflow/changelog.js';
import { authorize } from '../authorize.js';
import { ACTION } from '../../../views/ids.js';
import { versionDetailsModal } from '../../../views/layers.js';
import { tellUser } from '../replies.js';
import { mrkdwn } from '../../../views/blocks.js';

/** A version picked in the layer list: its details and changelog, for anyone who may list layers. */
export function register(app: App, services: Services): void {
  app.action<BlockStaticSelectAction>({ action_id: ACTION.layersVersionDetails, type: 'block_actions' }, async (args) => {
    const { ack, body, action, client } = args;
    await ack();
    const auth = await authorize(services, body.user.id, 'view', 'see version details');
    if (!auth.ok) return tellUser(args, auth.message);
    // A payload without a selection (nothing Slack sends, but anyone can post) finds no version.
    const version = await services.repos.versions.get(action.selected_option?.value ?? '');
    const layer = version ? await services.repos.layers.get(version.layerId) : null;
    if (!version || !layer) return tellUser(args, mrkdwn`That version no longer exists.`);
    const base = version.baseVersionId ? await services.repos.versions.get(version.baseVersionId) : null;
    const changelog = await versionChangelogText(services.repos, version);
    const task = version.galleryImage ? await services.repos.tasks.findOne({ versionId: version._id }) : null;
    await client.views.open({ trigger_id: body.trigger_id, view: versionDetailsModal({ layer, version, baseName: base?.name, changelog, taskId: task?._id }) });
  });
}
