/**
 * What jobs and listeners may ask of Azure's control plane. Plain data only: no SDK types cross
 * this line. An adapter is bound to one connector (subscription, resource group, location);
 * failures are AzureError subclasses from ./errors.js.
 */
import type { OsType, VmGeneration } from '../domain/model.js';

export type Tags = Record<string, string>;

/** Lets a caller give up on a long-running operation; Azure may still finish it. */
export interface LongRunning {
  signal?: AbortSignal;
}

/** A managed disk imported from a VHD page blob (createOption Import). */
export interface DiskImport {
  name: string;
  location: string;
  sourceVhdUrl: string;
  /** ARM id of the storage account holding the VHD. */
  storageAccountId: string;
  osType: OsType;
  hyperVGeneration: VmGeneration;
  tags: Tags;
}

/** The packaging machine: its OS disk is the imported packaging VHD; NIC and public IP live and die with the VM. */
export interface PackagingMachineSpec {
  taskId: string;
  /** The connector's subscription and resource group: where the machine is created on either path. */
  subscriptionId: string;
  resourceGroup: string;
  vmName: string;
  vmSize: string;
  location: string;
  disk: DiskImport;
  subnetId: string;
  nicName: string;
  publicIpName: string;
  tags: Tags;
}

export type PowerState = 'running' | 'stopped' | 'deallocated' | 'starting' | 'stopping' | 'deallocating' | 'unknown';

export interface VmStatus {
  id: string;
  name: string;
  powerState: PowerState;
  /** The VM agent reports Ready, so Run Command can reach the guest. */
  agentReady: boolean;
  osDiskId: string | undefined;
  tags: Tags;
}

export interface TaggedResource {
  id: string;
  /** ARM type, e.g. Microsoft.Compute/virtualMachines */
  type: string;
  name: string;
}

export interface CommandOutput {
  stdout: string;
  stderr: string;
}

export interface Machines {
  importDisk(disk: DiskImport, options?: LongRunning): Promise<{ id: string; sizeGb: number }>;
  /** Creates the VM around an already imported disk (see importDisk). */
  createVm(spec: PackagingMachineSpec, options?: LongRunning): Promise<{ id: string }>;
  /** The VM with its instance view, or null if it does not exist. */
  getVm(name: string): Promise<VmStatus | null>;
  startVm(name: string, options?: LongRunning): Promise<void>;
  powerOffVm(name: string, options?: LongRunning): Promise<void>;
  deallocateVm(name: string, options?: LongRunning): Promise<void>;
  restartVm(name: string, options?: LongRunning): Promise<void>;
  /** Deletes the VM (its NIC and public IP go with it; the OS disk stays). Absent is fine. */
  deleteVm(name: string, options?: LongRunning): Promise<void>;
  /** Absent is fine. */
  deleteDisk(name: string, options?: LongRunning): Promise<void>;
  /** A read SAS URL for the managed disk's contents (the VM must be deallocated). */
  grantDiskReadAccess(diskName: string, durationSeconds: number, options?: LongRunning): Promise<string>;
  revokeDiskAccess(diskName: string, options?: LongRunning): Promise<void>;
  /** Runs a PowerShell script through Run Command. Throws RunCommandBusyError while another runs. */
  runPowerShell(vmName: string, scriptLines: readonly string[], options?: LongRunning): Promise<CommandOutput>;
  /** Every resource in the resource group carrying tag `tagName` = `value`. */
  findByTag(tagName: string, value: string): Promise<TaggedResource[]>;
}

export type ProbeCheck = 'credentials' | 'storage-account' | 'region-match' | 'resource-group' | 'subnet' | 'vm-size';

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
