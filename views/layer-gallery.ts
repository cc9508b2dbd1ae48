/** A layer's Compute Gallery policy: who may promote, the image versions' end of life, how long an approval request stays open. */
import type { ModalView } from '@slack/types';
import type { LayerGalleryPolicy, OsLayer } from '../src/domain/model.js';
import { POLICY_LIMITS } from '../src/domain/gallery.js';
import { input, modal, mrkdwn, option, radioButtons, section, textInput, userText } from './blocks.js';
import { ACTION, CALLBACK, LAYER_GALLERY_FIELD as F } from './ids.js';

export function layerGalleryModal(layer: Pick<OsLayer, '_id' | 'name' | 'vmGeneration'>, policy: LayerGalleryPolicy): ModalView {
  const [minEol, maxEol] = POLICY_LIMITS.endOfLifeDays;
  const [minExpiry, maxExpiry] = POLICY_LIMITS.approvalExpiryDays;
  return modal({
    callbackId: CALLBACK.layerGallery,
    title: 'Gallery settings',
    submit: 'Save',
    privateMetadata: layer._id,
    blocks: [
      section(mrkdwn`How versions of *${userText(layer.name, 100)}* are published to its connector's Compute Gallery. Changes apply to versions published from now on.`),
      input(
        F.approval,
        'Who May Promote',
        radioButtons(
          ACTION.input,
          [
            option('Two people: anyone with Approve Versions but the version’s creator', 'two-person'),
            option('Single: anyone with Approve Versions, the creator included', 'single'),
          ],
          policy.approval,
        ),
      ),
      input(F.endOfLifeDays, 'End of Life (days)', textInput(ACTION.input, { initial: String(policy.endOfLifeDays) }), {
        hint: `The image version's endOfLifeDate, counted from publishing (${minEol}–${maxEol}).`,
      }),
      input(F.approvalExpiryDays, 'Approval Request Expires (days)', textInput(ACTION.input, { initial: String(policy.approvalExpiryDays) }), {
        hint: `After this a published version can no longer be promoted (${minExpiry}–${maxExpiry}).`,
      }),
      ...(layer.vmGeneration === 'V2'
        ? [
            input(
              F.trustedLaunchSupported,
              'Trusted Launch',
              radioButtons(
                ACTION.input,
                [option('The base boots as Trusted Launch: TrustedLaunchSupported', 'yes'), option('Standard security type', 'no')],
                policy.trustedLaunchSupported ? 'yes' : 'no',
              ),
              { hint: 'Read when the bot creates the layer’s image definition; an existing definition keeps its security type.' },
            ),
          ]
        : []),
    ],
  });
}
