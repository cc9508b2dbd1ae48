/**
 * The Create OS Version wizard's server side: the checks behind each step (run when the step
 * is submitted and all again at Create Version, because the world may have changed in
 * between), and each step's view rebuilt from the draft and the store.
 */
import type { ModalView } from '@slack/types';
import type { ConnectorConfig, Draft, LayerVersion, OsLayer, VersionDraftValues } from '../domain/model.js';
import {
  connectorStepSchema,
  type FieldErrors,
  isVersionNameTaken,
  packagingDiskStepSchema,
  parseForm,
  versionDetailsSchema,
  versionExistsMessage,
  type VersionDetailsInput,
} from '../domain/validation.js';
import { suggestPackagingDiskFilename } from '../domain/blob-name.js';
import type { Services } from '../services.js';
import type { Repositories } from '../store/repositories.js';
import { CALLBACK, WIZARD_FIELD } from '../../views/ids.js';
import { confirmStep, connectorStep, packagingDiskStep, versionDetailsStep } from '../../views/wizard.js';
import { packagingDiskNameProblem } from './disk-checks.js';
import type { NewVersionRequest } from './create-version.js';
import { isDeployable } from '../domain/version-status.js';

export type WizardStepId =
  | typeof CALLBACK.wizardVersionDetails
  | typeof CALLBACK.wizardConnector
  | typeof CALLBACK.wizardPackagingDisk
  | typeof CALLBACK.wizardConfirm;

export function isWizardStep(id: string | undefined): id is WizardStepId {
  return id === CALLBACK.wizardVersionDetails || id === CALLBACK.wizardConnector || id === CALLBACK.wizardPackagingDisk || id === CALLBACK.wizardConfirm;
}

/**
 * A wizard draft's values. `layerFromCommand` keeps step 1 without the layer select when the
 * command named the layer. Text left on a step by Back is kept as typed (unchecked) so the
 * user finds it again; every step is checked on Next and everything again at Create.
 */
export type WizardValues = VersionDraftValues & { layerFromCommand?: boolean };

export function wizardValues(draft: Draft): WizardValues {
  return draft.values as WizardValues;
}

export type StepCheck<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

/** Versions whose work is not over still own their packaging disk name, even before the blob exists. */
const OPEN_VERSION_STATUSES: LayerVersion['status'][] = ['publishing', 'action-required', 'checking', 'ready-to-finalize', 'finalizing', 'failed'];

type Raw = Record<string, unknown>;

function text(raw: Raw, key: string): string | undefined {
  const v = raw[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Step 1: the layer exists, the base version is one of its deployable versions, the name is free, the size holds the base disk. */
export async function checkVersionDetails(repos: Repositories, raw: Raw): Promise<StepCheck<{ values: VersionDetailsInput; layer: OsLayer }>> {
  const layerId = text(raw, WIZARD_FIELD.layerId);
  const baseId = text(raw, WIZARD_FIELD.baseVersionId);
  const [layer, base] = await Promise.all([layerId ? repos.layers.get(layerId) : null, baseId ? repos.versions.get(baseId) : null]);
  const usableBase = base && layer && base.layerId === layer._id && isDeployable(base.status) ? base : null;
  const parsed = parseForm(versionDetailsSchema(usableBase?.diskSizeBytes ?? 0), raw);
  const errors: FieldErrors = parsed.ok ? {} : { ...parsed.errors };
  if (layerId && !layer) errors[WIZARD_FIELD.layerId] = 'That OS layer no longer exists; choose another one.';
  if (baseId && layer && !usableBase) errors[WIZARD_FIELD.baseVersionId] = 'That version is no longer a deployable version of this layer; choose another one.';
  if (parsed.ok && layer && !errors[WIZARD_FIELD.versionName]) {
    const existing = await repos.versions.list({ layerId: layer._id });
    if (isVersionNameTaken(parsed.value.versionName, existing.map((v) => v.name))) {
      errors[WIZARD_FIELD.versionName] = versionExistsMessage(parsed.value.versionName, layer.name);
    }
  }
  if (!parsed.ok || !layer || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { values: parsed.value, layer } };
}

/**
 * True when the draft's packaging disk name is still the one suggested from its layer and
 * version names (the user never changed it), so a renamed version gets a fresh suggestion.
 */
export async function hasSuggestedDiskName(repos: Repositories, values: WizardValues): Promise<boolean> {
  if (!values.packagingDiskFilename || !values.layerId) return false;
  const layer = await repos.layers.get(values.layerId);
  return layer !== null && values.packagingDiskFilename === suggestPackagingDiskFilename(layer.name, values.versionName ?? '');
}

/** Step 2: the chosen connector still exists. */
export async function checkConnectorChoice(repos: Repositories, raw: Raw): Promise<StepCheck<{ connector: ConnectorConfig }>> {
  const parsed = parseForm(connectorStepSchema, raw);
  if (!parsed.ok) return parsed;
  const connector = await repos.connectors.get(parsed.value.connectorId);
  if (!connector) return { ok: false, errors: { [WIZARD_FIELD.connectorId]: 'That connector was deleted meanwhile; choose another one, or click New.' } };
  return { ok: true, value: { connector } };
}

/** Step 3: a valid name, not taken by a blob in the container nor by another version still in the works. */
/** The packaging disk's name as far as the store can tell (valid, not another open version's): no Azure call. */
export async function checkPackagingDiskLocally(
  repos: Services['repos'],
  connector: ConnectorConfig,
  raw: Raw,
): Promise<StepCheck<{ packagingDiskFilename: string; diskFormat: 'fixed-vhd' }>> {
  const parsed = parseForm(packagingDiskStepSchema, raw);
  if (!parsed.ok) return parsed;
  const name = parsed.value.packagingDiskFilename;
  const claimed = await repos.versions.findOne({ connectorId: connector._id, packagingDiskFilename: name, status: { $in: OPEN_VERSION_STATUSES } });
  if (claimed) return { ok: false, errors: { [WIZARD_FIELD.packagingDiskFilename]: `Version "${claimed.name}" is already using ${name} as its packaging disk. Choose another name.` } };
  return parsed;
}

/** The packaging disk's name: checkPackagingDiskLocally, then free in the connector's container (an Azure call). */
export async function checkPackagingDisk(
  services: Pick<Services, 'repos' | 'azure'>,
  connector: ConnectorConfig,
  raw: Raw,
): Promise<StepCheck<{ packagingDiskFilename: string; diskFormat: 'fixed-vhd' }>> {
  const local = await checkPackagingDiskLocally(services.repos, connector, raw);
  if (!local.ok) return local;
  const problem = await packagingDiskNameProblem(services, connector, local.value.packagingDiskFilename);
  return problem ? { ok: false, errors: { [WIZARD_FIELD.packagingDiskFilename]: problem } } : local;
}

/** Which step shows a field, to send the user back there when Create Version finds a problem. */
const STEP_OF_FIELD: Record<string, WizardStepId> = {
  [WIZARD_FIELD.connectorId]: CALLBACK.wizardConnector,
  [WIZARD_FIELD.packagingDiskFilename]: CALLBACK.wizardPackagingDisk,
  [WIZARD_FIELD.diskFormat]: CALLBACK.wizardPackagingDisk,
};

export type DraftCheck = { ok: true; request: Omit<NewVersionRequest, 'requestedBy'> } | { ok: false; step: WizardStepId; message: string };

/** Create Version: every step's checks again, on what the draft holds now. */
export async function checkWholeDraft(services: Pick<Services, 'repos' | 'azure'>, draft: Draft): Promise<DraftCheck> {
  const values = draft.values;
  const firstProblem = (errors: FieldErrors): DraftCheck => {
    const [field, message] = Object.entries(errors)[0] ?? ['form', 'Check this step again.'];
    return { ok: false, step: STEP_OF_FIELD[field] ?? CALLBACK.wizardVersionDetails, message };
  };
  const details = await checkVersionDetails(services.repos, values);
  if (!details.ok) return firstProblem(details.errors);
  const choice = await checkConnectorChoice(services.repos, values);
  if (!choice.ok) return firstProblem(choice.errors);
  const disk = await checkPackagingDisk(services, choice.value.connector, values);
  if (!disk.ok) return firstProblem(disk.errors);
  const d = details.value.values;
  return {
    ok: true,
    request: {
      layerId: d.layerId,
      name: d.versionName,
      description: d.versionDescription,
      baseVersionId: d.baseVersionId,
      maxLayerSizeGb: d.maxLayerSizeGb,
      connectorId: choice.value.connector._id,
      packagingDiskFilename: disk.value.packagingDiskFilename,
    },
  };
}

/** A step's view from the draft as stored; `notice` says why the user is back on it. */
export async function wizardStepView(repos: Repositories, draft: Draft, step: WizardStepId, notice?: string): Promise<ModalView> {
  const values = wizardValues(draft);
  const base = { draftId: draft._id, values, notice };
  const layer = values.layerId ? await repos.layers.get(values.layerId) : null;
  switch (step) {
    case CALLBACK.wizardVersionDetails: {
      const [layerChoices, versions] = await Promise.all([
        values.layerFromCommand ? undefined : repos.layers.list(),
        layer ? repos.versions.list({ layerId: layer._id }) : [],
      ]);
      return versionDetailsStep({ ...base, layerChoices, layer: layer ? { layer, versions } : undefined });
    }
    case CALLBACK.wizardConnector:
      return connectorStep({ ...base, connectors: await repos.connectors.list() });
    case CALLBACK.wizardPackagingDisk:
      return packagingDiskStep({ ...base, layerName: layer?.name ?? '' });
    case CALLBACK.wizardConfirm: {
      const [baseVersion, connector] = await Promise.all([
        values.baseVersionId ? repos.versions.get(values.baseVersionId) : null,
        values.connectorId ? repos.connectors.get(values.connectorId) : null,
      ]);
      return confirmStep({ ...base, layer: layer ?? { name: '—' }, baseVersion: baseVersion ?? undefined, connector: connector ?? undefined, taskChannel: draft.channelId });
    }
  }
}
