import type { App, BlockButtonAction } from '@slack/bolt';
import type { Services } from '../../services.js';
import { authorize } from '../authorize.js';
import { ACTION } from '../../../views/ids.js';
import { openImportLayer } from '../import-layer.js';
import { tellUser } from '../replies.js';

/** Import OS Layer on the layer list: the same modal as `/oslayer import-layer`. */
export function register(app: App, services: Services): void {
  app.action<BlockButtonAction>({ action_id: ACTION.layersImport, type: 'block_actions' }, async (args) => {
    const { ack, body, client } = args;
    await ack();
    const auth = await authorize(services, body.user.id, 'import-layer', 'import an OS layer');
    if (!auth.ok) return tellUser(args, auth.message);
    await openImportLayer(services.repos, client, body.trigger_id);
  });
}
