import type { SubcommandHandler } from './types.js';
import { authorize } from '../src/slack/authorize.js';
import { openImportLayer } from '../src/slack/import-layer.js';
import { ephemeral } from '../views/blocks.js';

/** `/oslayer import-layer`: registers an OS layer from a fixed VHD already in a connector's container. */
export const importLayer: SubcommandHandler = async ({ ack, command, client, services }) => {
  const auth = await authorize(services, command.user_id, 'import-layer', 'import an OS layer');
  if (!auth.ok) {
    await ack(ephemeral(auth.message));
    return;
  }
  await ack();
  await openImportLayer(services.repos, client, command.trigger_id);
};
