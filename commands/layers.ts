import type { SubcommandHandler } from './types.js';
import { authorize } from '../src/slack/authorize.js';
import { layersListMessage } from '../src/slack/lists.js';
import { ephemeral } from '../views/blocks.js';

/** `/oslayer layers`: the OS layers with their versions and statuses, visible only to the caller. */
export const layers: SubcommandHandler = async ({ ack, command, services }) => {
  const auth = await authorize(services, command.user_id, 'view', 'list OS layers');
  if (!auth.ok) {
    await ack(ephemeral(auth.message));
    return;
  }
  await ack({ response_type: 'ephemeral', ...(await layersListMessage(services.repos, auth.role)) });
};
