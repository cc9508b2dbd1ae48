import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AZURITE_KEY, startAzurite } from './azure/azurite.js';
import { startArmSimulator, type RunningArmSimulator } from './azure/index.js';
import { buildFixedVhd, MIB } from '../azure/vhd.js';
import type { ConnectorConfig, LayerVersion, OsLayer } from '../domain/model.js';
import type { Services } from '../services.js';
import { SANDBOX_CONNECTOR_NAME, simulatedConnector } from './simulated-connector.js';

export const DEMO_LAYER_NAME = 'Windows Server 2022 (demo)';
const DEMO_BASE_VERSION = '2026-10 baseline';
/** Small enough to seed in a moment; the workflow never reads disk bytes anyway. */
const DEMO_BASE_VHD_BYTES = 8 * MIB;

export interface RunningSandbox {
  armEndpoint: string;
  /** The storage account's blob endpoint as ARM reports it: HTTPS, Entra ID tokens and user delegation SAS, as on Azure. */
  blobEndpoint: string;
  /**
   * Azurite's own account URL behind that endpoint (HTTP, the account key): the platform's side,
   * for tests that look at or tamper with what storage holds without being one of the account's clients.
   */
  azuriteEndpoint: string;
  simulator: RunningArmSimulator;
  connector: ConnectorConfig;
  stop(): Promise<void>;
}

/**
 * OSLAYER_SANDBOX=1: Azurite and the ARM simulator in-process, a "Sandbox (simulated Azure)"
 * connector and a demo OS layer whose base version is a small fixed VHD, so the whole
 * workflow runs without a subscription. The bot reaches storage as in production: at the
 * account's blob endpoint that ARM reports (the simulator's HTTPS gateway in front of Azurite),
 * with Microsoft Entra ID tokens and user delegation SAS. Re-running against the same store refreshes the
 * connector's endpoints (they change with every start) and reseeds the base VHD.
 */
export async function startSandbox(services: Pick<Services, 'repos' | 'secretKey' | 'azure' | 'logger' | 'config'>): Promise<RunningSandbox> {
  const { repos, logger, config } = services;
  // Kept with the bot's data, so a restarted sandbox still has its blobs, disks and machines.
  const sandboxDir = join(resolve(config.dataDir), 'sandbox');
  mkdirSync(join(sandboxDir, 'azurite'), { recursive: true, mode: 0o700 });
  const azurite = await startAzurite({ location: join(sandboxDir, 'azurite') });
  let simulator: RunningArmSimulator;
  try {
    simulator = await startArmSimulator({
      blobEndpoint: azurite.blobEndpoint,
      blobAccountKey: AZURITE_KEY,
      port: config.sandbox.armPort,
      storagePort: config.sandbox.blobPort,
      stateFile: join(sandboxDir, 'arm-simulator.json'),
    });
  } catch (err) {
    await azurite.stop();
    throw err;
  }
  const stop = async (): Promise<void> => {
    await simulator.stop();
    await azurite.stop();
  };
  try {
    const fresh = simulatedConnector(simulator, services.secretKey, { gallery: config.sandbox.gallery ?? false });
    const existing = await repos.connectors.findOne({ name: SANDBOX_CONNECTOR_NAME });
    const connector: ConnectorConfig = existing ? { ...fresh, _id: existing._id, createdAt: existing.createdAt, container: existing.container } : fresh;
    if (existing) await repos.connectors.update(existing._id, connector);
    else await repos.connectors.insert(connector);

    await seedDemoLayer(services, connector);
    logger.info(`sandbox: simulated Azure at ${simulator.armEndpoint}, blob storage at ${simulator.storageBlobEndpoint}`);
    return { armEndpoint: simulator.armEndpoint, blobEndpoint: simulator.storageBlobEndpoint, azuriteEndpoint: azurite.blobEndpoint, simulator, connector, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function seedDemoLayer(services: Pick<Services, 'repos' | 'azure'>, connector: ConnectorConfig): Promise<void> {
  const { repos } = services;
  const blobs = await services.azure.session(connector).blobs();
  await blobs.ensureContainer({ container: connector.container });

  let layer = await repos.layers.findOne({ name: DEMO_LAYER_NAME });
  if (!layer) {
    const now = new Date();
    const newLayer: OsLayer = {
      _id: randomUUID(),
      name: DEMO_LAYER_NAME,
      description: 'A demo OS layer in the simulated Azure sandbox.',
      osType: 'Windows',
      vmGeneration: 'V2',
      connectorId: connector._id,
      createdBy: 'oslayer',
      createdAt: now,
    };
    await repos.layers.insert(newLayer);
    layer = newLayer;
  }
  // Every deployable version's VHD is there: seeded if missing (a new data dir, or a store that
  // outlived its sandbox), kept if the sandbox's Azurite still has it.
  const versions = await repos.versions.list({ layerId: layer._id, status: { $in: ['deployable', 'published'] } });
  if (versions.length === 0) {
    const now = new Date();
    const base: LayerVersion = {
      _id: randomUUID(),
      layerId: layer._id,
      name: DEMO_BASE_VERSION,
      description: 'The imported base disk of the demo layer.',
      maxLayerSizeGb: 1,
      connectorId: connector._id,
      packagingDiskFilename: 'demo-base.vhd',
      status: 'deployable',
      diskUri: `demo/${DEMO_BASE_VERSION.replace(/\s+/g, '-')}.vhd`,
      diskSizeBytes: DEMO_BASE_VHD_BYTES,
      createdBy: 'oslayer',
      createdAt: now,
      updatedAt: now,
    };
    await repos.versions.insert(base);
    await repos.layers.update(layer._id, { latestVersionId: base._id });
    versions.push(base);
  }
  for (const version of versions) {
    if (!version.diskUri) continue;
    const ref = { container: connector.container, blob: version.diskUri };
    if ((await blobs.blobProperties(ref)).exists) continue;
    // A finalized version's disk is as large as its Max Layer Size (100 GB by default): seed the
    // small disk and grow it, which writes only its footer, rather than allocate it all here.
    await blobs.uploadPageBlob({ ...ref, data: buildFixedVhd(DEMO_BASE_VHD_BYTES) });
    await blobs.growVhd({ ...ref, newSizeBytes: version.diskSizeBytes ?? DEMO_BASE_VHD_BYTES });
  }
}
