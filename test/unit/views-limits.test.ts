import type { KnownBlock, ModalView } from '@slack/types';
import { connectorFormValues } from '../../src/domain/connector-validation.js';
import { button, escapeMrkdwn, modal, mrkdwn, option, section, staticSelect } from '../../views/blocks.js';
import { connectorListMessage, connectorTestMessage } from '../../views/connector-list.js';
import { connectorModal } from '../../views/connector-modal.js';
import { helpMessage } from '../../views/help.js';
import { importLayerModal, layersMessage } from '../../views/layers.js';
import { checkBlockKitLimits, checkSurfaceLimits, type SurfaceKind } from '../../views/limits.js';
import { taskMessage } from '../../views/task-message.js';
import { autopilotModal } from '../../views/autopilot.js';
import { taskDetailModal } from '../../views/tasks.js';
import { confirmStep, connectorStep, draftUnavailableView, noLayersView, packagingDiskStep, versionDetailsStep } from '../../views/wizard.js';
import { connector, LONG_NAME, LONG_TEXT, realistic, worst } from '../fixtures/views/data.js';

const draftId = 'd'.repeat(64);
const worstLayer = { ...worst.layers[0]!, latestVersionId: 'layer-0-v7' };
const longFormValues = Object.fromEntries(
  ['connectorName', 'armEndpoint', 'portalHost', 'storageSuffix', 'authorityHost', 'caBundle', 'tenantId', 'subscriptionId', 'clientId', 'resourceGroup', 'storageAccount', 'container', 'location', 'subnetId', 'vmSize'].map(
    (k) => [k, `${LONG_TEXT}${LONG_TEXT}`],
  ),
);
const layerItems = (layers: typeof worst.layers, versions: typeof worst.versions) =>
  layers.map((l) => ({ layer: l, versions, connectorName: LONG_NAME }));

const longStep = { name: LONG_TEXT, status: 'running' as const, startedAt: new Date(), detail: LONG_TEXT };
/** A task whose every text is as long as it can be: its message's top-level text must still fit chat.update. */
const worstTask = {
  task: { _id: 't'.repeat(40), kind: 'add-version' as const, layerId: 'l', versionId: 'v', status: 'failed' as const, steps: [longStep, longStep], failureReason: `${LONG_TEXT}${LONG_TEXT}`, retryable: true, startedBy: 'U0ADMIN01', createdAt: new Date(), updatedAt: new Date() },
  layer: { name: `${LONG_TEXT}${LONG_TEXT}` },
  version: { ...worst.versions[0]!, name: `${LONG_TEXT}${LONG_TEXT}`, status: 'failed' as const, packagingMachine: { name: LONG_TEXT, resourceGroup: 'rg' } },
};

/** Every builder in views/, with realistic and with worst-case data. */
const SURFACES: Array<[string, () => object, SurfaceKind]> = [
  ['help', () => helpMessage(), 'message'],
  ['help for unknown input', () => helpMessage(LONG_TEXT), 'message'],
  ['version details, choosing a layer', () => versionDetailsStep({ draftId, values: {}, layerChoices: realistic.layers }), 'modal'],
  ['version details, realistic', () => versionDetailsStep({ draftId, values: {}, layer: { layer: realistic.layers[0]!, versions: realistic.versions } }), 'modal'],
  [
    'version details, worst case',
    () => versionDetailsStep({ draftId, values: worst.draft, layerChoices: worst.layers, layer: { layer: worstLayer, versions: worst.versions } }),
    'modal',
  ],
  ['connector step, realistic', () => connectorStep({ draftId, values: { connectorId: 'conn-1' }, connectors: realistic.connectors }), 'modal'],
  ['connector step, worst case', () => connectorStep({ draftId, values: worst.draft, connectors: worst.connectors }), 'modal'],
  ['connector step, none yet', () => connectorStep({ draftId, values: {}, connectors: [] }), 'modal'],
  ['packaging disk, suggested', () => packagingDiskStep({ draftId, values: { versionName: LONG_NAME }, layerName: LONG_NAME }), 'modal'],
  ['packaging disk, worst case', () => packagingDiskStep({ draftId, values: worst.draft, layerName: LONG_NAME }), 'modal'],
  ['confirm, realistic', () => confirmStep({ draftId, values: { versionName: '2026-11', maxLayerSizeGb: 100 }, layer: realistic.layers[0]! }), 'modal'],
  [
    'confirm, worst case',
    () => confirmStep({ draftId, values: { ...worst.draft, versionDescription: LONG_TEXT }, layer: worstLayer, baseVersion: worst.versions[0], connector: worst.connectors[0] }),
    'modal',
  ],
  ['expired draft', () => draftUnavailableView('expired'), 'modal'],
  ['used draft', () => draftUnavailableView('used'), 'modal'],
  ['no layers', () => noLayersView(), 'modal'],
  ['new connector', () => connectorModal({ values: {}, metadata: {}, hasStoredSecret: false }), 'modal'],
  ['edit connector', () => connectorModal({ values: connectorFormValues(connector(1)), metadata: { connectorId: 'conn-1', draftId }, hasStoredSecret: true }), 'modal'],
  [
    'connector, worst case',
    () => connectorModal({ values: { ...longFormValues, cloud: 'Custom', authKind: 'client-secret' }, metadata: { connectorId: LONG_NAME, draftId }, hasStoredSecret: true }),
    'modal',
  ],
  ['connectors, realistic', () => connectorListMessage(realistic.connectors, { canManage: true }), 'message'],
  ['connectors, none', () => connectorListMessage([], { canManage: true }), 'message'],
  ['connectors, worst case', () => connectorListMessage(worst.connectors, { canManage: true, page: 3 }), 'message'],
  ['connectors, last page', () => connectorListMessage(worst.connectors, { canManage: true, page: 12 }), 'message'],
  ['connector test, worst case', () => connectorTestMessage(LONG_TEXT, worst.checks), 'message'],
  ['layers, realistic', () => layersMessage(layerItems(realistic.layers, realistic.versions), { canManage: true }), 'message'],
  ['layers, none', () => layersMessage([], { canManage: false }), 'message'],
  ['layers, worst case', () => layersMessage(layerItems(worst.layers, worst.versions), { canManage: true, page: 7 }), 'message'],
  ['import layer, realistic', () => importLayerModal({ connectors: realistic.connectors }), 'modal'],
  ['import layer, worst case', () => importLayerModal({ connectors: worst.connectors, values: { layerName: LONG_TEXT, layerDescription: LONG_TEXT, blobPath: LONG_TEXT, vmGeneration: 'V2', connectorId: 'conn-0' } }), 'modal'],
  ['import layer, no connectors', () => importLayerModal({ connectors: [] }), 'modal'],
  ['task message, worst case', () => taskMessage(worstTask), 'message'],
  ['autopilot, a new schedule', () => autopilotModal({ layers: realistic.layers, layer: realistic.layers[0]!, schedule: null, nextRun: null, openRun: null, defaultChannel: 'C0123' }), 'modal'],
  [
    'autopilot, worst case',
    () =>
      autopilotModal({
        layers: worst.layers,
        layer: { ...worst.layers[149]!, excludeKbs: Array.from({ length: 50 }, (_, i) => `KB${5_000_000 + i}`) },
        schedule: {
          layerId: worst.layers[149]!._id,
          enabled: true,
          timing: { kind: 'cron', expression: '0 3 * * 3'.padEnd(120, ' ') },
          timeZone: 'America/Argentina/ComodRivadavia',
          policy: { updateMode: 'drivers', excludeKbs: Array.from({ length: 100 }, (_, i) => `KB${5_000_000 + i}`), maxRunMinutes: 1440, channelId: 'C0123', approval: 'single' },
          updatedBy: 'U1',
          updatedAt: new Date(),
        },
        nextRun: new Date(),
        openRun: { _id: 'r', layerId: 'l', trigger: { kind: 'run-now', userId: 'U1' }, policy: { updateMode: 'security', excludeKbs: [], maxRunMinutes: 60, channelId: 'C1', approval: 'two-person' }, open: true, startedAt: new Date(), deadline: new Date() },
      }),
    'modal',
  ],
  ['task detail, worst case', () => taskDetailModal({ task: worstTask.task, version: worstTask.version, layerName: LONG_TEXT, now: new Date() }), 'modal'],
];

describe('every view stays within Slack limits', () => {
  it.each(SURFACES)('%s', (_name, build, kind) => {
    expect(checkSurfaceLimits(build(), kind)).toEqual([]);
  });
});

describe('the limits checker', () => {
  const long = (n: number) => 'x'.repeat(n);
  const view = (over: Partial<ModalView>): ModalView => ({ ...modal({ callbackId: 'cb', title: 'Title', submit: 'Go', blocks: [] }), ...over });
  const blocks = (...b: KnownBlock[]): ModalView => view({ blocks: b });
  const pt = (text: string) => ({ type: 'plain_text' as const, text });
  const select = (n: number) => staticSelect('pick', Array.from({ length: n }, (_, i) => option(`o${i}`, `v${i}`)), 'Pick');

  it.each<[string, object, SurfaceKind, string]>([
    ['a long modal title', view({ title: pt(long(25)) }), 'modal', 'The modal title is 25 characters; the limit is 24'],
    ['a long submit', view({ submit: pt(long(25)) }), 'modal', 'The modal submit is 25 characters'],
    ['a long close', view({ close: pt(long(25)) }), 'modal', 'The modal close is 25 characters'],
    ['101 blocks in a view', blocks(...Array.from({ length: 101 }, () => section(mrkdwn`x`))), 'modal', '101 blocks; a modal may have at most 100'],
    ['101 blocks on Home', { type: 'home', blocks: Array.from({ length: 101 }, () => section(mrkdwn`x`)) }, 'home', 'a home may have at most 100'],
    ['51 blocks in a message', { blocks: Array.from({ length: 51 }, () => section(mrkdwn`x`)) }, 'message', '51 blocks; a message may have at most 50'],
    ['long section text', blocks({ type: 'section', text: { type: 'mrkdwn', text: long(3001) } }), 'modal', 'Section text is 3001 characters'],
    ['11 fields', blocks({ type: 'section', fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn' as const, text: 'f' })) }), 'modal', '11 fields'],
    ['a long field', blocks({ type: 'section', fields: [{ type: 'mrkdwn', text: long(2001) }] }), 'modal', 'A section field is 2001 characters'],
    ['long button text', blocks({ type: 'actions', elements: [{ ...button('b', 'a'), text: pt(long(76)) }] }), 'modal', 'Button text is 76 characters'],
    ['a long action_id', blocks({ type: 'actions', elements: [button('b', long(256))] }), 'modal', 'The action_id is 256 characters'],
    ['a long block_id', blocks({ type: 'divider', block_id: long(256) }), 'modal', 'The block_id is 256 characters'],
    ['a long callback_id', view({ callback_id: long(256) }), 'modal', 'The callback_id is 256 characters'],
    ['101 options', blocks({ type: 'input', label: pt('L'), element: select(101) }), 'modal', '101 options; a static_select may have at most 100'],
    ['long option text', blocks({ type: 'input', label: pt('L'), element: staticSelect('a', [{ text: pt(long(76)), value: 'v' }], 'P') }), 'modal', 'Option text is 76'],
    ['a long label', blocks({ type: 'input', label: pt(long(2001)), element: { type: 'plain_text_input' } }), 'modal', 'An input label is 2001 characters'],
    ['long private_metadata', view({ private_metadata: long(3001) }), 'modal', 'private_metadata is 3001 characters'],
    ['a long header', blocks({ type: 'header', text: pt(long(151)) }), 'modal', 'Header text is 151 characters'],
    ['repeated block_ids', blocks({ type: 'divider', block_id: 'same' }, { type: 'divider', block_id: 'same' }), 'modal', 'block_id "same" is used twice'],
    ['repeated action_ids in a block', blocks({ type: 'actions', elements: [button('a', 'go'), button('b', 'go')] }), 'modal', 'action_id "go" is used twice in one block'],
    ['a foreign initial option', blocks({ type: 'input', label: pt('L'), element: { ...select(2), initial_option: option('zz', 'zz') } }), 'modal', 'not exactly one of the options'],
    ['a number outside its range', blocks({ type: 'input', label: pt('L'), element: { type: 'number_input', is_decimal_allowed: false, min_value: '5', initial_value: '1' } }), 'modal', 'The initial value 1 is outside 5–∞'],
    ['long initial text', blocks({ type: 'input', label: pt('L'), element: { type: 'plain_text_input', max_length: 10, initial_value: long(11) } }), 'modal', 'The initial text is 11 characters'],
    ['a long button url', blocks({ type: 'actions', elements: [button('b', 'a', { url: `https://x.example/${long(3000)}` })] }), 'modal', 'A button url is 3018 characters; the limit is 3000'],
    ['a conversation filter naming an unknown kind', blocks({ type: 'input', label: pt('L'), element: { type: 'conversations_select', filter: { include: ['channels' as never] } } }), 'modal', 'include takes im, mpim, private and public, not "channels"'],
    ['an empty conversation filter', blocks({ type: 'input', label: pt('L'), element: { type: 'conversations_select', filter: {} } }), 'modal', 'A conversation filter needs include, exclude_external_shared_channels or exclude_bot_users'],
    ['mrkdwn in a header', blocks({ type: 'header', text: { type: 'mrkdwn', text: 'h' } as never }), 'modal', 'Header text must be plain_text'],
    ['mrkdwn in a label', blocks({ type: 'input', label: { type: 'mrkdwn', text: 'L' } as never, element: { type: 'plain_text_input' } }), 'modal', 'An input label must be plain_text'],
    ['mrkdwn in a hint', blocks({ type: 'input', label: pt('L'), hint: { type: 'mrkdwn', text: 'h' } as never, element: { type: 'plain_text_input' } }), 'modal', 'An input hint must be plain_text'],
    ['mrkdwn on a button', blocks({ type: 'actions', elements: [{ ...button('b', 'a'), text: { type: 'mrkdwn', text: 'b' } as never }] }), 'modal', 'Button text must be plain_text'],
    ['mrkdwn option text in a menu', blocks({ type: 'input', label: pt('L'), element: staticSelect('a', [{ text: { type: 'mrkdwn', text: 'o' }, value: 'v' }] as never, 'P') }), 'modal', 'Option text must be plain_text'],
    ['an input without submit', { ...view({ blocks: [{ type: 'input', label: pt('L'), element: { type: 'plain_text_input' } }] }), submit: undefined }, 'modal', 'needs a submit button'],
    ['a number input without is_decimal_allowed', blocks({ type: 'input', label: pt('L'), element: { type: 'number_input' } as never }), 'modal', 'needs is_decimal_allowed'],
    ['min above max', blocks({ type: 'input', label: pt('L'), element: { type: 'number_input', is_decimal_allowed: false, min_value: '3000', max_value: '2048' } }), 'modal', 'min_value 3000 is above max_value 2048'],
    ['a select with no options', blocks({ type: 'input', label: pt('L'), element: select(0) }), 'modal', '0 options; a static_select needs at least 1'],
    ['an overflow with one option', blocks({ type: 'actions', elements: [{ type: 'overflow', action_id: 'o', options: [option('a', 'a')] }] }), 'modal', '1 options; a overflow needs at least 2'],
    ['duplicate option values', blocks({ type: 'input', label: pt('L'), element: staticSelect('a', [option('a', 'v'), option('b', 'v')], 'P') }), 'modal', 'Option value "v" is used twice'],
    ['an empty section', blocks({ type: 'section' } as never), 'modal', 'A section needs text or fields'],
    ['empty section text', blocks({ type: 'section', text: { type: 'mrkdwn', text: '' } }), 'modal', 'Section text is empty'],
    ['an empty actions block', blocks({ type: 'actions', elements: [] }), 'modal', 'An actions block needs at least one element'],
    ['an empty context block', blocks({ type: 'context', elements: [] }), 'modal', 'A context block needs at least one element'],
    ['a text input in an actions block', blocks({ type: 'actions', elements: [{ type: 'plain_text_input', action_id: 'x' } as never] }), 'modal', 'A plain_text_input cannot go in an actions block'],
    ['a button as an input element', blocks({ type: 'input', label: pt('L'), element: button('b', 'a') as never }), 'modal', 'A button cannot go in an input block'],
    ['an unknown block type', blocks({ type: 'table' } as never), 'modal', 'A modal takes no table block'],
    ['a text input longer than Slack allows', blocks({ type: 'input', label: pt('L'), element: { type: 'plain_text_input', max_length: 3001 } }), 'modal', 'max_length 3001 is above'],
    ['mrkdwn in a confirm text', blocks({ type: 'actions', elements: [button('b', 'a', { confirm: { title: pt('t'), text: { type: 'mrkdwn', text: '*x*' }, confirm: pt('y'), deny: pt('n') } })] }), 'modal', 'A confirm dialog text must be plain_text'],
    ['message text longer than chat.update takes', { text: long(4001), blocks: [] }, 'message', 'The message text is 4001 characters; chat.update takes at most 4000'],
    ['a view over 250 kB', blocks(...Array.from({ length: 90 }, () => section(escapeMrkdwn(long(2900))))), 'modal', 'The view is over 250 kB'],
    ['a long confirm text', blocks({ type: 'actions', elements: [button('b', 'a', { confirm: { title: pt('t'), text: pt(long(301)), confirm: pt('y'), deny: pt('n') } })] }), 'modal', 'A confirm dialog text is 301'],
  ])('catches %s', (_name, subject, kind, problem) => {
    const found = checkSurfaceLimits(subject, kind);
    expect(found.map((v) => v.problem)).toEqual([expect.stringContaining(problem)]);
  });

  it('says where the problem is', () => {
    const found = checkBlockKitLimits(blocks(section(mrkdwn`ok`), { type: 'actions', elements: [button('b', 'a'), { ...button('c', 'd'), text: pt(long(80)) }] }), 'modal');
    expect(found).toEqual([{ path: 'blocks[1].elements[1].text.text', problem: 'Button text is 80 characters; the limit is 75' }]);
  });
});
