import type { App, BlockButtonAction } from '@slack/bolt';
import type { Services } from '../../services.js';
import { authorize } from '../authorize.js';
import { ACTION } from '../../../views/ids.js';
import { connectorTestMessage } from '../../../views/connector-list.js';
import { tellUser } from '../replies.js';

/** Test: every check against Azure, after ack (they take seconds), each reported on its own line. */
export function register(app: App, services: Services): void {
  app.action<BlockButtonAction>({ action_id: ACTION.connectorsTest, type: 'block_actions' }, async (args) => {
    const { ack, body, action, respond } = args;
    await ack();
    const auth = await authorize(services, body.user.id, 'manage-connectors', 'test a platform connector configuration');
    if (!auth.ok) return tellUser(args, auth.message);
    const connector = await services.repos.connectors.get(action.value ?? '');
    if (!connector) return tellUser(args, 'That connector was deleted. `/oslayer connectors` lists the ones there are.');
    await respond({ response_type: 'ephemeral', replace_original: false, text: `Testing connector “${connector.name}” against Azure…` });
    // The size must boot every layer kept on this connector (Generation 1 and/or 2).
    const generations = [...new Set((await services.repos.layers.list({ connectorId: connector._id })).map((layer) => layer.vmGeneration))];
    const results = await services.azure.session(connector).probe.runChecks({ generations });
    // A skipped check did not run; the message shows it as "not checked" rather than as a failure of its own.
    const ran = results.filter((r) => !r.skipped).map(({ check, ok, detail }) => ({ check, ok, detail }));
    await respond({ response_type: 'ephemeral', replace_original: false, ...connectorTestMessage(connector.name, ran) });
  });
}
