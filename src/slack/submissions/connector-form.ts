import type { App } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import type { Services } from '../../services.js';
import { authorize } from '../authorize.js';
import { parseConnectorForm } from '../../domain/connector-validation.js';
import { saveConnector } from '../../workflow/connectors.js';
import { saveDraft, loadDraft } from '../../workflow/drafts.js';
import { wizardStepView } from '../../workflow/wizard.js';
import { CALLBACK, WIZARD_FIELD } from '../../../views/ids.js';
import { connectorModalMetadataOf } from '../../../views/connector-modal.js';
import { errorsForView, readViewState } from '../../../views/state.js';
import { noticeView } from '../replies.js';
import type { ViewSubmissionArgs } from './wizard-step.js';
import { escapeMrkdwn, mrkdwn } from '../../../views/blocks.js';

/**
 * Save on the New/Edit connector modal. Opened from the wizard, the modal closes back onto
 * it, and the wizard's Connector step is redrawn with the new connector selected.
 */
export function register(app: App, services: Services): void {
  app.view(CALLBACK.connector, async ({ ack, body, view, client }: ViewSubmissionArgs) => {
    const { repos } = services;
    const userId = body.user.id;
    const auth = await authorize(services, userId, 'manage-connectors', 'save a platform connector configuration');
    if (!auth.ok) return ack({ response_action: 'update', view: noticeView(auth.message) });
    const metadata = connectorModalMetadataOf(view.private_metadata);
    const existing = metadata.connectorId ? await repos.connectors.get(metadata.connectorId) : null;
    if (metadata.connectorId && !existing) return ack({ response_action: 'update', view: noticeView(mrkdwn`That connector was deleted while you were editing it; nothing was saved.`) });

    const parsed = parseConnectorForm(readViewState(view.state), { hasStoredSecret: existing?.auth.kind === 'client-secret' });
    const saved = parsed.ok ? await saveConnector(services, parsed.value, { existing: existing ?? undefined, actor: userId }) : parsed;
    if (!saved.ok) return ack({ response_action: 'errors', errors: errorsForView(view as unknown as Pick<ModalView, 'blocks'>, saved.errors) });

    const { connector } = saved;
    if (!metadata.draftId) {
      return ack({
        response_action: 'update',
        view: noticeView(mrkdwn`Saved connector “${escapeMrkdwn(connector.name)}”. Run Test on it from \`/oslayer connectors\` to check every setting against Azure.`),
      });
    }
    await ack(); // closes this modal; Slack shows the wizard underneath again
    const found = await loadDraft(repos, metadata.draftId, userId);
    const wizardViewId = view.previous_view_id ?? view.root_view_id;
    if (!found.ok || !wizardViewId) return;
    const draft = existing ? found.draft : await saveDraft(repos, found.draft, { values: { [WIZARD_FIELD.connectorId]: connector._id } });
    await client.views.update({ view_id: wizardViewId, view: await wizardStepView(repos, draft, CALLBACK.wizardConnector) });
  });
}
