/**
 * The Create OS Version wizard: one modal per step, mirroring the tabs of the App Layering
 * wizard (Version Details, Connector, Packaging Disk, Confirm and Complete). Each builder
 * takes the draft so far, so Back and Next keep what was typed. The draft itself lives in
 * the store; private_metadata carries only its id.
 */
import type { KnownBlock, ModalView, NumberInput } from '@slack/types';
import type { ConnectorConfig, LayerVersion, OsLayer, VersionDraftValues } from '../src/domain/model.js';
import { suggestPackagingDiskFilename } from '../src/domain/blob-name.js';
import {
  defaultMaxLayerSizeGb,
  MAX_DESCRIPTION_LENGTH,
  MAX_LAYER_SIZE_GB,
  MAX_NAME_LENGTH,
  minimumLayerSizeGb,
} from '../src/domain/validation.js';
import { actions, button, channelLink, context, day, escapeMrkdwn, fieldsSection, input, joinMrkdwn, modal, type Mrkdwn, mrkdwn, newest, noticeModal, option, radioButtons, section, SLACK_LIMIT, staticSelect, textInput, truncate } from './blocks.js';
import { CLOUD_LABEL } from './connector-modal.js';
import { ACTION, BLOCK, CALLBACK, revisedBlockId, WIZARD_FIELD } from './ids.js';
import { isDeployable } from '../src/domain/version-status.js';

const WIZARD_TITLE = 'Create OS Version';
export const FIXED_VHD_LABEL = 'Fixed VHD (the format Azure accepts)';

export type LayerSummary = Pick<OsLayer, '_id' | 'name' | 'createdAt' | 'latestVersionId'>;
export type VersionSummary = Pick<LayerVersion, '_id' | 'name' | 'status' | 'createdAt' | 'diskSizeBytes'>;
export type ConnectorSummary = Pick<ConnectorConfig, '_id' | 'name' | 'cloud' | 'storageAccount' | 'location' | 'createdAt'>;

interface StepInput {
  draftId: string;
  values: VersionDraftValues;
  /** Why the user was sent back to this step (a check at Create Version failed); shown above the inputs. */
  notice?: string;
}

const STEPS = [
  [CALLBACK.wizardVersionDetails, 'Version Details'],
  [CALLBACK.wizardConnector, 'Connector'],
  [CALLBACK.wizardPackagingDisk, 'Packaging Disk'],
  [CALLBACK.wizardConfirm, 'Confirm and Complete'],
] as const;

type StepId = (typeof STEPS)[number][0];

function wizardMetadata(draftId: string): string {
  return JSON.stringify({ draftId });
}

/** The draft id from a wizard view's private_metadata; undefined when it is not ours. */
export function draftIdOf(privateMetadata: string | undefined): string | undefined {
  try {
    const parsed: unknown = JSON.parse(privateMetadata ?? '');
    const id = (parsed as { draftId?: unknown } | null)?.draftId;
    return typeof id === 'string' && id !== '' ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Step 1. `layerChoices` is given when the command named no layer: the user picks one and
 * the listener rebuilds the step with that layer's versions (`layer`).
 */
export function versionDetailsStep(
  args: StepInput & {
    layerChoices?: readonly LayerSummary[];
    layer?: { layer: LayerSummary; versions: readonly VersionSummary[] };
  },
): ModalView {
  const { values, layerChoices, layer } = args;
  const blocks: KnownBlock[] = [progress(CALLBACK.wizardVersionDetails), ...noticeBlocks(args.notice)];

  if (layerChoices) {
    const { shown, omitted } = newest(layerChoices, SLACK_LIMIT.selectOptions);
    blocks.push(
      input(
        WIZARD_FIELD.layerId,
        'OS Layer',
        staticSelect(ACTION.wizardLayerSelected, shown.map((l) => option(l.name, l._id)), 'Choose an OS layer', values.layerId),
        { dispatchAction: true },
      ),
    );
    if (omitted > 0) {
      blocks.push(context(mrkdwn`Showing the ${shown.length} newest of ${layerChoices.length} layers. For an older one, run \`/oslayer add-version &lt;layer name&gt;\`.`));
    }
  } else if (layer) {
    blocks.push(section(mrkdwn`Adding a version to *${escapeMrkdwn(layer.layer.name)}*.`));
  }

  blocks.push(
    input(WIZARD_FIELD.versionName, 'Version', textInput(ACTION.input, { initial: values.versionName, maxLength: MAX_NAME_LENGTH, placeholder: 'e.g. 2026-11' }), {
      hint: 'Any identifier you like, such as the month of the updates. It is shown with the layer and must be unique in it.',
    }),
    input(
      WIZARD_FIELD.versionDescription,
      'Version Description',
      textInput(ACTION.input, { initial: values.versionDescription, multiline: true, maxLength: MAX_DESCRIPTION_LENGTH }),
      { optional: true },
    ),
  );

  if (layer) blocks.push(...baseVersionAndSize(values, layer));
  else blocks.push(context(mrkdwn`Choose an OS layer to pick the version to start from.`));

  return modal({
    callbackId: CALLBACK.wizardVersionDetails,
    title: WIZARD_TITLE,
    submit: 'Next',
    privateMetadata: wizardMetadata(args.draftId),
    blocks,
  });
}

function baseVersionAndSize(values: VersionDraftValues, { layer, versions }: { layer: LayerSummary; versions: readonly VersionSummary[] }): KnownBlock[] {
  const deployable = versions.filter((v) => isDeployable(v.status));
  const { shown, omitted } = newest(deployable, SLACK_LIMIT.selectOptions);
  if (shown.length === 0) {
    return [section(mrkdwn`*${escapeMrkdwn(layer.name)}* has no deployable version to start from yet. Finish or import one first.`)];
  }
  const chosen = shown.find((v) => v._id === values.baseVersionId) ?? shown.find((v) => v._id === layer.latestVersionId) ?? shown[0];
  const minimum = minimumLayerSizeGb(chosen?.diskSizeBytes);
  const size: NumberInput = {
    type: 'number_input',
    action_id: ACTION.input,
    is_decimal_allowed: false,
    min_value: String(minimum),
    // Never below min_value, or Slack refuses the whole view: a base disk above the cap still opens the step, whose check then explains.
    max_value: String(Math.max(MAX_LAYER_SIZE_GB, minimum)),
    initial_value: String(values.maxLayerSizeGb ?? defaultMaxLayerSizeGb(chosen?.diskSizeBytes)),
  };
  // Both are computed for this layer: new block_ids per layer, so Slack shows the new layer's values
  // instead of keeping what was chosen or typed for the previous one (views/ids.ts revisedBlockId).
  return [
    input(revisedBlockId(WIZARD_FIELD.baseVersionId, layer._id), 'Base Version', staticSelect(ACTION.input, shown.map(versionOption), 'Choose a version', chosen?._id), {
      hint:
        omitted > 0
          ? `The new version starts as a copy of this one. Showing the ${shown.length} newest deployable versions of ${deployable.length}.`
          : 'The new version starts as a copy of this one.',
    }),
    input(revisedBlockId(WIZARD_FIELD.maxLayerSizeGb, layer._id), 'Max Layer Size (GB)', size, {
      hint: `Layers are thin-provisioned and grow as needed up to this size. At least ${minimum} GB (the base version's disk), at most ${MAX_LAYER_SIZE_GB} GB, the largest OS disk Azure allows.`,
    }),
  ];
}

function versionOption(v: VersionSummary) {
  const created = ` · created ${day(v.createdAt)}`;
  return option(`${truncate(v.name, SLACK_LIMIT.optionText - created.length)}${created}`, v._id);
}

/** Step 2. With no connectors yet the step explains what one is and offers only New. */
export function connectorStep(args: StepInput & { connectors: readonly ConnectorSummary[] }): ModalView {
  const { values, connectors } = args;
  const blocks: KnownBlock[] = [progress(CALLBACK.wizardConnector), ...noticeBlocks(args.notice)];
  if (connectors.length === 0) {
    blocks.push(
      section(
        mrkdwn`There are no platform connector configurations yet. A connector tells the bot which Azure subscription, storage account and network to use for the packaging disk and machine.`,
      ),
      actions(BLOCK.wizardConnectorButtons, [button('New', ACTION.wizardConnectorNew, { style: 'primary' })]),
      context(mrkdwn`Only Administrators can add connectors. Once it is saved, you come back to this step with it selected.`),
    );
  } else {
    const { shown, omitted } = newest(connectors, SLACK_LIMIT.selectOptions);
    const selected = shown.find((c) => c._id === values.connectorId);
    blocks.push(
      input(
        // A new block_id per selection, so Slack shows a connector chosen elsewhere (one just added with New) instead of keeping the old choice.
        revisedBlockId(WIZARD_FIELD.connectorId, selected?._id ?? 'none'),
        'Platform Connector Configuration',
        staticSelect(
          ACTION.wizardConnectorSelected,
          shown.map((c) => option(c.name, c._id, `${CLOUD_LABEL[c.cloud]} · ${c.storageAccount} · ${c.location}`)),
          'Choose a connector',
          selected?._id,
        ),
        { dispatchAction: true },
      ),
      actions(BLOCK.wizardConnectorButtons, [
        button('New', ACTION.wizardConnectorNew),
        ...(selected ? [button('Edit', ACTION.wizardConnectorEdit, { value: selected._id })] : []),
      ]),
      context(
        selected
          ? mrkdwn`Edit changes *${escapeMrkdwn(selected.name)}* for every layer that uses it.`
          : mrkdwn`Select a configuration to edit it, or click New if the one you need is not listed.`,
      ),
    );
    if (omitted > 0) blocks.push(context(mrkdwn`Showing the ${shown.length} newest of ${connectors.length} connectors.`));
  }
  blocks.push(backButton(CALLBACK.wizardVersionDetails));
  return modal({
    callbackId: CALLBACK.wizardConnector,
    title: WIZARD_TITLE,
    ...(connectors.length > 0 ? { submit: 'Next' } : {}),
    privateMetadata: wizardMetadata(args.draftId),
    blocks,
  });
}

/** Step 3. The filename is prefilled from the layer and version names. */
export function packagingDiskStep(args: StepInput & { layerName: string }): ModalView {
  const { values } = args;
  const filename = values.packagingDiskFilename ?? suggestPackagingDiskFilename(args.layerName, values.versionName ?? '');
  const fixedVhd = option(FIXED_VHD_LABEL, 'fixed-vhd');
  return modal({
    callbackId: CALLBACK.wizardPackagingDisk,
    title: WIZARD_TITLE,
    submit: 'Next',
    privateMetadata: wizardMetadata(args.draftId),
    blocks: [
      progress(CALLBACK.wizardPackagingDisk),
      ...noticeBlocks(args.notice),
      input(WIZARD_FIELD.packagingDiskFilename, 'Packaging Disk Filename', textInput(ACTION.input, { initial: filename, maxLength: 1024 }), {
        hint: 'The disk the packaging machine boots from. Letters, digits, dot, dash and underscore, / between folders, ending in .vhd.',
      }),
      input(WIZARD_FIELD.diskFormat, 'Disk Format', radioButtons(ACTION.input, [fixedVhd], values.diskFormat ?? 'fixed-vhd')),
      backButton(CALLBACK.wizardConnector),
    ],
  });
}

/** Step 4: every value, as it will be used, before anything is created in Azure. */
export function confirmStep(
  args: StepInput & {
    layer: Pick<OsLayer, 'name'>;
    baseVersion?: Pick<LayerVersion, 'name'>;
    connector?: Pick<ConnectorConfig, 'name'>;
    /** Where the task message will be posted; none when the wizard was opened from App Home without OSLAYER_NOTIFY_CHANNEL. */
    taskChannel?: string;
  },
): ModalView {
  const { values } = args;
  const fields: Array<[string, string]> = [
    ['OS Layer', args.layer.name],
    ['Version', values.versionName ?? '—'],
    ['Version Description', values.versionDescription || '—'],
    ['Base Version', args.baseVersion?.name ?? '—'],
    ['Max Layer Size (GB)', values.maxLayerSizeGb === undefined ? '—' : String(values.maxLayerSizeGb)],
    ['Platform Connector Configuration', args.connector?.name ?? '—'],
    ['Packaging Disk Filename', values.packagingDiskFilename ?? '—'],
    ['Disk Format', FIXED_VHD_LABEL],
  ];
  return modal({
    callbackId: CALLBACK.wizardConfirm,
    title: WIZARD_TITLE,
    submit: 'Create Version',
    privateMetadata: wizardMetadata(args.draftId),
    blocks: [
      progress(CALLBACK.wizardConfirm),
      ...noticeBlocks(args.notice),
      fieldsSection(fields, BLOCK.wizardSummary),
      context(
        mrkdwn`Create Version copies the base version to the packaging disk in Azure. When it is ready, the task message gives you the link to create the packaging machine.`,
      ),
      section(
        args.taskChannel
          ? mrkdwn`:speech_balloon: The task message will be posted in ${channelLink(args.taskChannel)}.`
          : mrkdwn`:warning: ${NO_TASK_CHANNEL}`,
        BLOCK.wizardTaskChannel,
      ),
      backButton(CALLBACK.wizardPackagingDisk),
    ],
  });
}

/** Why Create Version is refused when the wizard has no channel for its task message, with the fix. */
export const NO_TASK_CHANNEL = mrkdwn`There is no channel for the task message: run \`/oslayer add-version\` in a channel (or ask whoever runs oslayer to set OSLAYER_NOTIFY_CHANNEL).`;

/** The draft behind a wizard view is gone: it expired, or its version was already created. */
export function draftUnavailableView(reason: 'expired' | 'used'): ModalView {
  const why =
    reason === 'expired'
      ? mrkdwn`This wizard sat open too long and its answers were discarded.`
      : mrkdwn`This wizard was already completed, so its version is being created.`;
  return notice(mrkdwn`${why} Run \`/oslayer add-version\` to start again; \`/oslayer tasks\` shows what is in progress.`);
}

export function noLayersView(): ModalView {
  return notice(
    mrkdwn`There are no OS layers yet, so there is nothing to add a version to. Register your Windows image first with \`/oslayer import-layer\`: it takes a fixed VHD already in your Azure storage and makes it the first version.`,
  );
}

function notice(text: Mrkdwn): ModalView {
  return noticeModal(CALLBACK.wizardNotice, WIZARD_TITLE, text);
}

function progress(step: StepId): KnownBlock {
  const index = STEPS.findIndex(([id]) => id === step);
  const steps = joinMrkdwn(
    STEPS.map(([id, name], i) => (id === step ? mrkdwn`*${i + 1}. ${escapeMrkdwn(name)}*` : mrkdwn`${i + 1}. ${escapeMrkdwn(name)}`)),
    mrkdwn`  →  `,
  );
  return context(mrkdwn`${steps}  (step ${index + 1} of ${STEPS.length})`);
}

function noticeBlocks(notice: string | undefined): KnownBlock[] {
  return notice ? [section(mrkdwn`:warning: ${escapeMrkdwn(notice)}`)] : [];
}

function backButton(to: StepId): KnownBlock {
  return actions(BLOCK.wizardNav, [button('← Back', ACTION.wizardBack, { value: to })]);
}
