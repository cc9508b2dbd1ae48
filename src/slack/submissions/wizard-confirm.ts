import type { App } from '@slack/bolt';
import type { Services } from '../../services.js';
import { authorize } from '../authorize.js';
import { createVersion } from '../../workflow/create-version.js';
import { consumeDraft, releaseDraft } from '../../workflow/drafts.js';
import { checkWholeDraft, wizardStepView } from '../../workflow/wizard.js';
import { CALLBACK } from '../../../views/ids.js';
import { draftUnavailableView } from '../../../views/wizard.js';
import { noticeView } from '../replies.js';
import { draftOfView } from '../wizard.js';
import type { ViewSubmissionArgs } from './wizard-step.js';

/**
 * Create Version. Everything is checked again (a name may have been taken, a blob written, a
 * connector deleted since the step was passed); a problem sends the user to its step with the
 * reason on top. The draft is consumed once, so a double submit creates one version.
 */
export function register(app: App, services: Services): void {
  app.view(CALLBACK.wizardConfirm, async ({ ack, body, view, client }: ViewSubmissionArgs) => {
    const { repos } = services;
    const userId = body.user.id;
    const auth = await authorize(services, userId, 'add-version', 'add a version to an OS layer');
    if (!auth.ok) return ack({ response_action: 'update', view: noticeView(auth.message, 'Create OS Version') });
    const found = await draftOfView(repos, view, userId);
    if (!found.ok) return ack({ response_action: 'update', view: found.view });
    const { draft } = found;

    const checked = await checkWholeDraft(services, draft);
    if (!checked.ok) return ack({ response_action: 'update', view: await wizardStepView(repos, draft, checked.step, checked.message) });
    if (!(await consumeDraft(repos, draft._id))) return ack({ response_action: 'update', view: draftUnavailableView('used') });

    const created = await createVersion(services, { ...checked.request, requestedBy: userId });
    if (!created.ok) {
      // Someone took the name between the check and the insert: let this user pick another.
      await releaseDraft(repos, draft._id);
      return ack({ response_action: 'update', view: await wizardStepView(repos, draft, CALLBACK.wizardVersionDetails, created.message) });
    }
    await ack({ response_action: 'clear' });
    // After the ack: posting is a Slack round trip that need not hold the modal open.
    const channel = services.config.notifyChannel ?? draft.channelId;
    if (channel) {
      await services.notifier.post(created.task._id, channel);
    } else {
      await client.chat.postMessage({ channel: userId, text: `Version “${created.version.name}” is being created. \`/oslayer tasks\` shows its progress.` });
    }
  });
}
