/** The records the bot keeps. Pure types: no I/O, no SDK types. */
import type { Changelog, Inventory } from './inventory.js';
import type { HeldReason, UpdateMode, UpdateRunPhase } from './windows-update.js';
import type { RunOnceEntry } from './integrity.js';
import type { Mrkdwn } from '../../views/blocks.js';

export type Role = 'administrator' | 'manage-os-layers' | 'approver' | 'read-only';

export type VersionStatus =
  | 'publishing'
  | 'action-required'
  | 'checking'
  | 'ready-to-finalize'
  | 'finalizing'
  | 'deployable'
  | 'published'
  | 'failed'
  | 'cancelled';

export type TaskStatus = 'running' | 'action-required' | 'done' | 'failed' | 'cancelled';

export type OsType = 'Windows';
export type VmGeneration = 'V1' | 'V2';

export interface OsLayer {
  _id: string;
  name: string;
  description: string;
  osType: OsType;
  vmGeneration: VmGeneration;
  connectorId: string;
  latestVersionId?: string;
  /** KBs Install updates never installs on this layer (set in its modal, remembered for the next run). */
  excludeKbs?: string[];
  /** How its versions are published to the connector's Compute Gallery; unset members take the defaults of ./gallery.ts. */
  gallery?: Partial<LayerGalleryPolicy>;
  createdBy: string;
  createdAt: Date;
}

/** Who may make a published version the gallery's latest: anyone with Approve Versions, or only someone other than its creator. */
export type ApprovalPolicy = 'two-person' | 'single';

export interface LayerGalleryPolicy {
  approval: ApprovalPolicy;
  /** The image version's endOfLifeDate, this many days after it is published. */
  endOfLifeDays: number;
  /** A published version not promoted within this many days can no longer be promoted (fails closed). */
  approvalExpiryDays: number;
  /** The base is a Generation 2 image that boots as Trusted Launch: its definition says TrustedLaunchSupported. */
  trustedLaunchSupported: boolean;
}

/** Azure Compute Gallery's storage account types for a replica (GalleryRP 2025-03-03 StorageAccountType). */
export type GalleryStorageAccountType = 'Standard_LRS' | 'Standard_ZRS' | 'Premium_LRS' | 'PremiumV2_LRS';

export interface GalleryTargetRegion {
  name: string;
  replicaCount: number;
  storageAccountType: GalleryStorageAccountType;
}

/** A connector's Compute Gallery: where Finalize publishes each version, and where it replicates. */
export interface GallerySettings {
  /** The gallery's ARM resource ID. */
  galleryId: string;
  targetRegions: GalleryTargetRegion[];
}

export interface RegionReplication {
  region: string;
  state: 'Unknown' | 'Replicating' | 'Completed' | 'Failed';
  progress: number;
  details?: string;
}

/** A version's image version in the connector's gallery, and what people did with it. */
export interface GalleryImageRecord {
  /** The image version's ARM id. */
  id: string;
  /** Its Major.Minor.Patch name (./gallery.ts galleryVersionName). */
  versionName: string;
  imageDefinitionId: string;
  regions: RegionReplication[];
  excludeFromLatest: boolean;
  endOfLifeDate: Date;
  publishedAt?: Date;
  /** After this, Promote is refused (the approval request expired). */
  approvalExpiresAt?: Date;
  policy: ApprovalPolicy;
  promotedBy?: string;
  promotedAt?: Date;
  /** Set when a Roll back took it out of "latest". */
  rolledBackBy?: string;
  rolledBackAt?: Date;
}
export interface PackagingMachine {
  name: string;
  resourceGroup: string;
  vmId?: string;
  diskId?: string;
  /** How to reach it, read once it runs: private IP, public IP (public access) and the portal's Bastion page when its VNet has one. */
  address?: { privateIp: string; publicIp?: string; bastionUrl?: string };
}

export interface IntegrityResultSummary {
  checkedAt: Date;
  clean: boolean;
  /** The blocking conditions found (IntegrityCondition keys of ./integrity.ts), in check order. */
  blocking: string[];
  /** Set when the check itself failed (no, garbled or truncated output): never read as clean. */
  failure?: string;
  /** The probe that could not answer, when the failed check named one. */
  failedProbe?: string;
  /** The HKLM RunOnce / RunOnceEx entries found, by name: what the RunOnce remedy acts on. */
  runOnce?: RunOnceEntry[];
  /** What the check saw that decides nothing (NGen's scheduled tasks, a 32-bit start), in plain words. */
  hints?: string[];
}

/** What the packaging machine looked like at the watch's last read; `gone` = it existed and was deleted outside the bot. */
export type MachineState = 'not-created' | 'found' | 'starting' | 'running' | 'stopping' | 'stopped' | 'deallocating' | 'deallocated' | 'gone' | 'unknown';

/** The watch job's record of the packaging machine (written only by the watch and machine actions). */
export interface MachineWatch {
  state: MachineState;
  /** The VM agent reports Ready (Run Command can reach the guest). */
  agentReady?: boolean;
  observedAt: Date;
  /** When the watch first looked: the "no machine yet" reminder counts from here. */
  watchingSince: Date;
  /** When the machine was last seen to start running (cleared when it stops). */
  runningSince?: Date;
  runningReminderSent?: boolean;
  noMachineReminderSent?: boolean;
  /** Said once that the running machine's VM agent never reported (cleared when it does). */
  agentSilenceReported?: boolean;
  /** Consecutive failed reads, for the backoff. */
  failedReads?: number;
}

/** An Install updates run on the packaging machine, as the task message shows it. */
export interface WindowsUpdateRun {
  /** Identifies one run, so a job taken over after a crash continues it instead of starting over. */
  runId: string;
  mode: UpdateMode;
  /** `stopped`: someone clicked Stop after the run had stopped on an update. */
  status: 'running' | 'done' | 'failed' | 'stopped';
  /** The layer's Exclude KBs and the optional updates named for this run. */
  excludeKbs?: string[];
  includeKbs?: string[];
  phase: UpdateRunPhase;
  round: number;
  rounds: number;
  roundInstalled: number;
  roundTotal: number;
  /** Every update this run installed, in order. */
  installed: Array<{ id?: string; kb: string; title: string; round: number; rebootRequired: boolean }>;
  /** Failed installs by UpdateID: a second failure stops the run. */
  failures?: Record<string, number>;
  /** UpdateIDs that answered 0x80240016 and got a restart; a second time is a failure. */
  restartedForBusy?: string[];
  /** The update the run stopped on (failed twice, or offered again after it installed), for Exclude KB and continue. */
  stuck?: { id: string; kb: string; title: string; resultCode: number; hresult: number; why: 'failed-twice' | 'reappeared' };
  /** What the last search left out and why. */
  held?: Array<{ kb: string; title: string; reason: HeldReason }>;
  heldTotal?: number;
  /** Restarts the run made through Azure. */
  restarts: number;
  startedBy: string;
  startedAt: Date;
  endedAt?: Date;
  /** Why the run stopped: an update that failed (KB, result code, HRESULT), unreadable output, Azure; mrkdwn, guest and Azure text escaped. */
  failure?: Mrkdwn;
  /** Applicable updates still left when the round limit was reached. */
  remaining?: number;
}

export interface LayerVersion {
  _id: string;
  layerId: string;
  name: string;
  description: string;
  baseVersionId?: string;
  maxLayerSizeGb: number;
  connectorId: string;
  packagingDiskFilename: string;
  status: VersionStatus;
  packagingMachine?: PackagingMachine;
  lastIntegrity?: IntegrityResultSummary;
  machineWatch?: MachineWatch;
  windowsUpdates?: WindowsUpdateRun;
  /** What the packaging machine had installed when it first came up, before any change. */
  baseInventory?: Inventory;
  /** Why the base inventory could not be read (the changelog then compares with the base version's). */
  baseInventoryFailure?: string;
  /** What this version has installed: read from the packaging machine before finalize (imported versions: by the first version built on them). */
  inventory?: Inventory;
  /** What changed against the base version, worked out when `inventory` was read. */
  changelog?: Changelog & { comparedWith: 'packaging-machine' | 'base-version' };
  /** The portal's Custom deployment link and when its template SAS stops working. */
  portalLink?: { url: string; expiresAt: Date };
  /** The packaging machine template: a blob path in the connector's templates container. */
  templateBlob?: string;
  /** The version's fixed VHD: a blob path inside its connector's container. */
  diskUri?: string;
  diskSizeBytes?: number;
  /** Set once Finalize has created the version's image version in the connector's Compute Gallery. */
  galleryImage?: GalleryImageRecord;
  createdBy: string;
  /**
   * An autopilot version's person: who clicked Run now, or who last saved the schedule that fired.
   * The two-person rule counts them as its creator, so the run's starter alone cannot promote it.
   */
  onBehalfOf?: string;
  createdAt: Date;
  updatedAt: Date;
}

export type ConnectorAuth =
  | { kind: 'client-secret'; clientId: string; clientSecretEncrypted: string }
  | { kind: 'default-credential' };

export type CloudName = 'AzureCloud' | 'AzureUSGovernment' | 'AzureChinaCloud' | 'Custom';

/** How admins reach the packaging machine (./machine-access.ts); absent means private. */
export type MachineAccess = { mode: 'private' } | { mode: 'public'; allowedCidrs: string[] };

/**
 * The portal link's template: `resource-group` deploys into the resource group the person picks
 * (rights there suffice); `subscription` pins the machine to the connector's resource group and
 * needs `Microsoft.Resources/deployments/write` on the whole subscription.
 */
export const PORTAL_TEMPLATE_SCOPES = ['resource-group', 'subscription'] as const;
export type PortalTemplateScope = (typeof PORTAL_TEMPLATE_SCOPES)[number];

export interface ConnectorConfig {
  _id: string;
  name: string;
  cloud: CloudName;
  customEndpoints?: { armEndpoint: string; portalHost: string; storageSuffix: string; authorityHost: string; caBundle?: string };
  tenantId: string;
  subscriptionId: string;
  auth: ConnectorAuth;
  resourceGroup: string;
  storageAccount: string;
  container: string;
  location: string;
  subnetId: string;
  vmSize: string;
  /** Packaging machine access; connectors saved before the setting existed are private. */
  machineAccess?: MachineAccess;
  /** Where the portal link's template deploys; unset is `resource-group`. */
  portalTemplateScope?: PortalTemplateScope;
  /** Optional: Finalize publishes every version to this Compute Gallery, excluded from latest until promoted. */
  gallery?: GallerySettings;
  /** The sandbox's simulated Azure: every message about its resources says so. */
  simulated?: boolean;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface TaskStep {
  name: string;
  status: 'running' | 'done' | 'failed' | 'skipped';
  startedAt: Date;
  endedAt?: Date;
  detail?: string;
}

export interface Task {
  _id: string;
  kind: 'add-version';
  layerId: string;
  versionId: string;
  status: TaskStatus;
  steps: TaskStep[];
  progress?: number;
  failureReason?: string;
  /** Set on failure when running the failed step again is safe. */
  retryable?: boolean;
  slack?: { channel: string; ts: string };
  startedBy: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface Draft {
  _id: string;
  userId: string;
  channelId?: string;
  step: string;
  values: Record<string, unknown>;
  used: boolean;
  expiresAt: Date;
  createdAt: Date;
}

/**
 * What the Create OS Version wizard has collected (Draft.values). The keys are also the
 * block_ids of the wizard's inputs, so a submitted step merges straight in.
 */
export interface VersionDraftValues {
  layerId?: string;
  versionName?: string;
  versionDescription?: string;
  baseVersionId?: string;
  maxLayerSizeGb?: number;
  connectorId?: string;
  packagingDiskFilename?: string;
  diskFormat?: 'fixed-vhd';
}

/** What a connector's Test checks, in the order it checks them. */
export type ConnectorCheckName = 'credentials' | 'storage-account' | 'shared-key' | 'blob-data' | 'delegation-key' | 'region-match' | 'resource-group' | 'subnet' | 'machine-access' | 'vm-size' | 'permissions';

export interface ConnectorCheckResult {
  check: ConnectorCheckName;
  ok: boolean;
  /** Why it passed or failed, in words an admin can act on (never a secret). */
  detail: string;
}

export interface AuditEntry {
  _id: string;
  at: Date;
  actor: string;
  action: string;
  target: string;
  details?: Record<string, unknown>;
}

/** Exclusive work (finalize, deploy) is claimed by inserting a document with a unique _id. */
export interface Claim {
  _id: string;
  owner: string;
  at: Date;
}

export interface RoleAssignment {
  _id: string; // Slack user id
  role: Role;
  assignedBy: string;
  at: Date;
}
