import type { App, BlockButtonAction } from '@slack/bolt';
import type { Services } from '../../services.js';
import { authorize } from '../authorize.js';
import { tellUser } from '../replies.js';
import { TASK_VIEW_IDS } from '../../../views/tasks.js';
import { tasksListMessage } from './list.js';

/** Previous/Next on the task list (value: the page; the nav block says which list): redrawn in place. */
export function register(app: App, services: Services): void {
  const ids = [TASK_VIEW_IDS.pagePrevious, TASK_VIEW_IDS.pageNext];
  app.action<BlockButtonAction>({ action_id: new RegExp(`^(${ids.join('|')})$`), type: 'block_actions' }, async (args) => {
    const { ack, body, action, respond } = args;
    await ack();
    const auth = await authorize(services, body.user.id, 'view', 'see the task list');
    if (!auth.ok) return tellUser(args, auth.message);
    const scope = action.block_id === TASK_VIEW_IDS.navAll ? 'all' : 'open';
    await respond({ replace_original: true, ...(await tasksListMessage(services.repos, scope, Number(action.value) || 0)) });
  });
}
