import type { SubcommandHandler } from './types.js';
import { authorize } from '../src/slack/authorize.js';
import { connectorsListMessage } from '../src/slack/lists.js';

/** `/oslayer connectors`: the platform connector configurations; Administrators also get New/Edit/Test/Delete. */
export const connectors: SubcommandHandler = async ({ ack, command, services }) => {
  const auth = await authorize(services, command.user_id, 'view', 'list connectors');
  if (!auth.ok) {
    await ack({ response_type: 'ephemeral', text: auth.message });
    return;
  }
  await ack({ response_type: 'ephemeral', ...(await connectorsListMessage(services.repos, auth.role)) });
};
