import type { App, BlockButtonAction } from '@slack/bolt';
import type { Services } from '../../services.js';
import { authorize } from '../authorize.js';
import { ACTION } from '../../../views/ids.js';
import { connectorTestMessage } from '../../../views/connector-list.js';
import { clickSurface, listModal, noticeView, openOver, tellUser } from '../replies.js';
import { escapeMrkdwn, mrkdwn } from '../../../views/blocks.js';

/** Test: every check against Azure, after ack (they take seconds), each reported on its own line. */
export function register(app: App, services: Services): void {
  app.action<BlockButtonAction>({ action_id: ACTION.connectorsTest, type: 'block_actions' }, async (args) => {
    const { ack, body, action, respond, client } = args;
    await ack();
    const auth = await authorize(services, body.user.id, 'manage-connectors', 'test a platform connector configuration');
    if (!auth.ok) return tellUser(args, auth.message);
    const connector = await services.repos.connectors.get(action.value ?? '');
    if (!connector) return tellUser(args, mrkdwn`That connector was deleted. \`/oslayer connectors\` lists the ones there are.`);
    const testing = mrkdwn`Testing connector “${escapeMrkdwn(connector.name)}” against Azure…`;
    // From the connector list in a modal (App Home): the answer is a modal on top, filled in when the checks are done.
    const inModal = clickSurface(body) !== 'message';
    const pushedId = inModal ? await openOver(args, noticeView(testing, 'Connector test')) : undefined;
    if (!inModal) await respond({ response_type: 'ephemeral', replace_original: false, text: testing });
    // The size must boot every layer kept on this connector (Generation 1 and/or 2).
    const generations = [...new Set((await services.repos.layers.list({ connectorId: connector._id })).map((layer) => layer.vmGeneration))];
    const results = await services.azure.session(connector).runChecks({ generations });
    // A skipped check did not run; the message shows it as "not checked" rather than as a failure of its own.
    const ran = results.filter((r) => !r.skipped).map(({ check, ok, detail }) => ({ check, ok, detail }));
    const report = connectorTestMessage(connector.name, ran);
    if (pushedId) await client.views.update({ view_id: pushedId, view: listModal(report, 'Connector test') });
    else await respond({ response_type: 'ephemeral', replace_original: false, ...report });
  });
}
