import type { App } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import { parseLayerGalleryForm, policyLabel } from '../../domain/gallery.js';
import type { Services } from '../../services.js';
import { recordAudit } from '../../workflow/audit.js';
import { escapeMrkdwn, mrkdwn } from '../../../views/blocks.js';
import { CALLBACK } from '../../../views/ids.js';
import { errorsForView, readViewState } from '../../../views/state.js';
import { authorize } from '../authorize.js';
import { noticeView } from '../replies.js';
import type { ViewSubmissionArgs } from './wizard-step.js';

const TITLE = 'Gallery settings';

/** Save on a layer's Gallery Settings (store reads only, no Azure): problems come back on their inputs; the change is audited. */
export function register(app: App, services: Services): void {
  app.view(CALLBACK.layerGallery, async ({ ack, body, view }: ViewSubmissionArgs) => {
    const userId = body.user.id;
    const auth = await authorize(services, userId, 'set-approval-policy', "change a layer's gallery settings");
    if (!auth.ok) return ack({ response_action: 'update', view: noticeView(auth.message, TITLE) });
    const layer = await services.repos.layers.get(view.private_metadata);
    if (!layer) return ack({ response_action: 'update', view: noticeView(mrkdwn`That layer no longer exists.`, TITLE) });
    const parsed = parseLayerGalleryForm(readViewState(view.state), layer.vmGeneration);
    if (!parsed.ok) return ack({ response_action: 'errors', errors: errorsForView(view as unknown as Pick<ModalView, 'blocks'>, parsed.errors) });
    const policy = parsed.value;
    await services.repos.layers.update(layer._id, { gallery: policy });
    await recordAudit(services.repos, { actor: userId, action: 'layer.gallery-settings', target: `layer:${layer._id}`, details: { ...policy } });
    await ack({
      response_action: 'update',
      view: noticeView(
        mrkdwn`Saved for *${escapeMrkdwn(layer.name)}*: ${escapeMrkdwn(policyLabel(policy.approval))}; image versions end their life ${policy.endOfLifeDays} days after publishing; an approval request expires after ${policy.approvalExpiryDays} days.`,
        TITLE,
      ),
    });
  });
}
