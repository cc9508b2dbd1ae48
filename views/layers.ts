/** `/oslayer layers` and the import-layer modal. */
import type { KnownBlock, ModalView, SectionBlock } from '@slack/types';
import type { ConnectorConfig, LayerVersion, OsLayer } from '../src/domain/model.js';
import { MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH } from '../src/domain/validation.js';
import { VERSION_STATUS_LABEL } from '../src/domain/version-status.js';
import { galleryButtons } from './task-message.js';
import { actions, button, divider, escapeMrkdwn, header, input, joinMrkdwn, mention, type Message, modal, mrkdwn, type Mrkdwn, newest, noticeModal, option, pageNav, pageOf, radioButtons, section, SLACK_LIMIT, slackDate, staticSelect, textInput, userText } from './blocks.js';
import { ACTION, BLOCK, CALLBACK, IMPORT_FIELD as F } from './ids.js';

const LAYERS_PER_PAGE = 10;
/** Older versions are summarized as a count; the list is for "what is current". */
const VERSIONS_PER_LAYER = 5;
const GIB = 1024 ** 3;

export interface LayerListItem {
  layer: Pick<OsLayer, '_id' | 'name' | 'description' | 'osType' | 'vmGeneration' | 'createdAt'>;
  versions: ReadonlyArray<Pick<LayerVersion, '_id' | 'name' | 'status' | 'maxLayerSizeGb' | 'diskSizeBytes' | 'createdBy' | 'createdAt'>>;
  connectorName?: string;
}

/** Newest layers first; `canManage` adds Add Version and Import buttons, `canSetPolicy` each layer's Gallery Settings. */
export function layersMessage(items: readonly LayerListItem[], opts: { page?: number; canManage: boolean; canSetPolicy?: boolean }): Message {
  if (items.length === 0) {
    const text = opts.canManage
      ? mrkdwn`There are no OS layers yet. Import your Windows image with \`/oslayer import-layer\` to start.`
      : mrkdwn`There are no OS layers yet. Someone who manages OS layers can import one with \`/oslayer import-layer\`.`;
    return { text, blocks: [section(text), ...importButton(opts.canManage)] };
  }
  const sorted = [...items].sort((a, b) => b.layer.createdAt.getTime() - a.layer.createdAt.getTime());
  const { items: shown, page, pages } = pageOf(sorted, opts.page ?? 0, LAYERS_PER_PAGE);
  const blocks: KnownBlock[] = [header('OS layers')];
  for (const item of shown) blocks.push(layerSection(item, opts.canManage), ...versionPicker(item, opts.canSetPolicy === true), divider);
  blocks.push(...pageNav({ previous: ACTION.layersPagePrevious, next: ACTION.layersPageNext }, BLOCK.listNav, page, pages), ...importButton(opts.canManage));
  return { text: mrkdwn`${items.length} OS layer${items.length === 1 ? mrkdwn`` : mrkdwn`s`}`, blocks };
}

function layerSection({ layer, versions, connectorName }: LayerListItem, canManage: boolean): SectionBlock {
  const { shown, omitted } = newest(versions, VERSIONS_PER_LAYER);
  const facts = joinMrkdwn([escapeMrkdwn(layer.osType), mrkdwn`Gen ${escapeMrkdwn(layer.vmGeneration.slice(1))}`, connectorName !== undefined && mrkdwn`connector ${userText(connectorName, 100)}`], mrkdwn` · `);
  const lines = [
    mrkdwn`*${userText(layer.name, 100)}*  ${facts}`,
    layer.description && mrkdwn`_${userText(layer.description.replace(/\s+/g, ' '), 300)}_`,
    ...(shown.length === 0 ? [mrkdwn`No versions yet.`] : shown.map(versionLine)),
    omitted > 0 && mrkdwn`…and ${omitted} older version${omitted === 1 ? mrkdwn`` : mrkdwn`s`}.`,
  ];
  const block = section(joinMrkdwn(lines), `${BLOCK.layerItemPrefix}${layer._id}`);
  return canManage ? { ...block, accessory: button('Add Version', ACTION.layersAddVersion, { value: layer._id }) } : block;
}

/** Picking a version opens its details and changelog; Administrators also get the layer's Gallery Settings. */
function versionPicker({ layer, versions }: LayerListItem, canSetPolicy: boolean): KnownBlock[] {
  const { shown } = newest(versions, SLACK_LIMIT.selectOptions);
  const options = shown.map((v) => option(v.name, v._id, VERSION_STATUS_LABEL[v.status]));
  const elements = [
    ...(options.length > 0 ? [staticSelect(ACTION.layersVersionDetails, options, 'Version details…')] : []),
    ...(canSetPolicy ? [button('Gallery Settings', ACTION.layersGallerySettings, { value: layer._id })] : []),
  ];
  return elements.length > 0 ? [actions(`${BLOCK.layerVersionsPrefix}${layer._id}`, elements)] : [];
}

export interface VersionDetails {
  layer: Pick<OsLayer, 'name'>;
  version: Pick<LayerVersion, 'name' | 'description' | 'status' | 'maxLayerSizeGb' | 'diskSizeBytes' | 'createdBy' | 'createdAt' | 'galleryImage'>;
  baseName?: string;
  /** The task that made the version: its Promote and Roll back act on it. */
  taskId?: string;
  /** The changelog (or why there is none), already mrkdwn with Azure and guest text escaped. */
  changelog: Mrkdwn;
}

/** A version's details: what it is, what it was built on, and what changed against its base. */
export function versionDetailsModal({ layer, version, baseName, changelog, taskId }: VersionDetails): ModalView {
  const facts = [
    mrkdwn`*${userText(layer.name, 100)}* → version *${userText(version.name, 100)}*`,
    mrkdwn`${escapeMrkdwn(VERSION_STATUS_LABEL[version.status])} · ${sizeText(version)} · ${mention(version.createdBy)} · ${slackDate(version.createdAt)}`,
    baseName ? mrkdwn`Built on *${userText(baseName, 100)}*` : mrkdwn`The layer's first version`,
    version.description && mrkdwn`_${userText(version.description.replace(/\s+/g, ' '), 500)}_`,
  ];
  const image = version.galleryImage;
  if (image) {
    const latest = image.rolledBackAt ? mrkdwn`rolled back, excluded from latest` : image.excludeFromLatest ? mrkdwn`excluded from latest (waiting for Promote)` : mrkdwn`included in latest`;
    facts.push(mrkdwn`Gallery image version \`${escapeMrkdwn(image.versionName)}\` · ${latest}`);
  }
  const buttons = taskId ? galleryButtons(version, taskId) : [];
  return modal({
    callbackId: CALLBACK.versionDetails,
    title: 'Version details',
    close: 'Close',
    blocks: [section(joinMrkdwn(facts)), ...(buttons.length ? [actions(BLOCK.versionGallery, buttons)] : []), divider, section(changelog)],
  });
}

function sizeText(v: Pick<LayerVersion, 'diskSizeBytes' | 'maxLayerSizeGb'>): Mrkdwn {
  return v.diskSizeBytes ? mrkdwn`${Math.ceil(v.diskSizeBytes / GIB)} GB disk, max ${v.maxLayerSizeGb} GB` : mrkdwn`max ${v.maxLayerSizeGb} GB`;
}

function versionLine(v: LayerListItem['versions'][number]): Mrkdwn {
  return mrkdwn`• *${userText(v.name, 100)}* — ${escapeMrkdwn(VERSION_STATUS_LABEL[v.status])} · ${sizeText(v)} · ${mention(v.createdBy)} · ${slackDate(v.createdAt)}`;
}

function importButton(canManage: boolean): KnownBlock[] {
  return canManage ? [actions(BLOCK.layersActions, [button('Import OS Layer', ACTION.layersImport)])] : [];
}

export type ImportFormValues = Readonly<Record<string, string | null | undefined>>;

/** Registers a layer from a fixed VHD that is already in a connector's container. */
export function importLayerModal(args: {
  connectors: ReadonlyArray<Pick<ConnectorConfig, '_id' | 'name' | 'container' | 'createdAt'>>;
  values?: ImportFormValues;
  /** Why the user is back on the form (what Azure said about the VHD). */
  notice?: string;
}): ModalView {
  const values = args.values ?? {};
  if (args.connectors.length === 0) {
    return noticeModal(
      CALLBACK.importLayer,
      'Import OS Layer',
      mrkdwn`A layer lives in a connector’s storage account, and there are no connectors yet. An Administrator can add one with \`/oslayer connectors\`.`,
    );
  }
  const { shown, omitted } = newest(args.connectors, SLACK_LIMIT.selectOptions);
  return modal({
    callbackId: CALLBACK.importLayer,
    title: 'Import OS Layer',
    submit: 'Import',
    blocks: [
      ...(args.notice ? [section(mrkdwn`:warning: ${escapeMrkdwn(args.notice)}`)] : []),
      section(mrkdwn`The VHD becomes the layer’s first deployable version. It must be a fixed-size VHD with Windows installed and generalized as you want it.`),
      input(F.layerName, 'Layer Name', textInput(ACTION.input, { initial: values[F.layerName] ?? undefined, maxLength: MAX_NAME_LENGTH, placeholder: 'e.g. Windows Server 2022' })),
      input(F.layerDescription, 'Description', textInput(ACTION.input, { initial: values[F.layerDescription] ?? undefined, multiline: true, maxLength: MAX_DESCRIPTION_LENGTH }), {
        optional: true,
      }),
      input(F.osType, 'OS Type', staticSelect(ACTION.input, [option('Windows', 'Windows')], 'Choose the OS', 'Windows')),
      input(
        F.vmGeneration,
        'VM Generation',
        radioButtons(ACTION.input, [option('Generation 1 (BIOS)', 'V1'), option('Generation 2 (UEFI)', 'V2')], values[F.vmGeneration] ?? undefined),
        { hint: 'The generation the VHD was built for; a machine of the wrong one will not boot.' },
      ),
      input(
        F.connectorId,
        'Connector',
        staticSelect(ACTION.input, shown.map((c) => option(c.name, c._id, `container ${c.container}`)), 'Choose a connector', values[F.connectorId] ?? undefined),
        omitted > 0 ? { hint: `Showing the ${shown.length} newest of ${args.connectors.length} connectors.` } : {},
      ),
      input(F.blobPath, 'VHD Blob Path', textInput(ACTION.input, { initial: values[F.blobPath] ?? undefined, maxLength: 1024, placeholder: 'imports/win2022.vhd' }), {
        hint: 'The path inside the connector’s container, ending in .vhd.',
      }),
    ],
  });
}
