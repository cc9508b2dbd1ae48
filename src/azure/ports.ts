/**
 * What jobs and listeners may ask of Azure's control plane. Plain data only: no SDK types cross
 * this line. An adapter is bound to one connector (subscription, resource group, location);
 * failures are AzureError subclasses from ./errors.js.
 */
import type { MachineAccess, OsType, VmGeneration } from '../domain/model.js';
import type { ScriptOutput } from '../domain/script-output.js';
import type { ImageDefinitionSpec } from '../domain/gallery.js';

export type Tags = Record<string, string>;

/** Lets a caller give up on a long-running operation; Azure may still finish it. */
export interface LongRunning {
  signal?: AbortSignal;
}

/**
 * The packaging machine's OS disk: created empty for upload (createOption Upload) and filled
 * server-side from the packaging VHD, so Compute never reads the storage account itself.
 */
export interface PackagingDisk {
  name: string;
  location: string;
  /** The VHD's whole length, footer included: the disk's size plus 512 bytes. */
  uploadSizeBytes: number;
  osType: OsType;
  hyperVGeneration: VmGeneration;
  tags: Tags;
}

/** The packaging machine: its OS disk is the uploaded packaging VHD; NIC and public IP live and die with the VM. */
export interface PackagingMachineSpec {
  taskId: string;
  /** The connector's subscription and resource group: where the machine is created on either path. */
  subscriptionId: string;
  resourceGroup: string;
  vmName: string;
  vmSize: string;
  location: string;
  disk: PackagingDisk;
  /** ARM id of that disk, in the connector's resource group, which the machine attaches on either path. */
  diskId: string;
  subnetId: string;
  nicName: string;
  /** Used only with public access. */
  publicIpName: string;
  /** The network security group public access puts on the NIC (./network-access.ts). */
  nsgName: string;
  access: MachineAccess;
  tags: Tags;
}

export type PowerState = 'running' | 'stopped' | 'deallocated' | 'starting' | 'stopping' | 'deallocating' | 'unknown';

export interface VmStatus {
  id: string;
  name: string;
  resourceGroup: string;
  powerState: PowerState;
  /** The VM agent reports Ready, so Run Command can reach the guest. */
  agentReady: boolean;
  osDiskId: string | undefined;
  /** The primary NIC's ARM id, for its addresses. */
  nicId: string | undefined;
  tags: Tags;
}

/** How a person reaches the machine: its addresses, and the portal's Bastion page when its VNet has a Bastion host. */
export interface MachineAddresses {
  privateIp: string;
  publicIp?: string;
  bastionUrl?: string;
}

export interface TaggedResource {
  id: string;
  /** ARM type, e.g. Microsoft.Compute/virtualMachines */
  type: string;
  name: string;
  /** Where it was found: the portal lets a person deploy into any resource group of the subscription. */
  resourceGroup: string;
}

/**
 * A VM or disk of the connector's subscription: a bare name is in the connector's resource group
 * (what the bot itself creates); a found resource says where it is.
 */
export type ResourceName = string | { name: string; resourceGroup: string };

/** A script's streams; `exitCode` only from a managed Run Command (the action Run Command never reports it). */
export type CommandOutput = ScriptOutput;

/** Named script parameters (Run Command `parameters`): data handed to the script, never script text. */
export type ScriptParameters = Readonly<Record<string, string>>;

/** A script run as a managed Run Command, which Azure ends after `timeoutSeconds`. */
export interface ManagedScript {
  /** The run command's resource name (unique per VM while it exists). */
  name: string;
  script: readonly string[];
  parameters?: ScriptParameters;
  timeoutSeconds: number;
  tags: Tags;
}

export interface ManagedScriptResult {
  /** Azure's executionState: `timed-out` means Azure ended the script at `timeoutSeconds`; `running`: it still executes (and is not deleted). */
  state: 'succeeded' | 'failed' | 'timed-out' | 'running' | 'other';
  output: CommandOutput;
}

export interface Machines {
  /** Creates the empty disk an upload fills (ReadyToUpload until write access is granted). */
  createUploadDisk(disk: PackagingDisk, options?: LongRunning): Promise<{ id: string }>;
  /** The disk's diskState (ReadyToUpload, ActiveUpload, Unattached, ...), or null if it does not exist. */
  diskState(disk: ResourceName): Promise<string | null>;
  /** A write SAS URL for an upload disk's pages; the disk is ActiveUpload until revokeDiskAccess. */
  grantDiskWriteAccess(disk: ResourceName, durationSeconds: number, options?: LongRunning): Promise<string>;
  /** Creates the VM around the prepared, uploaded disk (spec.diskId). */
  createVm(spec: PackagingMachineSpec, options?: LongRunning): Promise<{ id: string }>;
  /** The VM with its instance view, or null if it does not exist. */
  getVm(name: ResourceName): Promise<VmStatus | null>;
  startVm(name: ResourceName, options?: LongRunning): Promise<void>;
  powerOffVm(name: ResourceName, options?: LongRunning): Promise<void>;
  deallocateVm(name: ResourceName, options?: LongRunning): Promise<void>;
  restartVm(name: ResourceName, options?: LongRunning): Promise<void>;
  /** Deletes the VM (its NIC and public IP go with it; the OS disk stays). Absent is fine. */
  deleteVm(name: ResourceName, options?: LongRunning): Promise<void>;
  /** Absent is fine. */
  deleteDisk(name: ResourceName, options?: LongRunning): Promise<void>;
  /** A read SAS URL for the managed disk's contents (the VM must be deallocated). */
  grantDiskReadAccess(disk: ResourceName, durationSeconds: number, options?: LongRunning): Promise<string>;
  revokeDiskAccess(disk: ResourceName, options?: LongRunning): Promise<void>;
  /** Runs a PowerShell script through Run Command. Throws RunCommandBusyError while another runs. */
  runPowerShell(vm: ResourceName, scriptLines: readonly string[], options?: LongRunning & { parameters?: ScriptParameters }): Promise<CommandOutput>;
  /**
   * Runs a PowerShell script as a managed Run Command with a timeout, waits for it, reads its
   * instance view (exit code included) and deletes the run command again, never while it executes.
   */
  runManagedPowerShell(vm: ResourceName, script: ManagedScript, options?: LongRunning): Promise<ManagedScriptResult>;
  /** Public access only: the NSG allowing RDP from the connector's ranges, created before the VM that uses it. */
  createNetworkSecurityGroup(spec: PackagingMachineSpec, options?: LongRunning): Promise<{ id: string }>;
  /** Absent is fine. Azure refuses while a NIC still uses it, so delete the VM first. */
  deleteNetworkSecurityGroup(name: ResourceName, options?: LongRunning): Promise<void>;
  /** The VM's private (and public) IP and, when a Bastion host serves its VNet, the portal link to connect through it. */
  machineAddresses(vm: VmStatus): Promise<MachineAddresses | null>;
  /** Every resource in the subscription (any resource group) carrying tag `tagName` = `value`. */
  findByTag(tagName: string, value: string): Promise<TaggedResource[]>;
}

export type ProbeCheck = 'credentials' | 'storage-account' | 'shared-key' | 'blob-data' | 'delegation-key' | 'region-match' | 'resource-group' | 'subnet' | 'machine-access' | 'vm-size' | 'permissions';

export interface ProbeResult {
  check: ProbeCheck;
  ok: boolean;
  /** Not run because a check it depends on failed; `detail` says which. */
  skipped: boolean;
  detail: string;
}

export interface StorageAccountInfo {
  id: string;
  location: string;
  /** e.g. https://account.blob.core.windows.net/ */
  blobEndpoint: string;
  /** The account's `allowSharedKeyAccess`; Azure leaves it unset (meaning allowed) until someone sets it. */
  sharedKeyAllowed: boolean;
  /** Blob index tags work here: not with a hierarchical namespace, not on premium accounts. */
  blobIndexTags: boolean;
}

/** The connector's Test button, and the storage facts publishing needs. */
export interface ConnectorProbe {
  /**
   * Every check, in the order of ProbeCheck, each reported. Never throws for a failed check.
   * `generations`: the hypervisor generations of the layers using the connector, which its VM size must boot.
   */
  runChecks(opts?: { generations?: readonly VmGeneration[] }): Promise<ProbeResult[]>;
  /** Why `vmSize` can't be a packaging machine for a layer of `generation` here, or undefined if it can. */
  vmSizeProblem(vmSize: string, generation: VmGeneration): Promise<string | undefined>;
  storageAccountInfo(accountName: string): Promise<StorageAccountInfo>;
  /** An account key via listKeys, for signing SAS when nothing else can. */
  storageAccountKey(accountName: string): Promise<string>;
}

/** An image definition as the gallery has it (existing ones may differ from what the bot would create). */
export interface ImageDefinitionState {
  id: string;
  hyperVGeneration: VmGeneration;
  /** The SecurityType feature; absent on definitions made before api-versions that default it. */
  securityType?: string;
}

export interface ImageVersionSpec {
  galleryId: string;
  imageName: string;
  versionName: string;
  location: string;
  /** The managed OS disk the version is made from (storageProfile.osDiskImage.source.id). */
  sourceDiskId: string;
  targetRegions: ReadonlyArray<{ name: string; replicaCount: number; storageAccountType: string }>;
  endOfLifeDate: Date;
  tags: Tags;
}

export interface ImageVersionState {
  id: string;
  provisioningState: string;
  excludeFromLatest: boolean;
  regions: Array<{ region: string; state: 'Unknown' | 'Replicating' | 'Completed' | 'Failed'; progress: number; details?: string }>;
  tags: Tags;
}

/** The connector's Azure Compute Gallery: image definitions and image versions (GalleryRP, api-versions.ts). */
export interface Gallery {
  /** The layer's definition, created from `spec` when the gallery has none by its name. */
  ensureImageDefinition(galleryId: string, location: string, spec: ImageDefinitionSpec, tags: Tags): Promise<ImageDefinitionState>;
  /** The version with its per-region replication (`$expand=ReplicationStatus`), or null. */
  getImageVersion(galleryId: string, imageName: string, versionName: string): Promise<ImageVersionState | null>;
  /**
   * Starts creating the version, always excluded from latest and with deletion of replicated
   * locations refused, and resolves once Azure accepted it; `done` settles when Azure finished
   * (replication included), rejecting with Azure's reason if it failed.
   */
  beginCreateImageVersion(spec: ImageVersionSpec, options?: LongRunning): Promise<{ done: Promise<void> }>;
  /** Sets excludeFromLatest (PATCH of the publishing profile) and waits for Azure to apply it. */
  setExcludeFromLatest(galleryId: string, imageName: string, versionName: string, exclude: boolean, options?: LongRunning): Promise<void>;
  /** Absent is fine. */
  deleteImageVersion(galleryId: string, imageName: string, versionName: string, options?: LongRunning): Promise<void>;
}
