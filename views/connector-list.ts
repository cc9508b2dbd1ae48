/** `/oslayer connectors` and the result of a connector's Test. */
import type { KnownBlock } from '@slack/types';
import type { ConnectorCheckName, ConnectorCheckResult, ConnectorConfig } from '../src/domain/model.js';
import { actions, button, confirmDialog, context, escapeMrkdwn, header, joinMrkdwn, type Message, mrkdwn, type Mrkdwn, pageNav, pageOf, section, truncate, userText } from './blocks.js';
import { CLOUD_LABEL } from './connector-modal.js';
import { ACTION, BLOCK } from './ids.js';

const CONNECTORS_PER_PAGE = 10;

export type ConnectorListItem = Pick<ConnectorConfig, '_id' | 'name' | 'cloud' | 'subscriptionId' | 'storageAccount' | 'location'>;

/** Enough of the subscription to tell connectors apart, not enough to be useful to anyone else. */
export function maskSubscriptionId(id: string): string {
  return `••••••••-••••-••••-••••-••••••••${id.slice(-4)}`;
}

/** Only Administrators see the New/Edit/Test/Delete buttons; everyone else just reads. */
export function connectorListMessage(connectors: readonly ConnectorListItem[], opts: { page?: number; canManage: boolean }): Message {
  if (connectors.length === 0) {
    const next = opts.canManage ? mrkdwn`Click New to add one.` : mrkdwn`Ask an Administrator to add one.`;
    const text = mrkdwn`There are no platform connector configurations yet. A connector tells the bot which Azure subscription, storage account and network to use. ${next}`;
    return {
      text,
      blocks: [section(text), ...(opts.canManage ? [actions(BLOCK.connectorsActions, [button('New', ACTION.connectorsNew, { style: 'primary' })])] : [])],
    };
  }

  const { items, page, pages } = pageOf(connectors, opts.page ?? 0, CONNECTORS_PER_PAGE);
  const blocks: KnownBlock[] = [header('Platform connector configurations')];
  for (const c of items) {
    blocks.push(
      section(
        mrkdwn`*${userText(c.name, 200)}*\n${escapeMrkdwn(CLOUD_LABEL[c.cloud])} · subscription \`${escapeMrkdwn(maskSubscriptionId(c.subscriptionId))}\` · storage account \`${escapeMrkdwn(c.storageAccount)}\` · ${escapeMrkdwn(c.location)}`,
      ),
    );
    if (opts.canManage) blocks.push(connectorButtons(c));
  }
  blocks.push(...pageNav({ previous: ACTION.connectorsPagePrevious, next: ACTION.connectorsPageNext }, BLOCK.listNav, page, pages));
  if (opts.canManage) blocks.push(actions(BLOCK.connectorsActions, [button('New', ACTION.connectorsNew)]));
  return { text: mrkdwn`${connectors.length} platform connector configuration${connectors.length === 1 ? mrkdwn`` : mrkdwn`s`}`, blocks };
}

function connectorButtons(c: ConnectorListItem) {
  return actions(`${BLOCK.connectorItemPrefix}${c._id}`, [
    button('Edit', ACTION.connectorsEdit, { value: c._id }),
    button('Test', ACTION.connectorsTest, { value: c._id }),
    button('Delete', ACTION.connectorsDelete, {
      value: c._id,
      style: 'danger',
      confirm: confirmDialog(
        'Delete this connector?',
        `“${truncate(c.name, 64)}” and its stored credentials will be removed. Layers whose disks live in its storage account ` +
          'cannot get new versions until they use another connector. Nothing in Azure is deleted.',
        'Delete',
        { style: 'danger' },
      ),
    }),
  ]);
}

const CHECK_LABEL: ReadonlyArray<[ConnectorCheckName, string]> = [
  ['credentials', 'Credentials'],
  ['storage-account', 'Storage account'],
  ['shared-key', 'Shared Key (account key) access'],
  ['blob-data', 'Blob data access (Microsoft Entra ID)'],
  ['delegation-key', 'User delegation key (SAS links)'],
  ['region-match', 'Location matches the storage account'],
  ['resource-group', 'Resource group'],
  ['subnet', 'Subnet'],
  ['machine-access', 'Packaging machine access'],
  ['vm-size', 'VM size'],
  ['permissions', 'Azure role assignments'],
];

/** How much of a check's detail a line shows; the permissions line lists one missing operation a line. */
const DETAIL_LIMIT: Partial<Record<ConnectorCheckName, number>> = { permissions: 1500 };

/** One line per check, in a fixed order; a check that did not run says so. */
export function connectorTestMessage(connectorName: string, results: readonly ConnectorCheckResult[]): Message {
  const name = userText(connectorName, 200);
  const failed = results.filter((r) => !r.ok).length;
  const passed = failed === 0 && CHECK_LABEL.every(([check]) => results.some((r) => r.check === check));
  /** The summary, with the name in bold for the message and without for its notification. */
  const summaryOf = (shown: Mrkdwn) =>
    passed ? mrkdwn`✅ Connector ${shown} passed every check.` : mrkdwn`❌ Connector ${shown} is not ready: ${failed} of ${CHECK_LABEL.length} checks failed.`;
  const summary = summaryOf(mrkdwn`*${name}*`);
  const lines = CHECK_LABEL.map(([check, label]) => {
    const r = results.find((x) => x.check === check);
    if (!r) return mrkdwn`➖ *${escapeMrkdwn(label)}*: not checked, because an earlier check failed.`;
    return mrkdwn`${r.ok ? mrkdwn`✅` : mrkdwn`❌`} *${escapeMrkdwn(label)}*: ${userText(r.detail, DETAIL_LIMIT[check] ?? 400)}`;
  });
  return {
    text: summaryOf(name),
    blocks: [
      section(summary),
      section(joinMrkdwn(lines)),
      context(passed ? mrkdwn`This connector is ready for the Create OS Version wizard.` : mrkdwn`Fix the settings with Edit, then Test again.`),
    ],
  };
}
