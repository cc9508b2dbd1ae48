import type { App } from '@slack/bolt';
import type { Services } from '../../services.js';
import { authorize } from '../authorize.js';
import { createVersion } from '../../workflow/create-version.js';
import { consumeDraft, releaseDraft } from '../../workflow/drafts.js';
import { checkWholeDraft, wizardStepView } from '../../workflow/wizard.js';
import { channelLink, escapeMrkdwn, mrkdwn } from '../../../views/blocks.js';
import { CALLBACK } from '../../../views/ids.js';
import { draftUnavailableView } from '../../../views/wizard.js';
import { noticeView } from '../replies.js';
import { taskChannelProblem } from '../task-channel.js';
import { draftOfView } from '../wizard.js';
import type { ViewSubmissionArgs } from './wizard-step.js';

const TITLE = 'Create OS Version';

/**
 * Create Version. Acks at once with "Checking…" after the local checks (role, draft, one use of
 * it); everything that needs Slack or Azure runs after the ack and reports by updating the modal:
 * the task channel must take the bot's message (else nothing is created and the modal says the
 * fix), every value is checked again (a name may have been taken, a blob written, a connector
 * deleted since the step was passed) — a problem sends the user back to its step with the reason
 * on top — and only then is the version created and its task message posted.
 */
export function register(app: App, services: Services): void {
  app.view(CALLBACK.wizardConfirm, async ({ ack, body, view, client }: ViewSubmissionArgs) => {
    const { repos, logger } = services;
    const userId = body.user.id;
    const auth = await authorize(services, userId, 'add-version', 'add a version to an OS layer');
    if (!auth.ok) return ack({ response_action: 'update', view: noticeView(auth.message, TITLE) });
    const found = await draftOfView(repos, view, userId);
    if (!found.ok) return ack({ response_action: 'update', view: found.view });
    const { draft } = found;
    // The draft is consumed once, so a double submit creates one version.
    if (!(await consumeDraft(repos, draft._id))) return ack({ response_action: 'update', view: draftUnavailableView('used') });
    await ack({ response_action: 'update', view: noticeView(mrkdwn`:hourglass_flowing_sand: Checking the notification channel and every value against Azure…`, TITLE) });

    const show = (next: Parameters<typeof client.views.update>[0]['view']) => client.views.update({ view_id: view.id, view: next });
    const backTo = async (step: Parameters<typeof wizardStepView>[2], message: string) => {
      await releaseDraft(repos, draft._id);
      await show(await wizardStepView(repos, draft, step, message));
    };
    const channel = draft.channelId;
    const channelProblem = await taskChannelProblem(client, channel);
    if (channelProblem) return void (await backTo(CALLBACK.wizardConfirm, channelProblem));
    const checked = await checkWholeDraft(services, draft);
    if (!checked.ok) return void (await backTo(checked.step, checked.message));
    const created = await createVersion(services, { ...checked.request, requestedBy: userId });
    // Someone took the name between the check and the insert: let this user pick another.
    if (!created.ok) return void (await backTo(CALLBACK.wizardVersionDetails, created.message));

    const name = escapeMrkdwn(created.version.name);
    try {
      await services.notifier.post(created.task._id, channel!);
      await show(noticeView(mrkdwn`Version *${name}* is being created. Its task message is in ${channelLink(channel!)}; its buttons take you through the rest.`, TITLE));
    } catch (err) {
      // The channel passed the check a moment ago; the version is created either way and is not stranded.
      logger.warn(`task ${created.task._id}: could not post its message in ${channel}: ${(err as Error).message}`);
      await show(
        noticeView(
          mrkdwn`Version *${name}* is being created, but I could not post its task message in ${channelLink(channel!)}. \`/oslayer tasks\` → *View* shows where it stands.`,
          TITLE,
        ),
      );
    }
  });
}
