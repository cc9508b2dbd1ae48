import type { DeploymentRecords } from './deployments/index.js';
import type { DiskBlobs } from './disk-blobs.js';
import type { GuestRegistry } from './guest.js';
import type { LongRunningOperations } from './operations.js';
import type { ResourceStore } from './resources.js';
import type { VmAgents } from './vm-agent.js';

export interface SimulatorConfig {
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  storageAccount: string;
  /** Azurite account URL without a trailing slash. */
  blobEndpoint: string;
  /** The account's endpoint as ARM reports it: the gateway enforcing allowSharedKeyAccess. */
  storageBlobEndpoint: string;
  blobAccountKey: string;
  subnetId: string;
  runCommandMs: number;
  /** How long a gallery image version takes to replicate to each target region, one region after another. */
  replicationMsPerRegion: number;
}

/** What every group of routes works with. */
export interface SimulatorContext {
  config: SimulatorConfig;
  store: ResourceStore;
  operations: LongRunningOperations;
  guests: GuestRegistry;
  agents: VmAgents;
  /** Microsoft.Resources/deployments at resource-group and subscription scope. */
  deployments: DeploymentRecords;
  blobs: DiskBlobs;
}
