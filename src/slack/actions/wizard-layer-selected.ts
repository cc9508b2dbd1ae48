import type { App, BlockStaticSelectAction } from '@slack/bolt';
import type { Services } from '../../services.js';
import { authorize } from '../authorize.js';
import { saveDraft } from '../../workflow/drafts.js';
import { wizardStepView } from '../../workflow/wizard.js';
import { ACTION, CALLBACK, WIZARD_FIELD } from '../../../views/ids.js';
import { readViewState } from '../../../views/state.js';
import { draftOfView } from '../wizard.js';
import { tellUser } from '../replies.js';

/**
 * Step 1's layer select: the step is rebuilt around the chosen layer (its versions, the base
 * version's size floor). What was typed so far is kept; the base version and size start over
 * at the new layer's defaults, because the old ones belong to another layer.
 */
export function register(app: App, services: Services): void {
  app.action<BlockStaticSelectAction>({ action_id: ACTION.wizardLayerSelected, type: 'block_actions' }, async (args) => {
    const { ack, body, action, client } = args;
    await ack();
    const auth = await authorize(services, body.user.id, 'add-version', 'add a version to an OS layer');
    if (!auth.ok) return tellUser(args, auth.message);
    const view = body.view!;
    const found = await draftOfView(services.repos, view, body.user.id);
    if (!found.ok) {
      await client.views.update({ view_id: view.id, view: found.view });
      return;
    }
    const layer = await services.repos.layers.get(action.selected_option.value);
    const draft = await saveDraft(services.repos, found.draft, {
      values: {
        ...readViewState(view.state),
        [WIZARD_FIELD.layerId]: layer?._id ?? null,
        [WIZARD_FIELD.baseVersionId]: layer?.latestVersionId ?? null,
        [WIZARD_FIELD.maxLayerSizeGb]: null,
      },
    });
    await client.views.update({ view_id: view.id, hash: view.hash, view: await wizardStepView(services.repos, draft, CALLBACK.wizardVersionDetails) });
  });
}
