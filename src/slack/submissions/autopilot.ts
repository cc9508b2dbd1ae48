import type { App } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { AUTOPILOT_FIELD, parseAutopilotForm } from '../../domain/autopilot-form.js';
import { allows } from '../../domain/permissions.js';
import type { Services } from '../../services.js';
import { saveSchedule } from '../../workflow/autopilot-schedule.js';
import { scheduleSavedText } from '../../../views/autopilot.js';
import { mrkdwn } from '../../../views/blocks.js';
import { CALLBACK } from '../../../views/ids.js';
import { errorsForView, readViewState } from '../../../views/state.js';
import { authorize } from '../authorize.js';
import { noticeView } from '../replies.js';
import { channelReach } from '../task-channel.js';
import type { ViewSubmissionArgs } from './wizard-step.js';

const TITLE = 'Autopilot';

/** Save on the autopilot modal (store and Agenda only): problems come back on their inputs; the schedule's job moves to its next firing. */
export function register(app: App, services: Services): void {
  app.view(CALLBACK.autopilot, async ({ ack, body, view, client }: ViewSubmissionArgs) => {
    const userId = body.user.id;
    const auth = await authorize(services, userId, 'add-version', "change an OS layer's autopilot schedule");
    if (!auth.ok) return ack({ response_action: 'update', view: noticeView(auth.message, TITLE) });
    const layer = await services.repos.layers.get(view.private_metadata);
    if (!layer) return ack({ response_action: 'update', view: noticeView(mrkdwn`That layer no longer exists.`, TITLE) });
    const parsed = parseAutopilotForm(readViewState(view.state), { canChooseSingleApproval: allows(auth.role, 'set-approval-policy') });
    const errors = parsed.ok ? await channelErrors(client, parsed.value.policy.channelId) : parsed.errors;
    if (!parsed.ok || errors) return ack({ response_action: 'errors', errors: errorsForView(view as unknown as Pick<ModalView, 'blocks'>, errors ?? {}) });
    const schedule = { layerId: layer._id, ...parsed.value, updatedBy: userId, updatedAt: new Date() };
    const next = await saveSchedule(services, schedule);
    await ack({ response_action: 'update', view: noticeView(scheduleSavedText(layer.name, schedule, next), TITLE) });
  });
}

/** Runs post in the schedule's channel with nobody there to invite the bot: a channel it cannot post in is refused on Save. */
async function channelErrors(client: WebClient, channel: string): Promise<Record<string, string> | undefined> {
  const reach = await channelReach(client, channel);
  if (reach === 'ok') return undefined;
  const why = {
    archived: 'That channel is archived: pick another.',
    'not-member': 'I am not a member of that private channel: invite @oslayer to it (/invite @oslayer), then Save again.',
    invisible: 'I can’t post there (a DM, a group DM or a private channel I am not in): invite @oslayer, or pick a channel I am in.',
  }[reach];
  return { [AUTOPILOT_FIELD.channelId]: why };
}
