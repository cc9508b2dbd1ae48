import type { App } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import type { Services } from '../../services.js';
import { authorize } from '../authorize.js';
import { importLayer } from '../../workflow/import-layer.js';
import { CALLBACK } from '../../../views/ids.js';
import { errorsForView, readViewState } from '../../../views/state.js';
import { noticeView } from '../replies.js';
import type { ViewSubmissionArgs } from './wizard-step.js';
import { escapeMrkdwn } from '../../../views/blocks.js';

/** Import on the import-layer modal: the VHD is checked in storage, then the layer and its first version are registered. */
export function register(app: App, services: Services): void {
  app.view(CALLBACK.importLayer, async ({ ack, body, view }: ViewSubmissionArgs) => {
    const auth = await authorize(services, body.user.id, 'import-layer', 'import an OS layer');
    if (!auth.ok) return ack({ response_action: 'update', view: noticeView(auth.message, 'Import OS Layer') });
    const result = await importLayer(services, readViewState(view.state), body.user.id);
    if (!result.ok) return ack({ response_action: 'errors', errors: errorsForView(view as unknown as Pick<ModalView, 'blocks'>, result.errors) });
    const { layer, version } = result;
    await ack({
      response_action: 'update',
      view: noticeView(
        `Imported OS layer “${escapeMrkdwn(layer.name)}”. Its first version, “${escapeMrkdwn(version.name)}”, is deployable. ` +
          `Run \`/oslayer add-version ${escapeMrkdwn(layer.name)}\` to start a new version from it.`,
        'Import OS Layer',
      ),
    });
  });
}
