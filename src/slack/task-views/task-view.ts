import type { App, BlockButtonAction } from '@slack/bolt';
import type { Services } from '../../services.js';
import { authorize } from '../authorize.js';
import { tellUser } from '../replies.js';
import { TASK_VIEW_IDS, taskDetailModal } from '../../../views/tasks.js';
import { mrkdwn } from '../../../views/blocks.js';

/** View on a listed task (value: the task id): the task detail modal, the seed's "double-click the task". */
export function register(app: App, services: Services): void {
  app.action<BlockButtonAction>({ action_id: TASK_VIEW_IDS.view, type: 'block_actions' }, async (args) => {
    const { ack, body, action, client } = args;
    await ack();
    const auth = await authorize(services, body.user.id, 'view', 'view a task');
    if (!auth.ok) return tellUser(args, auth.message);
    const { repos } = services;
    const task = await repos.tasks.get(action.value ?? '');
    if (!task) return tellUser(args, mrkdwn`That task no longer exists: finished tasks are deleted after the retention period.`);
    const [version, layer] = await Promise.all([repos.versions.get(task.versionId), repos.layers.get(task.layerId)]);
    const view = taskDetailModal({ task, version: version ?? undefined, layerName: layer?.name, now: new Date() });
    await client.views.open({ trigger_id: body.trigger_id, view });
  });
}
