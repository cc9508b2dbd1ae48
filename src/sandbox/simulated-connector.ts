import { randomUUID } from 'node:crypto';
import type { ConnectorConfig } from '../domain/model.js';
import { encryptSecret } from '../secrets.js';
import type { RunningArmSimulator } from './azure/index.js';

export const SANDBOX_CONNECTOR_NAME = 'Sandbox (simulated Azure)';

/**
 * The connector an admin would save for the simulated subscription: a Custom cloud whose CA
 * bundle is the simulator's certificate, so the production path (cloud profile → credential →
 * SDK clients) is what talks to it.
 */
export function simulatedConnector(
  sim: RunningArmSimulator,
  secretKey: Buffer,
  opts: { name?: string; container?: string; vmSize?: string; createdBy?: string; gallery?: boolean } = {},
): ConnectorConfig {
  const now = new Date();
  return {
    _id: randomUUID(),
    name: opts.name ?? SANDBOX_CONNECTOR_NAME,
    cloud: 'Custom',
    customEndpoints: {
      armEndpoint: sim.armEndpoint,
      authorityHost: sim.armEndpoint,
      portalHost: 'portal.azure.com',
      storageSuffix: 'sandbox.invalid',
      caBundle: sim.caCertPem,
    },
    tenantId: sim.tenantId,
    subscriptionId: sim.subscriptionId,
    auth: { kind: 'client-secret', clientId: sim.clientId, clientSecretEncrypted: encryptSecret(sim.clientSecret, secretKey) },
    resourceGroup: sim.resourceGroup,
    storageAccount: sim.storageAccount,
    container: opts.container ?? 'oslayer-layers',
    location: sim.location,
    subnetId: sim.subnetId,
    vmSize: opts.vmSize ?? 'Standard_D2s_v3',
    // The demo layer's versions go to the subscription's gallery: one replica in the connector's region.
    ...(opts.gallery ? { gallery: { galleryId: sim.galleryId, targetRegions: [{ name: sim.location, replicaCount: 1, storageAccountType: 'Standard_LRS' as const }] } } : {}),
    simulated: true,
    createdBy: opts.createdBy ?? 'oslayer',
    createdAt: now,
    updatedAt: now,
  };
}
