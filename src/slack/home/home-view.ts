import type { HomeView } from '@slack/types';
import { allows } from '../../domain/permissions.js';
import type { Repositories } from '../../store/repositories.js';
import { homeView } from '../../../views/home.js';
import { taskListItems } from '../task-views/list.js';

export type RenderHome = (user: string) => Promise<HomeView>;

/** A person's Home tab, rebuilt from the store: on app_home_opened and when a task it shows changes. */
export function homeRenderer(repos: Repositories, admins: readonly string[]): RenderHome {
  return async (user) => {
    const [role, layers, versions, connectors, openTasks] = await Promise.all([
      repos.roles.roleOf(user, admins),
      repos.layers.list(),
      repos.versions.list(),
      repos.connectors.list({}, { sort: { name: 1 } }),
      taskListItems(repos, 'open'),
    ]);
    return homeView({
      role,
      can: { addVersion: allows(role, 'add-version'), manageConnectors: allows(role, 'manage-connectors'), manageRoles: allows(role, 'manage-roles'), operateJobs: allows(role, 'operate-jobs') },
      layers: layers.map((layer) => ({ layer, versions: versions.filter((v) => v.layerId === layer._id) })),
      openTasks,
      connectorNames: connectors.map((c) => c.name),
    });
  };
}
