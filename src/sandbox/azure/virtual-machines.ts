import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { SimulatorContext } from './context.js';
import { refuseWhileDeleting } from './disks.js';
import { ArmError, parseBody, type Router, type SimRequest, type SimResponse } from './http.js';
import { createInlineNetwork, releaseInlineNetwork } from './inline-network.js';
import { renderInstanceView, renderMachine } from './machine-views.js';
import { notFound, normalizeLocation, resourceId, type ManagedDisk, type VirtualMachine } from './resources.js';
import { findVmSize } from './skus.js';
import { securityGroupExists } from './security-groups.js';
import { subnetExists } from './storage-and-network.js';

const VM_TYPE = 'Microsoft.Compute/virtualMachines';

const deleteOption = z.enum(['Delete', 'Detach']);
const tagsSchema = z.record(z.string(), z.string());

const ipConfigurationSchema = z.object({
  name: z.string().min(1),
  properties: z.object({
    primary: z.boolean().optional(),
    subnet: z.object({ id: z.string().min(1) }),
    publicIPAddressConfiguration: z
      .object({
        name: z.string().min(1),
        tags: tagsSchema.optional(),
        sku: z.object({ name: z.string(), tier: z.string().optional() }).optional(),
        properties: z.object({ deleteOption: deleteOption.optional(), publicIPAllocationMethod: z.string().optional() }).optional(),
      })
      .optional(),
  }),
});

const machineBody = z.object({
  location: z.string().min(1),
  tags: tagsSchema.optional(),
  properties: z.object({
    hardwareProfile: z.object({ vmSize: z.string().min(1) }),
    storageProfile: z.object({
      osDisk: z.object({
        osType: z.enum(['Windows', 'Linux']).optional(),
        name: z.string().optional(),
        caching: z.string().optional(),
        createOption: z.string(),
        deleteOption: deleteOption.optional(),
        managedDisk: z.object({ id: z.string().min(1) }),
      }),
    }),
    networkProfile: z.object({
      networkApiVersion: z.string().min(1),
      networkInterfaceConfigurations: z
        .array(
          z.object({
            name: z.string().min(1),
            tags: tagsSchema.optional(),
            properties: z.object({
              primary: z.boolean().optional(),
              deleteOption: deleteOption.optional(),
              networkSecurityGroup: z.object({ id: z.string().min(1) }).optional(),
              ipConfigurations: z.array(ipConfigurationSchema).min(1),
            }),
          }),
        )
        .min(1),
    }),
  }),
});

type MachineBody = z.infer<typeof machineBody>;

/** The packaging machine: created around an existing OS disk, with its network inline. */
export function registerVirtualMachineRoutes(router: Router, context: SimulatorContext): void {
  const machines = '/subscriptions/:sub/resourceGroups/:rg/providers/Microsoft.Compute/virtualMachines';
  router.add('GET', machines, (req) => {
    const group = context.store.requireResourceGroup(req.params.sub!, req.params.rg!);
    const value = context.store.machines.inResourceGroup(group.id).map((machine) => renderMachine(context, machine));
    return { status: 200, body: { value } };
  });
  router.add('GET', `${machines}/:name`, (req) => {
    const expand = req.query.get('$expand')?.toLowerCase() === 'instanceview';
    return { status: 200, body: renderMachine(context, findMachine(context, req), expand) };
  });
  router.add('GET', `${machines}/:name/instanceView`, (req) => ({ status: 200, body: renderInstanceView(context, findMachine(context, req)) }));
  router.add('PUT', `${machines}/:name`, (req) => putMachine(context, req));
  router.add('DELETE', `${machines}/:name`, (req) => deleteMachine(context, req));
}

function machineId(context: SimulatorContext, req: SimRequest): string {
  const group = context.store.requireResourceGroup(req.params.sub!, req.params.rg!);
  return resourceId(context.store.subscriptionId, group.name, VM_TYPE, req.params.name!);
}

export function findMachine(context: SimulatorContext, req: SimRequest): VirtualMachine {
  const machine = context.store.machines.get(machineId(context, req));
  if (!machine) throw notFound(VM_TYPE, req.params.name!, req.params.rg!);
  return machine;
}

function putMachine(context: SimulatorContext, req: SimRequest): SimResponse {
  const id = machineId(context, req);
  const body = parseBody(machineBody, req);
  const existing = context.store.machines.get(id);
  if (existing) {
    // Re-deploying the same template re-PUTs the VM: only its tags can change.
    existing.tags = body.tags ?? {};
    return context.operations.begin(req, () => undefined, { status: 200, body: renderMachine(context, existing) });
  }
  const disk = attachableDisk(context, body);
  const size = findVmSize(body.properties.hardwareProfile.vmSize, body.location, context.config.location);
  if (!size) {
    throw new ArmError(
      409,
      'SkuNotAvailable',
      `The requested VM size '${body.properties.hardwareProfile.vmSize}' is currently not available in location '${body.location}'. Please try another size or deploy to a different location or different zone. See https://aka.ms/azureskunotavailable for details.`,
    );
  }
  const generation = disk.hyperVGeneration ?? 'V1';
  if (!size.hyperVGenerations.split(',').includes(generation)) {
    throw new ArmError(
      400,
      'BadRequest',
      `The selected VM size '${size.name}' cannot boot Hypervisor Generation '${generation.slice(1)}'. Please select a VM size that supports Hypervisor Generation '${generation.slice(1)}'.`,
    );
  }
  const { networkProfile, storageProfile } = body.properties;
  for (const nic of networkProfile.networkInterfaceConfigurations) {
    const nsg = nic.properties.networkSecurityGroup?.id;
    if (nsg && !securityGroupExists(context, nsg)) {
      throw new ArmError(400, 'InvalidResourceReference', `Resource ${nsg} referenced by resource ${id} was not found.`);
    }
    for (const ipConfig of nic.properties.ipConfigurations) {
      if (!subnetExists(context, ipConfig.properties.subnet.id)) {
        throw new ArmError(400, 'InvalidResourceReference', `Resource ${ipConfig.properties.subnet.id} referenced by resource ${id} was not found.`);
      }
    }
  }
  const resourceGroup = id.split('/')[4]!;
  const tags = body.tags ?? {};
  const machine = context.store.machines.put({
    id,
    type: VM_TYPE,
    name: req.params.name!,
    location: normalizeLocation(body.location),
    tags,
    vmId: randomUUID(),
    provisioningState: 'Creating',
    powerState: 'starting',
    vmSize: size.name,
    osDisk: {
      diskId: disk.id,
      name: disk.name,
      osType: storageProfile.osDisk.osType ?? disk.osType ?? 'Windows',
      deleteOption: storageProfile.osDisk.deleteOption ?? 'Detach',
      caching: storageProfile.osDisk.caching ?? 'ReadWrite',
    },
    networkApiVersion: networkProfile.networkApiVersion,
    networkInterfaceConfigurations: networkProfile.networkInterfaceConfigurations,
    createdResources: createInlineNetwork(context, resourceGroup, req.params.name!, id, networkProfile.networkInterfaceConfigurations),
    timeCreated: new Date().toISOString(),
    hyperVGeneration: generation,
    runCommandInProgress: false,
  });
  disk.managedBy = machine.id;
  // The guest of a new VM starts from the guest defaults (PUT /_simulator/guest-defaults).
  context.guests.created(machine.name);
  return context.operations.begin(
    req,
    () => {
      // No guest boot here: flags set before the VM existed describe the guest as it comes up.
      machine.provisioningState = 'Succeeded';
      machine.powerState = 'running';
    },
    { status: 201, body: renderMachine(context, machine) },
  );
}

/** The OS disk named by the body, if a new VM may take it. */
function attachableDisk(context: SimulatorContext, body: MachineBody): ManagedDisk {
  const osDisk = body.properties.storageProfile.osDisk;
  if (osDisk.createOption.toLowerCase() !== 'attach') {
    throw new ArmError(400, 'InvalidParameter', `osDisk.createOption '${osDisk.createOption}' is not supported by the simulator; use Attach.`);
  }
  const disk = context.store.disks.get(osDisk.managedDisk.id);
  if (!disk) throw new ArmError(404, 'NotFound', `Disk ${osDisk.managedDisk.id} was not found.`);
  refuseWhileDeleting(disk);
  if (disk.provisioningState !== 'Succeeded') {
    throw new ArmError(409, 'OperationNotAllowed', `Disk ${disk.name} is still being created; wait for it before attaching it.`);
  }
  if (disk.managedBy) throw new ArmError(409, 'OperationNotAllowed', `Disk ${disk.name} is already attached to VM ${disk.managedBy}.`);
  // A disk made for upload is attachable only once its upload ended (revokeAccess): disks.ts.
  if (disk.upload) {
    throw new ArmError(409, 'OperationNotAllowed', `Disk ${disk.name} is in state ${disk.upload} and cannot be attached; revoke access to end the upload first.`);
  }
  if (disk.accessPolicyId) {
    throw new ArmError(409, 'OperationNotAllowed', `Disk ${disk.name} has an active SAS and cannot be attached; revoke access first.`);
  }
  return disk;
}

function deleteMachine(context: SimulatorContext, req: SimRequest): SimResponse {
  const machine = context.store.machines.get(machineId(context, req));
  // ARM answers 204 when there is nothing to delete.
  if (!machine) return { status: 204 };
  machine.provisioningState = 'Deleting';
  return context.operations.begin(req, async () => {
    context.store.machines.delete(machine.id);
    releaseInlineNetwork(context, machine);
    const disk = context.store.disks.get(machine.osDisk.diskId);
    if (!disk) return;
    disk.managedBy = undefined;
    if (machine.osDisk.deleteOption === 'Delete') {
      await context.blobs.remove(disk.blobName);
      context.store.disks.delete(disk.id);
    }
  });
}
