/**
 * The packaging machine, described once and rendered twice: as the ARM template behind the
 * portal's Custom deployment link, and as the SDK bodies "Deploy for me" sends. Both renderings
 * read only the spec, so the two paths build the same machine.
 */
import type { Disk, VirtualMachine } from '@azure/arm-compute';
import type { MachineAccess, OsType, PortalTemplateScope, VmGeneration } from '../domain/model.js';
import { API_VERSIONS, INLINE_NETWORK_API_VERSION } from './api-versions.js';
import { accessDependsOn, accessTemplateResources, ipAccessBody, ipAccessTemplate, nicAccessBody, nicAccessTemplate, nsgNameFor } from './network-access.js';
import type { PackagingDisk, PackagingMachineSpec, Tags } from './ports.js';

export const TASK_TAG = 'oslayer-task';
export const LAYER_TAG = 'oslayer-layer';
export const VERSION_TAG = 'oslayer-version';

/** Standard SSD works with every VM size (Premium needs an "s" size) and boots far faster than HDD. */
const DISK_SKU = 'StandardSSD_LRS';
const IP_CONFIG_NAME = 'ipconfig1';
const VM_NAME_MAX = 64;

export interface PackagingMachineInput {
  taskId: string;
  /** Where the machine lands: the connector's subscription and resource group, whatever the portal user picks. */
  subscriptionId: string;
  resourceGroup: string;
  layerName: string;
  versionName: string;
  /** The packaging VHD's blob name (may contain virtual folders), ending .vhd */
  diskFilename: string;
  /** The packaging VHD's length, its 512-byte footer included: what the disk is uploaded from. */
  vhdSizeBytes: number;
  vmSize: string;
  location: string;
  subnetId: string;
  osType: OsType;
  hyperVGeneration: VmGeneration;
  /** The connector's Packaging machine access (private unless it says otherwise). */
  access: MachineAccess;
}

export function packagingMachineSpec(input: PackagingMachineInput): PackagingMachineSpec {
  const vmName = vmNameFor(input.diskFilename);
  const diskName = `${vmName}-osdisk`;
  const tags: Tags = { [TASK_TAG]: input.taskId, [LAYER_TAG]: input.layerName, [VERSION_TAG]: input.versionName };
  return {
    taskId: input.taskId,
    subscriptionId: input.subscriptionId,
    resourceGroup: input.resourceGroup,
    vmName,
    vmSize: input.vmSize,
    location: input.location,
    subnetId: input.subnetId,
    nicName: `${vmName}-nic`,
    publicIpName: `${vmName}-ip`,
    nsgName: nsgNameFor(vmName),
    access: input.access,
    tags,
    diskId: `/subscriptions/${input.subscriptionId}/resourceGroups/${input.resourceGroup}/providers/Microsoft.Compute/disks/${diskName}`,
    disk: {
      name: diskName,
      location: input.location,
      uploadSizeBytes: input.vhdSizeBytes,
      osType: input.osType,
      hyperVGeneration: input.hyperVGeneration,
      tags,
    },
  };
}

/**
 * An Azure VM name from the disk's file name: [A-Za-z0-9_.-], at most 64 characters, starting
 * with a letter or digit and not ending with "." or "-". (The 15-character Windows computer name
 * limit does not apply: the VM attaches an existing OS disk, so Azure never sets a computer name.)
 */
export function vmNameFor(diskFilename: string): string {
  const base = (diskFilename.split('/').pop() ?? '').replace(/\.vhd$/i, '');
  const name = base
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, VM_NAME_MAX)
    .replace(/[.-]+$/, '');
  if (!name) throw new Error(`cannot derive a machine name from the disk filename "${diskFilename}"`);
  return name;
}

// ---- rendering (a): the deployment template -------------------------------------------------

interface TemplateParameter {
  type: string;
  defaultValue?: string;
  allowedValues?: string[];
  maxLength?: number;
  metadata: { description: string };
}

export interface ArmTemplate {
  $schema: string;
  contentVersion: string;
  parameters: Record<string, TemplateParameter>;
  resources: ArmTemplateResource[];
  outputs: Record<string, { type: string; value: string }>;
}

export interface ArmTemplateResource {
  type: string;
  apiVersion: string;
  name: string;
  location?: string;
  tags?: Tags;
  dependsOn?: string[];
  sku?: Record<string, string>;
  subscriptionId?: string;
  resourceGroup?: string;
  properties: Record<string, unknown>;
}

const SUBSCRIPTION_SCHEMA = 'https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#';
const RESOURCE_GROUP_SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';

/**
 * The template behind the portal's Custom deployment link. The portal shows its parameters (VM
 * name, size and location, the bot's values as defaults) and asks where to deploy, by the
 * template's scope:
 * - `resource-group`: the machine template itself; the portal asks for a subscription and a
 *   resource group, and the machine lands in the one picked (the bot finds it by its tag).
 *   The person needs rights on that resource group only.
 * - `subscription`: one nested deployment into the connector's subscription and resource group;
 *   the portal asks for a subscription and a Region, and whatever is picked, the machine lands
 *   where the connector says. ARM checks `Microsoft.Resources/deployments/write` on the
 *   subscription, which a person with rights on one resource group does not hold. The nested
 *   deployment evaluates its own parameters (`scope: inner`), passed from the outer ones.
 */
export function toArmTemplate(spec: PackagingMachineSpec, scope: PortalTemplateScope): ArmTemplate {
  const parameters = templateParameters(spec);
  if (scope === 'resource-group') {
    return {
      ...machineTemplate(spec),
      parameters,
      outputs: { vmId: { type: 'string', value: "[resourceId('Microsoft.Compute/virtualMachines', parameters('vmName'))]" } },
    };
  }
  const passed = Object.fromEntries(Object.keys(parameters).map((name) => [name, { value: `[parameters('${name}')]` }]));
  return {
    $schema: SUBSCRIPTION_SCHEMA,
    contentVersion: '1.0.0.0',
    parameters,
    resources: [
      {
        type: 'Microsoft.Resources/deployments',
        apiVersion: API_VERSIONS.deployments,
        name: deploymentNameFor(spec.taskId),
        subscriptionId: spec.subscriptionId,
        resourceGroup: spec.resourceGroup,
        properties: {
          mode: 'Incremental',
          expressionEvaluationOptions: { scope: 'inner' },
          parameters: passed,
          template: machineTemplate(spec),
        },
      },
    ],
    outputs: {
      vmId: {
        type: 'string',
        value: `[resourceId('${spec.subscriptionId}', '${spec.resourceGroup}', 'Microsoft.Compute/virtualMachines', parameters('vmName'))]`,
      },
    },
  };
}

/** A deployment name is at most 64 characters of [-\w._()]; the task id keeps it unique per task. */
function deploymentNameFor(taskId: string): string {
  return `oslayer-${taskId}`.replace(/[^-\w._()]/g, '-').slice(0, 64);
}

function templateParameters(spec: PackagingMachineSpec): Record<string, TemplateParameter> {
  return {
    vmName: { type: 'string', defaultValue: spec.vmName, maxLength: VM_NAME_MAX, metadata: { description: 'Name of the packaging machine' } },
    vmSize: { type: 'string', defaultValue: spec.vmSize, metadata: { description: 'Size of the packaging machine (at least 2 vCPUs)' } },
    location: {
      type: 'string',
      defaultValue: spec.location,
      // The prepared OS disk is in this region, and a VM attaches only a disk of its own region.
      allowedValues: [spec.location],
      metadata: { description: "Region of the layer's storage account" },
    },
  };
}

/**
 * The resource-group template the nested deployment runs: the VM around the OS disk Publish
 * prepared (ARM's wire shape). The disk is named by its full id, so the template never reads the
 * storage account and works wherever the machine lands.
 */
function machineTemplate(spec: PackagingMachineSpec): Omit<ArmTemplate, 'outputs'> {
  const location = "[parameters('location')]";
  return {
    $schema: RESOURCE_GROUP_SCHEMA,
    contentVersion: '1.0.0.0',
    parameters: Object.fromEntries(Object.entries(templateParameters(spec)).map(([name, { type, metadata }]) => [name, { type, metadata }])),
    resources: [
      ...accessTemplateResources(spec, location),
      {
        type: 'Microsoft.Compute/virtualMachines',
        apiVersion: API_VERSIONS.virtualMachines,
        name: "[parameters('vmName')]",
        location,
        tags: spec.tags,
        dependsOn: accessDependsOn(spec),
        properties: {
          hardwareProfile: { vmSize: "[parameters('vmSize')]" },
          storageProfile: {
            osDisk: { osType: spec.disk.osType, createOption: 'Attach', managedDisk: { id: spec.diskId }, deleteOption: 'Detach' },
          },
          networkProfile: {
            networkApiVersion: INLINE_NETWORK_API_VERSION,
            networkInterfaceConfigurations: [
              {
                name: spec.nicName,
                tags: spec.tags,
                properties: {
                  primary: true,
                  deleteOption: 'Delete',
                  ...nicAccessTemplate(spec),
                  ipConfigurations: [{ name: IP_CONFIG_NAME, properties: { primary: true, subnet: { id: spec.subnetId }, ...ipAccessTemplate(spec) } }],
                },
              },
            ],
          },
        },
      },
    ],
  };
}

// ---- rendering (b): the SDK request bodies ("Deploy for me") --------------------------------

/** The packaging disk, created empty for upload; Publish writes its pages from the packaging VHD. */
export function toDiskBody(disk: PackagingDisk): Disk {
  return {
    location: disk.location,
    tags: disk.tags,
    sku: { name: DISK_SKU },
    osType: disk.osType,
    hyperVGeneration: disk.hyperVGeneration,
    creationData: { createOption: 'Upload', uploadSizeBytes: disk.uploadSizeBytes },
  };
}

/** `nsgId` is the ARM id of the NSG public access uses. */
export function toVmBody(spec: PackagingMachineSpec, nsgId?: string): VirtualMachine {
  return {
    location: spec.location,
    tags: spec.tags,
    hardwareProfile: { vmSize: spec.vmSize },
    storageProfile: {
      osDisk: { osType: spec.disk.osType, createOption: 'Attach', managedDisk: { id: spec.diskId }, deleteOption: 'Detach' },
    },
    networkProfile: {
      networkApiVersion: INLINE_NETWORK_API_VERSION,
      networkInterfaceConfigurations: [
        {
          name: spec.nicName,
          tags: spec.tags,
          primary: true,
          deleteOption: 'Delete',
          ...nicAccessBody(spec, nsgId),
          ipConfigurations: [{ name: IP_CONFIG_NAME, primary: true, subnet: { id: spec.subnetId }, ...ipAccessBody(spec) }],
        },
      ],
    },
  };
}
