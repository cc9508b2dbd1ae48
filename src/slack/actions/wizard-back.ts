import type { App, BlockButtonAction } from '@slack/bolt';
import type { Services } from '../../services.js';
import { authorize } from '../authorize.js';
import { saveDraft } from '../../workflow/drafts.js';
import { isWizardStep, wizardStepView } from '../../workflow/wizard.js';
import { ACTION } from '../../../views/ids.js';
import { readViewState } from '../../../views/state.js';
import { draftOfView } from '../wizard.js';
import { tellUser } from '../replies.js';

/**
 * Back: what is on the current step is kept as typed (not checked: the user is leaving it,
 * and Next checks it again), so going forward again shows it unchanged.
 */
export function register(app: App, services: Services): void {
  app.action<BlockButtonAction>({ action_id: ACTION.wizardBack, type: 'block_actions' }, async (args) => {
    const { ack, body, action, client } = args;
    await ack();
    const auth = await authorize(services, body.user.id, 'add-version', 'add a version to an OS layer');
    if (!auth.ok) return tellUser(args, auth.message);
    const view = body.view!;
    const step = action.value;
    if (!isWizardStep(step)) return;
    const found = await draftOfView(services.repos, view, body.user.id);
    if (!found.ok) {
      await client.views.update({ view_id: view.id, view: found.view });
      return;
    }
    const draft = await saveDraft(services.repos, found.draft, { step, values: readViewState(view.state) });
    await client.views.update({ view_id: view.id, hash: view.hash, view: await wizardStepView(services.repos, draft, step) });
  });
}
