/**
 * Every Azure operation the bot performs with the connector's identity, the feature that needs
 * it, and the least-privileged role that grants it at which scope: the one source for the
 * README's role table (`npm run docs:roles`), connector Test's permission check, the sentence a
 * refused operation puts in the task thread, and the sandbox's default role assignments.
 * One entry per operation; a new Azure call adds its operation here.
 *
 * Roles are Microsoft's built-in ones (definitions: learn.microsoft.com/azure/role-based-access-control/built-in-roles,
 * vendored for the sandbox in src/sandbox/azure/roles/built-in-roles.json), except where none
 * grants an operation without far more: Grant Access and Revoke Access on a managed disk
 * (`disks/beginGetAccess/action`, `disks/endGetAccess/action`) are granted together only by
 * Contributor and Owner (Virtual Machine Contributor has disks read/write/delete; Disk Backup
 * Reader and Disk Snapshot Contributor have beginGetAccess without endGetAccess), so the bot
 * ships the custom role in ./roles/oslayer-disk-export.json.
 */
import { readFileSync } from 'node:fs';
import type { ConnectorConfig, GallerySettings } from '../domain/model.js';
import type { OperationKind, RolePermissions } from './rbac.js';

/** Where a role is assigned, relative to the connector's settings. */
export type PermissionScope = 'subscription' | 'resource group' | 'virtual network' | 'storage account' | 'Compute Gallery';

/** A requirement that holds only for some connectors. */
export type PermissionCondition = 'with public machine access' | 'if the bot adds the portal\'s CORS rule itself' | 'with a Compute Gallery';

export interface RequiredPermission {
  operation: string;
  kind: OperationKind;
  /** What the bot does with it, as the README and the refusal sentence say it. */
  feature: string;
  role: string;
  scope: PermissionScope;
  when?: PermissionCondition;
}

export interface CustomRole extends RolePermissions {
  name: string;
  description: string;
  /** The JSON file to give `az role definition create --role-definition @…`, from the repository root. */
  file: string;
}

const DISK_EXPORT_FILE = 'src/azure/roles/oslayer-disk-export.json';

function customRole(file: string): CustomRole {
  const json = JSON.parse(readFileSync(new URL(`./roles/${file.split('/').pop()}`, import.meta.url), 'utf8')) as {
    Name: string;
    Description: string;
    Actions: string[];
    NotActions: string[];
    DataActions: string[];
    NotDataActions: string[];
  };
  return { name: json.Name, description: json.Description, file, actions: json.Actions, notActions: json.NotActions, dataActions: json.DataActions, notDataActions: json.NotDataActions };
}

/** The custom roles the bot ships, for operations no built-in role grants without far more. */
export const CUSTOM_ROLES: readonly CustomRole[] = [customRole(DISK_EXPORT_FILE)];
const DISK_EXPORT = CUSTOM_ROLES[0]!.name;

const READER = 'Reader';
const VM_CONTRIBUTOR = 'Virtual Machine Contributor';
const NETWORK_CONTRIBUTOR = 'Network Contributor';
const BLOB_DATA_CONTRIBUTOR = 'Storage Blob Data Contributor';
const STORAGE_ACCOUNT_CONTRIBUTOR = 'Storage Account Contributor';
/** `Microsoft.Compute/galleries/*` but sharing: image definitions and image versions, nothing of who else sees the gallery. */
const GALLERY_PUBLISHER = 'Compute Gallery Artifacts Publisher';

const action = (operation: string, feature: string, role: string, scope: PermissionScope, when?: PermissionCondition): RequiredPermission => ({
  operation,
  kind: 'action',
  feature,
  role,
  scope,
  ...(when ? { when } : {}),
});
const dataAction = (operation: string, feature: string, role: string, scope: PermissionScope): RequiredPermission => ({ ...action(operation, feature, role, scope), kind: 'dataAction' });

export const REQUIRED_PERMISSIONS: readonly RequiredPermission[] = [
  action('Microsoft.Resources/subscriptions/resources/read', "find the task's machine, disk, NIC, public IP and NSG by tag in any resource group", READER, 'subscription'),
  action('Microsoft.Compute/virtualMachines/read', 'read the machine and its power state wherever the portal put it', READER, 'subscription'),
  action('Microsoft.Compute/disks/read', 'read a disk being deleted', READER, 'subscription'),
  action('Microsoft.Compute/skus/read', 'the VM sizes offered in the region (Test, the wizard)', READER, 'subscription'),
  action('Microsoft.Network/bastionHosts/read', 'the Connect through Azure Bastion link', READER, 'subscription'),
  action('Microsoft.Network/networkInterfaces/read', "the machine's private IP", READER, 'subscription'),
  action('Microsoft.Network/publicIPAddresses/read', "the machine's public IP", READER, 'subscription'),
  action('Microsoft.Network/virtualNetworks/read', "Test: the subnet's network and region", READER, 'subscription'),
  action('Microsoft.Network/virtualNetworks/subnets/read', "Test: the subnet's own NSG", READER, 'subscription'),
  action('Microsoft.Network/networkSecurityGroups/read', "Test: whether the subnet's NSG lets RDP through", READER, 'subscription'),
  action('Microsoft.Resources/subscriptions/resourceGroups/read', "Test: the connector's resource group", READER, 'subscription'),
  action('Microsoft.Storage/storageAccounts/read', "the storage account's region, endpoint and Shared Key setting", READER, 'subscription'),
  action('Microsoft.Storage/storageAccounts/blobServices/read', "read the blob service's CORS rules", READER, 'subscription'),

  action('Microsoft.Compute/disks/write', "create the machine's OS disk for upload", VM_CONTRIBUTOR, 'resource group'),
  action('Microsoft.Compute/disks/delete', 'delete the packaging disk', VM_CONTRIBUTOR, 'resource group'),
  action('Microsoft.Compute/virtualMachines/write', 'create the packaging machine (Deploy for me)', VM_CONTRIBUTOR, 'resource group'),
  action('Microsoft.Compute/virtualMachines/delete', 'delete the packaging machine', VM_CONTRIBUTOR, 'resource group'),
  action('Microsoft.Compute/virtualMachines/start/action', 'start the machine', VM_CONTRIBUTOR, 'resource group'),
  action('Microsoft.Compute/virtualMachines/powerOff/action', 'shut the machine down for Finalize', VM_CONTRIBUTOR, 'resource group'),
  action('Microsoft.Compute/virtualMachines/deallocate/action', 'deallocate the machine', VM_CONTRIBUTOR, 'resource group'),
  action('Microsoft.Compute/virtualMachines/restart/action', 'restart the machine', VM_CONTRIBUTOR, 'resource group'),
  action('Microsoft.Compute/virtualMachines/runCommand/action', 'integrity check, Expedite NGen and RunOnce scripts (Run Command)', VM_CONTRIBUTOR, 'resource group'),
  action('Microsoft.Compute/virtualMachines/runCommands/write', 'Windows Update and the inventory (managed Run Command)', VM_CONTRIBUTOR, 'resource group'),
  action('Microsoft.Compute/virtualMachines/runCommands/read', 'read a managed Run Command’s output', VM_CONTRIBUTOR, 'resource group'),
  action('Microsoft.Compute/virtualMachines/runCommands/delete', 'remove a managed Run Command', VM_CONTRIBUTOR, 'resource group'),
  action('Microsoft.Network/networkInterfaces/write', "the machine's NIC, created with it", VM_CONTRIBUTOR, 'resource group'),
  action('Microsoft.Network/networkInterfaces/delete', "the machine's NIC, deleted with it", VM_CONTRIBUTOR, 'resource group'),
  action('Microsoft.Network/networkSecurityGroups/join/action', "put the RDP NSG on the machine's NIC", VM_CONTRIBUTOR, 'resource group', 'with public machine access'),
  action('Microsoft.Network/publicIPAddresses/join/action', "put the public IP on the machine's NIC", VM_CONTRIBUTOR, 'resource group', 'with public machine access'),
  action('Microsoft.Compute/disks/beginGetAccess/action', "Create Version: Grant Access Write (upload the packaging disk into the machine's OS disk); Finalize: Grant Access Read (export it)", DISK_EXPORT, 'resource group'),
  action('Microsoft.Compute/disks/endGetAccess/action', 'Create Version and Finalize: Revoke Access', DISK_EXPORT, 'resource group'),
  action('Microsoft.Network/publicIPAddresses/write', "the machine's public IP", NETWORK_CONTRIBUTOR, 'resource group', 'with public machine access'),
  action('Microsoft.Network/publicIPAddresses/delete', "delete the machine's public IP", NETWORK_CONTRIBUTOR, 'resource group', 'with public machine access'),
  action('Microsoft.Network/networkSecurityGroups/write', "create the machine's RDP NSG", NETWORK_CONTRIBUTOR, 'resource group', 'with public machine access'),
  action('Microsoft.Network/networkSecurityGroups/delete', "delete the machine's RDP NSG", NETWORK_CONTRIBUTOR, 'resource group', 'with public machine access'),

  action('Microsoft.Network/virtualNetworks/subnets/join/action', "attach the machine's NIC to the subnet", VM_CONTRIBUTOR, 'virtual network'),

  action('Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action', 'user delegation keys for the SAS links', BLOB_DATA_CONTRIBUTOR, 'storage account'),
  action('Microsoft.Storage/storageAccounts/blobServices/containers/write', 'create the layer and template containers', BLOB_DATA_CONTRIBUTOR, 'storage account'),
  dataAction('Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read', 'read VHDs (copy, grow, Test)', BLOB_DATA_CONTRIBUTOR, 'storage account'),
  dataAction('Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write', 'write VHDs and the template', BLOB_DATA_CONTRIBUTOR, 'storage account'),
  dataAction('Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete', "delete the task's blobs", BLOB_DATA_CONTRIBUTOR, 'storage account'),
  action('Microsoft.Storage/storageAccounts/blobServices/write', "add the portal's CORS rule", STORAGE_ACCOUNT_CONTRIBUTOR, 'storage account', 'if the bot adds the portal\'s CORS rule itself'),

  // Finalize publishes from the managed OS disk, read with Reader's disks/read above.
  // Reads are Reader's (*/read on the subscription, which the bot holds anyway).
  action('Microsoft.Compute/galleries/images/read', "Finalize: find the layer's image definition", READER, 'subscription', 'with a Compute Gallery'),
  action('Microsoft.Compute/galleries/images/write', "Finalize: create the layer's image definition when the gallery has none", GALLERY_PUBLISHER, 'Compute Gallery', 'with a Compute Gallery'),
  action('Microsoft.Compute/galleries/images/versions/read', 'Finalize, Promote, Roll back: read an image version and its replication', READER, 'subscription', 'with a Compute Gallery'),
  action('Microsoft.Compute/galleries/images/versions/write', 'Finalize: publish the image version; Promote and Roll back: set excludeFromLatest', GALLERY_PUBLISHER, 'Compute Gallery', 'with a Compute Gallery'),
  action('Microsoft.Compute/galleries/images/versions/delete', "delete a failed Finalize's half-made image version; Clean up (after its confirm)", GALLERY_PUBLISHER, 'Compute Gallery', 'with a Compute Gallery'),
];

/** The resource ids a connector's scopes stand for. */
export interface ConnectorScopes {
  subscription: string;
  'resource group': string;
  'virtual network': string;
  'storage account': string;
  /** Only when the connector publishes to a Compute Gallery. */
  'Compute Gallery'?: string;
}

export function connectorScopes(connector: {
  subscriptionId: string;
  resourceGroup: string;
  storageAccount: string;
  subnetId: string;
  gallery?: Pick<GallerySettings, 'galleryId'>;
}): ConnectorScopes {
  const subscription = `/subscriptions/${connector.subscriptionId}`;
  const group = `${subscription}/resourceGroups/${connector.resourceGroup}`;
  return {
    subscription,
    'resource group': group,
    'virtual network': connector.subnetId.replace(/\/subnets\/[^/]+\/?$/i, ''),
    'storage account': `${group}/providers/Microsoft.Storage/storageAccounts/${connector.storageAccount}`,
    ...(connector.gallery ? { 'Compute Gallery': connector.gallery.galleryId } : {}),
  };
}

/** One role at one scope, as `az role assignment create` takes it. */
export interface RoleAssignment {
  role: string;
  scope: string;
}

/** Every role assignment the table asks for, conditional ones included, at the connector's scopes (no duplicates; the gallery's only with one). */
export function requiredRoleAssignments(scopes: ConnectorScopes): RoleAssignment[] {
  const seen = new Map<string, RoleAssignment>();
  for (const { role, scope } of REQUIRED_PERMISSIONS) {
    const at = scopes[scope];
    if (at) seen.set(`${role}\n${at}`, { role, scope: at });
  }
  return [...seen.values()];
}

/** The requirement that names `operation` (case-insensitive, as ARM compares them). */
export function requirementOf(operation: string): RequiredPermission | undefined {
  return REQUIRED_PERMISSIONS.find((entry) => entry.operation.toLowerCase() === operation.toLowerCase());
}

/** "assign Virtual Machine Contributor on the connector's resource group" */
export function grantAdvice(entry: RequiredPermission): string {
  const where = entry.scope === 'subscription' ? 'the subscription' : entry.scope === 'virtual network' ? "the subnet's virtual network" : `the connector's ${entry.scope}`;
  const custom = CUSTOM_ROLES.find((role) => role.name === entry.role);
  return `assign ${entry.role}${custom ? ` (custom role: ${custom.file})` : ''} on ${where}`;
}

/**
 * What the person who opens the portal link needs, in one sentence (the Action Required message):
 * the portal deploys with their own Azure rights, and ARM checks `Microsoft.Resources/deployments/write`
 * at the template's scope before each resource's own write.
 */
export function portalTemplateRights(connector: Pick<ConnectorConfig, 'portalTemplateScope' | 'subscriptionId' | 'resourceGroup' | 'machineAccess'>): string {
  const parts = connector.machineAccess?.mode === 'public' ? 'the machine, its disk, NIC, public IP and NSG' : 'the machine, its disk and NIC';
  if ((connector.portalTemplateScope ?? 'resource-group') === 'resource-group') {
    return `The link deploys with your own Azure rights into the resource group you pick in the portal: you need Microsoft.Resources/deployments/write there and the rights to create ${parts} (Contributor on that resource group gives both).`;
  }
  return `The link deploys with your own Azure rights at subscription scope and puts the machine in resource group ${connector.resourceGroup}: you need Microsoft.Resources/deployments/write on the whole subscription ${connector.subscriptionId} (Contributor on the subscription, for example; Contributor on one resource group is not enough) and the rights to create ${parts} in ${connector.resourceGroup}.`;
}
