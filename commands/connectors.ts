import type { SubcommandHandler } from './types.js';
import { authorize } from '../src/slack/authorize.js';
import { connectorsListMessage } from '../src/slack/lists.js';
import { ephemeral } from '../views/blocks.js';

/** `/oslayer connectors`: the platform connector configurations; Administrators also get New/Edit/Test/Delete. */
export const connectors: SubcommandHandler = async ({ ack, command, services }) => {
  const auth = await authorize(services, command.user_id, 'view', 'list connectors');
  if (!auth.ok) {
    await ack(ephemeral(auth.message));
    return;
  }
  await ack({ response_type: 'ephemeral', ...(await connectorsListMessage(services.repos, auth.role)) });
};
