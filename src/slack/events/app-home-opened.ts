import type { App } from '@slack/bolt';
import { allows } from '../../domain/permissions.js';
import type { Services } from '../../services.js';
import { homeView } from '../../../views/home.js';
import { taskListItems } from '../task-views/list.js';

/** The Home tab, rebuilt from the store each time it is opened (Bolt acks events before this runs). */
export function register(app: App, services: Services): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    const { repos } = services;
    const [role, layers, versions, connectors, openTasks] = await Promise.all([
      repos.roles.roleOf(event.user, services.config.admins),
      repos.layers.list(),
      repos.versions.list(),
      repos.connectors.list({}, { sort: { name: 1 } }),
      taskListItems(repos, 'open'),
    ]);
    const view = homeView({
      role,
      can: { addVersion: allows(role, 'add-version'), manageConnectors: allows(role, 'manage-connectors'), manageRoles: allows(role, 'manage-roles') },
      layers: layers.map((layer) => ({ layer, versions: versions.filter((v) => v.layerId === layer._id) })),
      openTasks,
      connectorNames: connectors.map((c) => c.name),
    });
    await client.views.publish({ user_id: event.user, view });
  });
}
