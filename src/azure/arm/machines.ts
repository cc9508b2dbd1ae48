/** Machines on @azure/arm-compute: disks, the packaging VM, its power and Run Command. */
import type { InstanceViewStatus, VirtualMachine } from '@azure/arm-compute';
import { NotFoundError, RunCommandBusyError, toAzureError } from '../errors.js';
import { toDiskBody, toVmBody } from '../machine-spec.js';
import type { CommandOutput, DiskImport, LongRunning, Machines, PackagingMachineSpec, PowerState, ResourceName, TaggedResource, VmStatus } from '../ports.js';
import type { ArmConnection } from './clients.js';
import { parseResourceId, resourceId } from './resource-id.js';

const POWER_STATES = new Set<PowerState>(['running', 'stopped', 'deallocated', 'starting', 'stopping', 'deallocating']);

export function armMachines(arm: ArmConnection): Machines {
  const { compute, resources } = arm;
  const { subscriptionId, resourceGroup: rg } = arm.connector;
  /** Resource group and name of a VM or disk; a bare name is in the connector's resource group. */
  const place = (target: ResourceName): [group: string, name: string] =>
    typeof target === 'string' ? [rg, target] : [target.resourceGroup, target.name];

  /** Runs an SDK call, turning whatever it throws into an AzureError that says what we were doing. */
  async function azure<T>(action: string, call: () => PromiseLike<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw toAzureError(err, action);
    }
  }

  /** An SDK call on a VM or disk, wherever it is; the action and the name make the error's sentence. */
  function vmAction<T>(action: string, target: ResourceName, call: (group: string, name: string) => PromiseLike<T>): Promise<T> {
    const [group, name] = place(target);
    return azure(`${action} ${name}`, () => call(group, name));
  }

  /** Deletes are repeated by cleanup after crashes and cancels; something already gone is done. */
  async function ignoringMissing(work: Promise<void>): Promise<void> {
    try {
      await work;
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }

  return {
    async importDisk(disk: DiskImport, { signal }: LongRunning = {}) {
      const created = await azure(`importing disk ${disk.name}`, () =>
        compute.disks.createOrUpdate(rg, disk.name, toDiskBody(disk), arm.poll(signal)),
      );
      return { id: created.id ?? resourceId(subscriptionId, rg, 'Microsoft.Compute/disks', disk.name), sizeGb: created.diskSizeGB ?? 0 };
    },

    async createVm(spec: PackagingMachineSpec, { signal }: LongRunning = {}) {
      const diskId = resourceId(subscriptionId, rg, 'Microsoft.Compute/disks', spec.disk.name);
      const vm = await azure(`creating machine ${spec.vmName}`, () =>
        compute.virtualMachines.createOrUpdate(rg, spec.vmName, toVmBody(spec, diskId), arm.poll(signal)),
      );
      return { id: vm.id ?? resourceId(subscriptionId, rg, 'Microsoft.Compute/virtualMachines', spec.vmName) };
    },

    async getVm(target) {
      const [group, name] = place(target);
      try {
        return vmStatus(await compute.virtualMachines.get(group, name, { expand: 'instanceView' }), name, group);
      } catch (err) {
        const error = toAzureError(err, `reading machine ${name}`);
        if (error instanceof NotFoundError) return null;
        throw error;
      }
    },

    startVm: (target, { signal } = {}) => vmAction('starting', target, (group, name) => compute.virtualMachines.start(group, name, arm.poll(signal))),
    powerOffVm: (target, { signal } = {}) =>
      vmAction('stopping', target, (group, name) => compute.virtualMachines.powerOff(group, name, arm.poll(signal))),
    deallocateVm: (target, { signal } = {}) =>
      vmAction('deallocating', target, (group, name) => compute.virtualMachines.deallocate(group, name, arm.poll(signal))),
    restartVm: (target, { signal } = {}) =>
      vmAction('restarting', target, (group, name) => compute.virtualMachines.restart(group, name, arm.poll(signal))),

    deleteVm: (target, { signal } = {}) =>
      ignoringMissing(vmAction('deleting machine', target, (group, name) => compute.virtualMachines.delete(group, name, arm.poll(signal)))),
    deleteDisk: (target, { signal } = {}) =>
      ignoringMissing(vmAction('deleting disk', target, (group, name) => compute.disks.delete(group, name, arm.poll(signal)))),

    async grantDiskReadAccess(disk, durationSeconds, { signal } = {}) {
      const [group, diskName] = place(disk);
      const access = await azure(`granting read access to disk ${diskName}`, () =>
        compute.disks.grantAccess(group, diskName, { access: 'Read', durationInSeconds: durationSeconds }, arm.poll(signal)),
      );
      if (!access.accessSAS) throw new NotFoundError(`Azure granted access to disk ${diskName} but returned no SAS URL`, { code: 'NoAccessSAS' });
      return access.accessSAS;
    },

    revokeDiskAccess: (disk, { signal } = {}) =>
      vmAction('revoking access to disk', disk, (group, name) => compute.disks.revokeAccess(group, name, arm.poll(signal))),

    async runPowerShell(vm, scriptLines, { signal } = {}) {
      const [group, vmName] = place(vm);
      try {
        const result = await compute.virtualMachines.runCommand(
          group,
          vmName,
          { commandId: 'RunPowerShellScript', script: [...scriptLines] },
          arm.poll(signal),
        );
        return commandOutput(result.value ?? []);
      } catch (err) {
        const error = toAzureError(err, `running a script on ${vmName}`);
        // 409 Conflict = another Run Command is executing; 409 OperationNotAllowed = the VM is not running.
        throw error.status === 409 && error.code !== 'OperationNotAllowed' ? new RunCommandBusyError(vmName) : error;
      }
    },

    async findByTag(tagName, value) {
      // One ARM read for every type (VMs, disks, and the NICs and public IPs VMs create).
      const filter = `tagName eq '${odataQuote(tagName)}' and tagValue eq '${odataQuote(value)}'`;
      return azure(`listing resources tagged ${tagName}=${value}`, async () => {
        const found: TaggedResource[] = [];
        // The whole subscription: a portal deployment may have put the machine in any resource group.
        for await (const resource of resources.resources.list({ filter })) {
          const group = resource.id ? parseResourceId(resource.id)?.resourceGroup : undefined;
          if (resource.id && resource.type && resource.name && group) {
            found.push({ id: resource.id, type: resource.type, name: resource.name, resourceGroup: group });
          }
        }
        return found;
      });
    },
  };
}

function vmStatus(vm: VirtualMachine, name: string, resourceGroup: string): VmStatus {
  const statuses = vm.instanceView?.statuses ?? [];
  const power = statuses.find((status) => status.code?.startsWith('PowerState/'))?.code?.slice('PowerState/'.length);
  return {
    id: vm.id ?? '',
    name: vm.name ?? name,
    resourceGroup,
    powerState: power && POWER_STATES.has(power as PowerState) ? (power as PowerState) : 'unknown',
    // The agent reports "Ready" once Run Command can reach the guest.
    agentReady: (vm.instanceView?.vmAgent?.statuses ?? []).some((status) => status.displayStatus === 'Ready'),
    osDiskId: vm.storageProfile?.osDisk?.managedDisk?.id,
    tags: { ...vm.tags },
  };
}

/** Run Command reports the script's streams as ComponentStatus/StdOut/… and ComponentStatus/StdErr/… */
function commandOutput(statuses: InstanceViewStatus[]): CommandOutput {
  const stream = (name: string) => statuses.find((status) => status.code?.includes(`/${name}/`))?.message ?? '';
  return { stdout: stream('StdOut'), stderr: stream('StdErr') };
}

function odataQuote(value: string): string {
  return value.replace(/'/g, "''");
}
