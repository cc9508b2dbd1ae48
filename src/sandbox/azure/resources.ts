import { ArmError } from './http.js';

export type Tags = Record<string, string>;

/** One line of GET /_simulator/inventory. */
export interface InventoryItem {
  id: string;
  type: string;
  name: string;
  tags: Tags;
  powerState?: string;
  /** Gallery image versions: whether "latest" skips it, and its replication per region. */
  excludeFromLatest?: boolean;
  replication?: Array<{ region: string; state: string; progress: number }>;
}

interface Resource {
  id: string;
  type: string;
  name: string;
  location: string;
  tags: Tags;
}

export type ResourceGroup = Resource;

/** Resources the simulator only stores and shows: storage account, VNet, NICs, public IPs. */
export interface PlainResource extends Resource {
  kind?: string;
  sku?: Record<string, string>;
  properties: Record<string, unknown>;
}

export type DiskState = 'Unattached' | 'Attached' | 'Reserved' | 'ActiveSAS' | UploadState;

/** A disk made with createOption Upload: ReadyToUpload until a write SAS is granted, ActiveUpload until it is revoked. */
export type UploadState = 'ReadyToUpload' | 'ActiveUpload';

export interface ManagedDisk extends Resource {
  resourceGroup: string;
  provisioningState: 'Creating' | 'Succeeded' | 'Deleting';
  osType?: string;
  hyperVGeneration?: string;
  /** securityProfile.securityType (e.g. TrustedLaunch); absent is Standard. */
  securityType?: string;
  diskSizeBytes: number;
  creationData: Record<string, unknown>;
  sku: { name: string; tier: string };
  timeCreated: string;
  uniqueId: string;
  /** The VM the disk is attached to, if any (ARM's `managedBy`). */
  managedBy?: string;
  /** Container-relative path of the disk's bytes inside Azurite. */
  blobName: string;
  /** Set while a grantAccess SAS is live: the stored access policy that revokeAccess deletes. */
  accessPolicyId?: string;
  /** Set from an Upload create until the write SAS is revoked; the disk is then Unattached like any other. */
  upload?: UploadState;
}

export type PowerState = 'starting' | 'running' | 'stopping' | 'stopped' | 'deallocating' | 'deallocated';

export interface VirtualMachine extends Resource {
  vmId: string;
  provisioningState: 'Creating' | 'Updating' | 'Succeeded' | 'Deleting';
  powerState: PowerState;
  vmSize: string;
  osDisk: { diskId: string; name: string; osType: string; deleteOption: string; caching: string };
  networkApiVersion: string;
  networkInterfaceConfigurations: unknown[];
  /** The NICs and public IPs created from the inline configurations, with their deleteOption. */
  createdResources: Array<{ id: string; deleteOption: string; primary?: boolean }>;
  timeCreated: string;
  hyperVGeneration: string;
  runCommandInProgress: boolean;
  /** After a boot the VM agent reports Ready only from this time (epoch ms): Run Command waits for it. */
  agentReadyAt?: number;
}

/** An Azure Compute Gallery image definition (galleries/images). */
export interface GalleryImageDefinition extends Resource {
  provisioningState: 'Creating' | 'Succeeded';
  properties: Record<string, unknown> & { hyperVGeneration: string; features: Array<{ name: string; value: string }> };
}

/** A gallery image version (galleries/images/versions) and the replication it is going through. */
export interface GalleryImageVersionRecord extends Resource {
  provisioningState: 'Creating' | 'Updating' | 'Succeeded' | 'Failed' | 'Deleting';
  publishingProfile: Record<string, unknown> & { excludeFromLatest: boolean; targetRegions: Array<{ name: string; regionalReplicaCount: number; storageAccountType: string }> };
  storageProfile: Record<string, unknown>;
  safetyProfile: Record<string, unknown>;
  /** When replication began (epoch ms) and how long each region takes after the one before. */
  replicationStartedAt: number;
  replicationMsPerRegion: number;
}

/** Resources of one kind keyed by id, compared case-insensitively as ARM does. */
export class ResourceTable<T extends Resource> {
  private readonly byId = new Map<string, T>();

  get(id: string): T | undefined {
    return this.byId.get(id.toLowerCase());
  }

  put(resource: T): T {
    this.byId.set(resource.id.toLowerCase(), resource);
    return resource;
  }

  delete(id: string): boolean {
    return this.byId.delete(id.toLowerCase());
  }

  values(): T[] {
    return [...this.byId.values()];
  }

  inResourceGroup(resourceGroupId: string): T[] {
    const prefix = `${resourceGroupId.toLowerCase()}/`;
    return this.values().filter((resource) => resource.id.toLowerCase().startsWith(prefix));
  }
}

export function resourceGroupId(subscriptionId: string, resourceGroup: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`;
}

export function resourceId(subscriptionId: string, resourceGroup: string, type: string, name: string): string {
  return `${resourceGroupId(subscriptionId, resourceGroup)}/providers/${type}/${name}`;
}

/** Everything the simulator holds, one table per kind of resource. */
export class ResourceStore {
  readonly resourceGroups = new ResourceTable<ResourceGroup>();
  readonly plain = new ResourceTable<PlainResource>();
  readonly disks = new ResourceTable<ManagedDisk>();
  readonly machines = new ResourceTable<VirtualMachine>();
  readonly galleryImages = new ResourceTable<GalleryImageDefinition>();
  readonly galleryImageVersions = new ResourceTable<GalleryImageVersionRecord>();

  constructor(readonly subscriptionId: string) {}

  inventory(): InventoryItem[] {
    const item = ({ id, type, name, tags }: Resource): InventoryItem => ({ id, type, name, tags: { ...tags } });
    return [
      ...this.resourceGroups.values().map(item),
      ...this.plain.values().map(item),
      ...this.disks.values().map(item),
      ...this.machines.values().map((machine) => ({ ...item(machine), powerState: machine.powerState })),
      ...this.galleryImages.values().map(item),
      ...this.galleryImageVersions.values().map((version) => ({
        ...item(version),
        excludeFromLatest: version.publishingProfile.excludeFromLatest,
        replication: regionalReplication(version, Date.now()).map(({ region, state, progress }) => ({ region, state, progress })),
      })),
    ];
  }

  /** ARM answers 404 SubscriptionNotFound for any subscription but the simulated one. */
  requireSubscription(subscriptionId: string): void {
    if (subscriptionId.toLowerCase() !== this.subscriptionId.toLowerCase()) {
      throw new ArmError(404, 'SubscriptionNotFound', `The subscription '${subscriptionId}' could not be found.`);
    }
  }

  /** The resource group a request addresses; ARM answers 404 when it (or the subscription) is unknown. */
  requireResourceGroup(subscriptionId: string, name: string): ResourceGroup {
    this.requireSubscription(subscriptionId);
    const group = this.resourceGroups.get(resourceGroupId(this.subscriptionId, name));
    if (!group) throw new ArmError(404, 'ResourceGroupNotFound', `Resource group '${name}' could not be found.`);
    return group;
  }
}

export function notFound(type: string, name: string, resourceGroup: string): ArmError {
  return new ArmError(
    404,
    'ResourceNotFound',
    `The Resource '${type}/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
}

/** ARM compares locations without case or spaces ("East US" is "eastus"). */
export function normalizeLocation(location: string): string {
  return location.replace(/\s+/g, '').toLowerCase();
}

/**
 * Where replication of an image version stands at `now`: the target regions replicate one after
 * another, each taking `replicationMsPerRegion`, the way ReplicationStatus reports them.
 */
export function regionalReplication(version: GalleryImageVersionRecord, now: number): Array<{ region: string; state: string; progress: number; details: string }> {
  return version.publishingProfile.targetRegions.map((target, i) => {
    if (version.provisioningState === 'Failed') return { region: target.name, state: 'Failed', progress: 0, details: 'Replication failed in this region.' };
    const doneAt = version.replicationStartedAt + (i + 1) * version.replicationMsPerRegion;
    const started = doneAt - version.replicationMsPerRegion;
    if (now >= doneAt || version.provisioningState === 'Succeeded') return { region: target.name, state: 'Completed', progress: 100, details: '' };
    const progress = now <= started ? 0 : Math.floor(((now - started) / version.replicationMsPerRegion) * 100);
    return { region: target.name, state: 'Replicating', progress, details: '' };
  });
}
