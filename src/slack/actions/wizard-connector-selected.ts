import type { App, BlockStaticSelectAction } from '@slack/bolt';
import type { Services } from '../../services.js';
import { authorize } from '../authorize.js';
import { saveDraft } from '../../workflow/drafts.js';
import { wizardStepView } from '../../workflow/wizard.js';
import { ACTION, CALLBACK, WIZARD_FIELD } from '../../../views/ids.js';
import { draftOfView } from '../wizard.js';
import { tellUser } from '../replies.js';

/** Step 2's connector select: the choice is kept in the draft and the step rebuilt so Edit targets it. */
export function register(app: App, services: Services): void {
  app.action<BlockStaticSelectAction>({ action_id: ACTION.wizardConnectorSelected, type: 'block_actions' }, async (args) => {
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
    const draft = await saveDraft(services.repos, found.draft, { values: { [WIZARD_FIELD.connectorId]: action.selected_option.value } });
    await client.views.update({ view_id: view.id, hash: view.hash, view: await wizardStepView(services.repos, draft, CALLBACK.wizardConnector) });
  });
}
