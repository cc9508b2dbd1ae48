import type { TaskStatus } from '../../domain/model.js';
import type { Repositories } from '../../store/repositories.js';
import type { Message } from '../../../views/blocks.js';
import { RECENT_TASKS, tasksMessage, type TaskListItem, type TaskScope } from '../../../views/tasks.js';

/** Running, or waiting for someone; done, failed and cancelled tasks are finished. */
export const OPEN_TASK_STATUSES: TaskStatus[] = ['running', 'action-required'];

/** Newest first, with the names of their layer and version. */
export async function taskListItems(repos: Repositories, scope: TaskScope): Promise<TaskListItem[]> {
  const tasks =
    scope === 'open'
      ? await repos.tasks.list({ status: { $in: OPEN_TASK_STATUSES } }, { sort: { createdAt: -1 } })
      : await repos.tasks.list({}, { sort: { createdAt: -1 }, limit: RECENT_TASKS });
  const [versions, layers] = await Promise.all([
    repos.versions.list({ _id: { $in: tasks.map((t) => t.versionId) } }),
    repos.layers.list({ _id: { $in: tasks.map((t) => t.layerId) } }),
  ]);
  const versionName = new Map(versions.map((v) => [v._id, v.name]));
  const layerName = new Map(layers.map((l) => [l._id, l.name]));
  return tasks.map((task) => ({ task, layerName: layerName.get(task.layerId), versionName: versionName.get(task.versionId) }));
}

export async function tasksListMessage(repos: Repositories, scope: TaskScope, page = 0): Promise<Message> {
  return tasksMessage(await taskListItems(repos, scope), { scope, page });
}
