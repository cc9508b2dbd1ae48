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
  blobAccountKey: string;
  subnetId: string;
  runCommandMs: number;
}

/** What every group of routes works with. */
export interface SimulatorContext {
  config: SimulatorConfig;
  store: ResourceStore;
  operations: LongRunningOperations;
  guests: GuestRegistry;
  agents: VmAgents;
  blobs: DiskBlobs;
}
