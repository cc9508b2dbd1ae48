import { randomUUID } from 'node:crypto';
import type { RunningArmSimulator } from '../../src/sandbox/azure/index.js';
import { buildFixedVhd, MIB } from '../../src/azure/vhd.js';
import type { LayerVersion, OsLayer } from '../../src/domain/model.js';
import { simulatedConnector } from '../../src/sandbox/simulated-connector.js';
import type { Services } from '../../src/services.js';

/** The base version's disk: small, since Azurite reads a copy's whole source. */
const BASE_DISK_BYTES = 8 * MIB;

/**
 * The connector, layer and base version an admin would have registered against the simulated
 * subscription `arm`, for tests that run the bot without the sandbox's own: stored through
 * `services`, with the base version's VHD uploaded to the connector's container.
 */
export async function seedLayer(services: Services, arm: RunningArmSimulator, secretKey: Buffer): Promise<{ layer: OsLayer; base: LayerVersion }> {
  const { repos } = services;
  const now = new Date();
  const connector = simulatedConnector(arm, secretKey);
  await repos.connectors.insert(connector);
  const base: LayerVersion = {
    _id: randomUUID(),
    layerId: randomUUID(),
    name: 'baseline',
    description: '',
    maxLayerSizeGb: 1,
    connectorId: connector._id,
    packagingDiskFilename: 'baseline-packaging.vhd',
    status: 'deployable',
    diskUri: 'win11/baseline.vhd',
    diskSizeBytes: BASE_DISK_BYTES,
    createdBy: 'UADMIN1',
    createdAt: now,
    updatedAt: now,
  };
  const layer: OsLayer = {
    _id: base.layerId,
    name: 'Windows 11 Enterprise',
    description: '',
    osType: 'Windows',
    vmGeneration: 'V2',
    connectorId: connector._id,
    latestVersionId: base._id,
    createdBy: 'UADMIN1',
    createdAt: now,
  };
  await repos.layers.insert(layer);
  await repos.versions.insert(base);
  const blobs = await services.azure.session(connector).blobs();
  await blobs.ensureContainer({ container: connector.container });
  await blobs.uploadPageBlob({ container: connector.container, blob: base.diskUri!, data: buildFixedVhd(BASE_DISK_BYTES) });
  return { layer, base };
}
