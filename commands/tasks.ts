import type { SubcommandHandler } from './types.js';
import { authorize } from '../src/slack/authorize.js';
import { tasksListMessage } from '../src/slack/task-views/list.js';
import { ephemeral } from '../views/blocks.js';

/** `/oslayer tasks [all]`: the open tasks, or the 50 most recent of any status, visible only to the caller. */
export const tasks: SubcommandHandler = async ({ ack, command, args, services }) => {
  const auth = await authorize(services, command.user_id, 'view', 'list tasks');
  if (!auth.ok) {
    await ack(ephemeral(auth.message));
    return;
  }
  const scope = args[0]?.toLowerCase() === 'all' ? 'all' : 'open';
  await ack({ response_type: 'ephemeral', ...(await tasksListMessage(services.repos, scope)) });
};
