/**
 * `/oslayer import-layer`: an OS layer registered from a fixed VHD already in a connector's
 * container. The VHD itself becomes the layer's first deployable version; nothing is copied.
 */
import { randomUUID } from 'node:crypto';
import type { ConnectorConfig, LayerVersion, OsLayer } from '../domain/model.js';
import { importLayerSchema, MAX_NAME_LENGTH, parseForm, type FieldErrors } from '../domain/validation.js';
import { IMPORT_FIELD } from '../../views/ids.js';
import type { Services } from '../services.js';
import { DuplicateKeyError } from '../store/repositories.js';
import { recordAudit } from './audit.js';
import { inspectFixedVhd } from './disk-checks.js';

const GIB = 1024 ** 3;

type ImportLayerInput = Extract<ReturnType<typeof parseForm<typeof importLayerSchema>>, { ok: true }>['value'];

export type ImportLayerResult = { ok: true; layer: OsLayer; version: LayerVersion } | { ok: false; errors: FieldErrors };

function layerExists(name: string): FieldErrors {
  return { [IMPORT_FIELD.layerName]: `An OS layer named "${name}" already exists. Add a version to it with \`/oslayer add-version\`, or choose another name.` };
}

/** The first version is named after the VHD it came from, so the layer list says where it started. */
function firstVersionName(blobPath: string): string {
  const file = blobPath.slice(blobPath.lastIndexOf('/') + 1).replace(/\.vhd$/i, '');
  return file.slice(0, MAX_NAME_LENGTH) || 'Imported';
}

/** What can be checked without Azure (the form, the name, the connector): quick enough to answer before a view submission's ack. */
export async function checkImportForm(
  repos: Services['repos'],
  raw: Record<string, unknown>,
): Promise<{ ok: true; input: ImportLayerInput; connector: ConnectorConfig } | { ok: false; errors: FieldErrors }> {
  const parsed = parseForm(importLayerSchema, raw);
  if (!parsed.ok) return parsed;
  const input = parsed.value;
  const [connector, layers] = await Promise.all([repos.connectors.get(input.connectorId), repos.layers.list()]);
  // Layer names are compared as people read them (any case), like version names.
  const sameName = layers.find((l) => l.name.toLowerCase() === input.layerName.toLowerCase());
  if (sameName) return { ok: false, errors: layerExists(sameName.name) };
  if (!connector) return { ok: false, errors: { [IMPORT_FIELD.connectorId]: 'That connector was deleted meanwhile; choose another one.' } };
  return { ok: true, input, connector };
}

export async function importLayer(services: Pick<Services, 'repos' | 'azure'>, raw: Record<string, unknown>, actor: string): Promise<ImportLayerResult> {
  const { repos } = services;
  const local = await checkImportForm(repos, raw);
  if (!local.ok) return local;
  const { input, connector } = local;

  const vhd = await inspectFixedVhd(services, connector, input.blobPath);
  if (!vhd.ok) return { ok: false, errors: { [IMPORT_FIELD.blobPath]: vhd.message } };

  const now = new Date();
  const layer: OsLayer = {
    _id: randomUUID(),
    name: input.layerName,
    description: input.layerDescription,
    osType: input.osType,
    vmGeneration: input.vmGeneration,
    connectorId: connector._id,
    createdBy: actor,
    createdAt: now,
  };
  const version: LayerVersion = {
    _id: randomUUID(),
    layerId: layer._id,
    name: firstVersionName(input.blobPath),
    description: `Imported from ${input.blobPath}.`,
    maxLayerSizeGb: Math.ceil(vhd.sizeBytes / GIB),
    connectorId: connector._id,
    packagingDiskFilename: input.blobPath,
    status: 'deployable',
    diskUri: input.blobPath,
    diskSizeBytes: vhd.sizeBytes,
    createdBy: actor,
    createdAt: now,
    updatedAt: now,
  };
  try {
    await repos.layers.insert({ ...layer, latestVersionId: version._id });
  } catch (err) {
    if (err instanceof DuplicateKeyError) return { ok: false, errors: layerExists(input.layerName) };
    throw err;
  }
  await repos.versions.insert(version);
  await recordAudit(repos, {
    actor,
    action: 'layer.import',
    target: `layer:${layer._id}`,
    details: { name: layer.name, connectorId: connector._id, blobPath: input.blobPath, diskSizeBytes: vhd.sizeBytes },
  });
  return { ok: true, layer: { ...layer, latestVersionId: version._id }, version };
}

