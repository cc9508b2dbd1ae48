/** Machines on @azure/arm-compute: disks, the packaging VM, its power and Run Command. */
import type { InstanceViewStatus, VirtualMachine } from '@azure/arm-compute';
import { setTimeout as sleep } from 'node:timers/promises';
import { AzureError, NotFoundError, RunCommandBusyError, toAzureError } from '../errors.js';
import { toDiskBody, toVmBody } from '../machine-spec.js';
import type { CommandOutput, DiskImport, LongRunning, Machines, PackagingMachineSpec, PowerState, TaggedResource, VmStatus } from '../ports.js';
import type { ArmConnection } from './clients.js';
import { resourceId } from './resource-id.js';

/** How often, and how many times, a disk someone else is deleting is looked at before giving up. */
const DELETING_POLL_MS = 5_000;
const DELETING_LOOKS = 60;

/** Compute's answer to a second Run Command while one runs (409 Conflict). */
const RUN_COMMAND_BUSY = /run command extension execution is in progress/i;

const POWER_STATES = new Set<PowerState>(['running', 'stopped', 'deallocated', 'starting', 'stopping', 'deallocating']);

export function armMachines(arm: ArmConnection): Machines {
  const { compute, resources } = arm;
  const { subscriptionId, resourceGroup: rg } = arm.connector;

  /** Runs an SDK call, turning whatever it throws into an AzureError that says what we were doing. */
  async function azure<T>(action: string, call: () => PromiseLike<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw toAzureError(err, action);
    }
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
  async function diskGoesAway(name: string, signal: AbortSignal | undefined): Promise<boolean> {
    for (let look = 0; look < DELETING_LOOKS; look++) {
      try {
        const disk = await compute.disks.get(rg, name);
        if (disk.provisioningState !== 'Deleting') return false;
      } catch (err) {
        if (toAzureError(err) instanceof NotFoundError) return true;
        throw toAzureError(err, `reading disk ${name}`);
      }
      await sleep(arm.pollIntervalMs ?? DELETING_POLL_MS, undefined, signal ? { signal } : undefined);
    }
    return false;
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

    async getVm(name: string) {
      try {
        return vmStatus(await compute.virtualMachines.get(rg, name, { expand: 'instanceView' }), name);
      } catch (err) {
        const error = toAzureError(err, `reading machine ${name}`);
        if (error instanceof NotFoundError) return null;
        throw error;
      }
    },

    startVm: (name, { signal } = {}) => azure(`starting ${name}`, () => compute.virtualMachines.start(rg, name, arm.poll(signal))),
    powerOffVm: (name, { signal } = {}) => azure(`stopping ${name}`, () => compute.virtualMachines.powerOff(rg, name, arm.poll(signal))),
    deallocateVm: (name, { signal } = {}) =>
      azure(`deallocating ${name}`, () => compute.virtualMachines.deallocate(rg, name, arm.poll(signal))),
    restartVm: (name, { signal } = {}) => azure(`restarting ${name}`, () => compute.virtualMachines.restart(rg, name, arm.poll(signal))),

    deleteVm: (name, { signal } = {}) =>
      ignoringMissing(azure(`deleting machine ${name}`, () => compute.virtualMachines.delete(rg, name, arm.poll(signal)))),
    async deleteDisk(name, { signal } = {}) {
      try {
        await ignoringMissing(azure(`deleting disk ${name}`, () => compute.disks.delete(rg, name, arm.poll(signal))));
      } catch (err) {
        // Another cleanup (a second click, a job taken over after a crash) is deleting it already: wait for that.
        if (!(err instanceof AzureError && err.status === 409) || !(await diskGoesAway(name, signal))) throw err;
      }
    },

    async grantDiskReadAccess(diskName, durationSeconds, { signal } = {}) {
      const access = await azure(`granting read access to disk ${diskName}`, () =>
        compute.disks.grantAccess(rg, diskName, { access: 'Read', durationInSeconds: durationSeconds }, arm.poll(signal)),
      );
      if (!access.accessSAS) throw new NotFoundError(`Azure granted access to disk ${diskName} but returned no SAS URL`, { code: 'NoAccessSAS' });
      return access.accessSAS;
    },

    // A disk that is gone has no access left to revoke.
    revokeDiskAccess: (diskName, { signal } = {}) =>
      ignoringMissing(azure(`revoking access to disk ${diskName}`, () => compute.disks.revokeAccess(rg, diskName, arm.poll(signal)))),

    async runPowerShell(vmName, scriptLines, { signal } = {}) {
      try {
        const result = await compute.virtualMachines.runCommand(
          rg,
          vmName,
          { commandId: 'RunPowerShellScript', script: [...scriptLines] },
          arm.poll(signal),
        );
        return commandOutput(result.value ?? []);
      } catch (err) {
        const error = toAzureError(err, `running a script on ${vmName}`);
        // Only Compute's "Run command extension execution is in progress" 409 means another script
        // holds the machine; other 409s (OperationNotAllowed: not running, agent errors) say what they are.
        throw error.status === 409 && error.code === 'Conflict' && RUN_COMMAND_BUSY.test(error.message) ? new RunCommandBusyError(vmName) : error;
      }
    },

    async findByTag(tagName, value) {
      // One ARM read for every type (VMs, disks, and the NICs and public IPs VMs create).
      const filter = `tagName eq '${odataQuote(tagName)}' and tagValue eq '${odataQuote(value)}'`;
      return azure(`listing resources tagged ${tagName}=${value}`, async () => {
        const found: TaggedResource[] = [];
        for await (const resource of resources.resources.listByResourceGroup(rg, { filter })) {
          if (resource.id && resource.type && resource.name) found.push({ id: resource.id, type: resource.type, name: resource.name });
        }
        return found;
      });
    },
  };
}

function vmStatus(vm: VirtualMachine, name: string): VmStatus {
  const statuses = vm.instanceView?.statuses ?? [];
  const power = statuses.find((status) => status.code?.startsWith('PowerState/'))?.code?.slice('PowerState/'.length);
  return {
    id: vm.id ?? '',
    name: vm.name ?? name,
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
