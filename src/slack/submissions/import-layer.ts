import type { App } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import type { Services } from '../../services.js';
import { authorize } from '../authorize.js';
import { checkImportForm, importLayer } from '../../workflow/import-layer.js';
import { escapeMrkdwn, mrkdwn } from '../../../views/blocks.js';
import { CALLBACK } from '../../../views/ids.js';
import { importLayerModal } from '../../../views/layers.js';
import { errorsForView, readViewState } from '../../../views/state.js';
import { noticeView } from '../replies.js';
import type { ViewSubmissionArgs } from './wizard-step.js';

const TITLE = 'Import OS Layer';

/**
 * Import on the import-layer modal. The form, the name and the connector are checked before the
 * ack (field errors on their inputs); the VHD in storage is Azure's to answer, so that runs after
 * the ack ("Checking…") and the modal is updated with the result — or back to the form, as typed,
 * with what Azure said on top.
 */
export function register(app: App, services: Services): void {
  app.view(CALLBACK.importLayer, async ({ ack, body, view, client }: ViewSubmissionArgs) => {
    const auth = await authorize(services, body.user.id, 'import-layer', 'import an OS layer');
    if (!auth.ok) return ack({ response_action: 'update', view: noticeView(auth.message, TITLE) });
    const typed = readViewState(view.state);
    const local = await checkImportForm(services.repos, typed);
    if (!local.ok) return ack({ response_action: 'errors', errors: errorsForView(view as unknown as Pick<ModalView, 'blocks'>, local.errors) });
    await ack({ response_action: 'update', view: noticeView(mrkdwn`:hourglass_flowing_sand: Checking the VHD in Azure…`, TITLE) });

    const result = await importLayer(services, typed, body.user.id);
    if (!result.ok) {
      const values = Object.fromEntries(Object.entries(typed).map(([k, v]) => [k, v === undefined || v === null ? undefined : String(v)]));
      const notice = Object.values(result.errors).join(' ');
      await client.views.update({ view_id: view.id, view: importLayerModal({ connectors: await services.repos.connectors.list(), values, notice }) });
      return;
    }
    const { layer, version } = result;
    await client.views.update({
      view_id: view.id,
      view: noticeView(
        mrkdwn`Imported OS layer “${escapeMrkdwn(layer.name)}”. Its first version, “${escapeMrkdwn(version.name)}”, is deployable. Run \`/oslayer add-version ${escapeMrkdwn(layer.name)}\` to start a new version from it.`,
        TITLE,
      ),
    });
  });
}
