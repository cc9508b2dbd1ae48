import type { App } from '@slack/bolt';
import type { Services } from '../../services.js';

/**
 * The Home tab, rebuilt from the store each time it is opened (Bolt acks events before this runs).
 * The person then counts as looking at it for a while: the notifier re-publishes it when a task changes.
 */
export function register(app: App, services: Services): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    const view = await services.notifier.homeOpened(event.user);
    await client.views.publish({ user_id: event.user, view });
  });
}
