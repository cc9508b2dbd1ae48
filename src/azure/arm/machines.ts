/** Machines on @azure/arm-compute: disks, the packaging VM, its power and Run Command. */
import type { InstanceViewStatus, VirtualMachine } from '@azure/arm-compute';
import { setTimeout as sleep } from 'node:timers/promises';
import { AzureError, NotFoundError, RunCommandBusyError, toAzureError } from '../errors.js';
import { toDiskBody, toVmBody } from '../machine-spec.js';
import { nsgBody, NSG_TYPE } from '../network-access.js';
import type {
  CommandOutput,
  LongRunning,
  ManagedScriptResult,
  MachineAddresses,
  Machines,
  PackagingDisk,
  PackagingMachineSpec,
  PowerState,
  ResourceName,
  TaggedResource,
  VmStatus,
} from '../ports.js';
import type { ArmConnection } from './clients.js';
import { parseResourceId, resourceId } from './resource-id.js';

/** How often, and how many times, a disk someone else is deleting is looked at before giving up. */
const DELETING_POLL_MS = 5_000;
const DELETING_LOOKS = 60;

/** Compute's answer to a second Run Command while one runs (409 Conflict). */
const RUN_COMMAND_BUSY = /run command extension execution is in progress/i;

const EXECUTION_STATES: Readonly<Record<string, ManagedScriptResult['state']>> = {
  Succeeded: 'succeeded',
  Failed: 'failed',
  TimedOut: 'timed-out',
  Pending: 'running',
  Running: 'running',
};
const POWER_STATES = new Set<PowerState>(['running', 'stopped', 'deallocated', 'starting', 'stopping', 'deallocating']);

export function armMachines(arm: ArmConnection): Machines {
  const { compute, resources } = arm;
  const { subscriptionId, resourceGroup: rg } = arm.connector;
  const network = arm.network(subscriptionId);
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

  /** An SDK call on a VM, disk or NSG in the resource group it is in; the action and the name make the error's sentence. */
  function callInItsGroup<T>(action: string, target: ResourceName, call: (group: string, name: string) => PromiseLike<T>): Promise<T> {
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

  /** True once a disk that is being deleted is gone; false if it stays but is not being deleted. */
  async function diskGoesAway(target: ResourceName, signal: AbortSignal | undefined): Promise<boolean> {
    const [group, name] = place(target);
    for (let look = 0; look < DELETING_LOOKS; look++) {
      try {
        const disk = await compute.disks.get(group, name);
        if (disk.provisioningState !== 'Deleting') return false;
      } catch (err) {
        if (toAzureError(err) instanceof NotFoundError) return true;
        throw toAzureError(err, `reading disk ${name}`);
      }
      await sleep(arm.pollIntervalMs ?? DELETING_POLL_MS, undefined, signal ? { signal } : undefined);
    }
    return false;
  }

  /** Grant Access: a SAS URL to read (export) or write (upload) the disk's pages. */
  async function grantDiskAccess(disk: ResourceName, access: 'Read' | 'Write', durationSeconds: number, { signal }: LongRunning = {}): Promise<string> {
    const [group, diskName] = place(disk);
    const granted = await azure(`granting ${access.toLowerCase()} access to disk ${diskName}`, () =>
      compute.disks.grantAccess(group, diskName, { access, durationInSeconds: durationSeconds }, arm.poll(signal)),
    );
    if (!granted.accessSAS) throw new NotFoundError(`Azure granted access to disk ${diskName} but returned no SAS URL`, { code: 'NoAccessSAS' });
    return granted.accessSAS;
  }

  return {
    async createUploadDisk(disk: PackagingDisk, { signal }: LongRunning = {}) {
      const created = await azure(`creating disk ${disk.name}`, () =>
        compute.disks.createOrUpdate(rg, disk.name, toDiskBody(disk), arm.poll(signal)),
      );
      return { id: created.id ?? resourceId(subscriptionId, rg, 'Microsoft.Compute/disks', disk.name) };
    },

    async diskState(target) {
      const [group, name] = place(target);
      try {
        return (await compute.disks.get(group, name)).diskState ?? 'Unattached';
      } catch (err) {
        const error = toAzureError(err, `reading disk ${name}`);
        if (error instanceof NotFoundError) return null;
        throw error;
      }
    },

    grantDiskWriteAccess: (disk, durationSeconds, options) => grantDiskAccess(disk, 'Write', durationSeconds, options),

    async createVm(spec: PackagingMachineSpec, { signal }: LongRunning = {}) {
      const nsgId = resourceId(subscriptionId, rg, NSG_TYPE, spec.nsgName);
      const vm = await azure(`creating machine ${spec.vmName}`, () =>
        compute.virtualMachines.createOrUpdate(rg, spec.vmName, toVmBody(spec, nsgId), arm.poll(signal)),
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

    startVm: (target, { signal } = {}) => callInItsGroup('starting', target, (group, name) => compute.virtualMachines.start(group, name, arm.poll(signal))),
    powerOffVm: (target, { signal } = {}) =>
      callInItsGroup('stopping', target, (group, name) => compute.virtualMachines.powerOff(group, name, arm.poll(signal))),
    deallocateVm: (target, { signal } = {}) =>
      callInItsGroup('deallocating', target, (group, name) => compute.virtualMachines.deallocate(group, name, arm.poll(signal))),
    restartVm: (target, { signal } = {}) =>
      callInItsGroup('restarting', target, (group, name) => compute.virtualMachines.restart(group, name, arm.poll(signal))),

    deleteVm: (target, { signal } = {}) =>
      ignoringMissing(callInItsGroup('deleting machine', target, (group, name) => compute.virtualMachines.delete(group, name, arm.poll(signal)))),
    async deleteDisk(target, { signal } = {}) {
      try {
        await ignoringMissing(callInItsGroup('deleting disk', target, (group, name) => compute.disks.delete(group, name, arm.poll(signal))));
      } catch (err) {
        // Another cleanup (a second click, a job taken over after a crash) is deleting it already: wait for that.
        if (!(err instanceof AzureError && err.status === 409) || !(await diskGoesAway(target, signal))) throw err;
      }
    },

    grantDiskReadAccess: (disk, durationSeconds, options) => grantDiskAccess(disk, 'Read', durationSeconds, options),

    // A disk that is gone has no access left to revoke.
    revokeDiskAccess: (disk, { signal } = {}) =>
      ignoringMissing(callInItsGroup('revoking access to disk', disk, (group, name) => compute.disks.revokeAccess(group, name, arm.poll(signal)))),

    async runPowerShell(vm, scriptLines, { signal, parameters = {} } = {}) {
      const [group, vmName] = place(vm);
      try {
        const result = await compute.virtualMachines.runCommand(
          group,
          vmName,
          { commandId: 'RunPowerShellScript', script: [...scriptLines], parameters: Object.entries(parameters).map(([name, value]) => ({ name, value })) },
          arm.poll(signal),
        );
        return commandOutput(result.value ?? []);
      } catch (err) {
        throw runCommandError(err, vmName);
      }
    },

    async createNetworkSecurityGroup(spec, { signal } = {}) {
      if (spec.access.mode !== 'public') throw new Error('only public access has a network security group');
      const { allowedCidrs } = spec.access;
      const nsg = await azure(`creating network security group ${spec.nsgName}`, () =>
        network.networkSecurityGroups.beginCreateOrUpdateAndWait(rg, spec.nsgName, nsgBody(spec, allowedCidrs), arm.poll(signal)),
      );
      return { id: nsg.id ?? resourceId(subscriptionId, rg, NSG_TYPE, spec.nsgName) };
    },

    deleteNetworkSecurityGroup: (target, { signal } = {}) =>
      ignoringMissing(
        callInItsGroup('deleting network security group', target, (group, name) => network.networkSecurityGroups.beginDeleteAndWait(group, name, arm.poll(signal))),
      ),

    async machineAddresses(vm) {
      return azure(`reading the addresses of ${vm.name}`, () => machineAddresses(arm, vm));
    },

    async runManagedPowerShell(vm, run, { signal } = {}) {
      const [group, vmName] = place(vm);
      const body = {
        location: arm.connector.location,
        tags: run.tags,
        source: { script: run.script.join('\n') },
        parameters: Object.entries(run.parameters ?? {}).map(([name, value]) => ({ name, value })),
        asyncExecution: false,
        timeoutInSeconds: run.timeoutSeconds,
        treatFailureAsDeploymentFailure: false,
      };
      const action = `running ${run.name} on ${vmName}`;
      await azure(action, () => compute.virtualMachineRunCommands.createOrUpdate(group, vmName, run.name, body, arm.poll(signal)));
      const done = await azure(action, () => compute.virtualMachineRunCommands.getByVirtualMachine(group, vmName, run.name, { expand: 'instanceView' }));
      const view = done.instanceView ?? {};
      const output = { stdout: view.output ?? '', stderr: view.error ?? '', ...(view.exitCode === undefined ? {} : { exitCode: view.exitCode }) };
      const state = EXECUTION_STATES[view.executionState ?? ''] ?? 'other';
      // Deleting a run command stops a script that still executes (ngen mid-compilation can leave
      // .NET broken): one that still runs is left in place; the next run of the same name replaces it.
      if (state !== 'running') {
        await ignoringMissing(azure(`deleting run command ${run.name}`, () => compute.virtualMachineRunCommands.delete(group, vmName, run.name, arm.poll(signal))));
      }
      return { state, output };
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
    nicId: vm.networkProfile?.networkInterfaces?.find((nic) => nic.primary !== false)?.id,
    tags: { ...vm.tags },
  };
}

/** Run Command reports the script's streams as ComponentStatus/StdOut/… and ComponentStatus/StdErr/… */
function commandOutput(statuses: InstanceViewStatus[]): CommandOutput {
  const stream = (name: string) => statuses.find((status) => status.code?.includes(`/${name}/`))?.message ?? '';
  return { stdout: stream('StdOut'), stderr: stream('StdErr') };
}

/**
 * Only Compute's "Run command extension execution is in progress" 409 means another script holds
 * the machine; other 409s (OperationNotAllowed: the VM is not running; agent errors) say what they are.
 */
function runCommandError(err: unknown, vmName: string): Error {
  const error = toAzureError(err, `running a script on ${vmName}`);
  return error.status === 409 && error.code === 'Conflict' && RUN_COMMAND_BUSY.test(error.message) ? new RunCommandBusyError(vmName) : error;
}

function odataQuote(value: string): string {
  return value.replace(/'/g, "''");
}

/**
 * The primary NIC's private IP, its public IP if any, and the portal's Bastion page for the VM
 * when a Bastion host sits in the VNet of the machine's subnet (Bastion reaches every VM of its
 * VNet). Null when the VM has no NIC yet.
 */
async function machineAddresses(arm: ArmConnection, vm: VmStatus): Promise<MachineAddresses | null> {
  const nicId = vm.nicId ? parseResourceId(vm.nicId) : null;
  if (!nicId?.names[0]) return null;
  const network = arm.network(nicId.subscriptionId);
  const nic = await network.networkInterfaces.get(nicId.resourceGroup, nicId.names[0]);
  const ipConfig = nic.ipConfigurations?.find((config) => config.primary !== false);
  if (!ipConfig?.privateIPAddress) return null;
  const addresses: MachineAddresses = { privateIp: ipConfig.privateIPAddress };
  const publicIpId = ipConfig.publicIPAddress?.id ? parseResourceId(ipConfig.publicIPAddress.id) : null;
  if (publicIpId?.names[0]) {
    const publicIp = await arm.network(publicIpId.subscriptionId).publicIPAddresses.get(publicIpId.resourceGroup, publicIpId.names[0]);
    if (publicIp.ipAddress) addresses.publicIp = publicIp.ipAddress;
  }
  const vnetId = ipConfig.subnet?.id?.replace(/\/subnets\/[^/]+$/i, '').toLowerCase();
  if (vnetId) {
    for await (const bastion of network.bastionHosts.list()) {
      const served = bastion.ipConfigurations?.some((config) => config.subnet?.id?.toLowerCase().startsWith(`${vnetId}/subnets/`));
      if (served) {
        addresses.bastionUrl = `https://${arm.profile.portalHost}/#@${arm.connector.tenantId}/resource${vm.id}/bastionHost`;
        break;
      }
    }
  }
  return addresses;
}
