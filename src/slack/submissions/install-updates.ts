import type { App } from '@slack/bolt';
import { parseKbList, updateModeSchema } from '../../domain/windows-update.js';
import type { Services } from '../../services.js';
import { requestUpdateRun } from '../../workflow/machine-requests.js';
import { TaskRun } from '../../workflow/task-run.js';
import { CALLBACK } from '../../../views/ids.js';
import { readViewState } from '../../../views/state.js';
import { escapeMrkdwn } from '../../../views/blocks.js';
import { EXCLUDE_KBS_BLOCK, INCLUDE_KBS_BLOCK, UPDATE_MODE_BLOCK } from '../../../views/windows-updates.js';
import { authorize } from '../authorize.js';
import type { ViewSubmissionArgs } from './wizard-step.js';
import { type Mrkdwn, mrkdwn } from '../../../views/blocks.js';

/**
 * Install on the Install updates modal: the modal closes at once (a submission must be answered
 * within 300 ms), then the role is checked again and the run starts; answers go to the clicking
 * user in the task message's channel.
 */
export function register(app: App, services: Services): void {
  app.view(CALLBACK.installUpdates, async ({ ack, body, view }: ViewSubmissionArgs) => {
    await ack();
    const userId = body.user.id;
    const taskId = view.private_metadata;
    const tell = (text: Mrkdwn) => services.notifier.tell(taskId, userId, text);
    const auth = await authorize(services, userId, 'operate-machine', 'install updates on the packaging machine');
    if (!auth.ok) return tell(auth.message);
    const values = readViewState(view.state);
    const mode = updateModeSchema.safeParse(values[UPDATE_MODE_BLOCK]);
    if (!mode.success) return tell(mrkdwn`Pick which updates to install.`);
    const includeKbs = parseKbList(values[INCLUDE_KBS_BLOCK] ?? '');
    const excludeKbs = parseKbList(values[EXCLUDE_KBS_BLOCK] ?? '');
    for (const [list, label] of [[includeKbs, 'Optional updates to install'], [excludeKbs, 'Exclude KBs']] as const) {
      if (!list.ok) return tell(mrkdwn`*${escapeMrkdwn(label)}*: \`${escapeMrkdwn(list.invalid)}\` is not a KB number (write KB5041578, or 5041578). Nothing was started.`);
    }
    if (!includeKbs.ok || !excludeKbs.ok) return;
    const run = await TaskRun.load(services, taskId);
    if (!run) return tell(mrkdwn`That task no longer exists.`);
    await requestUpdateRun(services, { run, userId, tell }, mode.data, { excludeKbs: excludeKbs.kbs, includeKbs: includeKbs.kbs });
  });
}
