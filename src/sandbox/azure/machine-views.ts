import type { SimulatorContext } from './context.js';
import type { PowerState, VirtualMachine } from './resources.js';

const POWER_DISPLAY: Record<PowerState, string> = {
  starting: 'VM starting',
  running: 'VM running',
  stopping: 'VM stopping',
  stopped: 'VM stopped',
  deallocating: 'VM deallocating',
  deallocated: 'VM deallocated',
};

/** The machine is up: Run Command is accepted (whether the guest's agent answers is another matter). */
export function isRunning(machine: VirtualMachine): boolean {
  return machine.powerState === 'running' && machine.provisioningState === 'Succeeded';
}

/** Up and past its boot: the guest agent (where the image has one) reports only from then on. */
export function isBooted(machine: VirtualMachine): boolean {
  return isRunning(machine) && Date.now() >= (machine.agentReadyAt ?? 0);
}

/** The guest agent reports only once the machine is up, and only if the image has one. */
function isAgentReady(context: SimulatorContext, machine: VirtualMachine): boolean {
  return isBooted(machine) && context.agents.installed(machine.name);
}

/** An image without the agent: the platform never hears from it (VirtualMachineAgentInstanceView with no Ready status). */
const SILENT_AGENT = {
  vmAgentVersion: 'Unknown',
  statuses: [
    {
      code: 'ProvisioningState/Unavailable',
      level: 'Warning',
      displayStatus: 'Not Ready',
      message: 'VM status blob is found but not yet populated.',
    },
  ],
};

/** GET virtualMachines/{vm}, with `$expand=instanceView` when asked. */
export function renderMachine(context: SimulatorContext, machine: VirtualMachine, expandInstanceView = false): Record<string, unknown> {
  const disk = context.store.disks.get(machine.osDisk.diskId);
  return {
    id: machine.id,
    name: machine.name,
    type: machine.type,
    location: machine.location,
    tags: machine.tags,
    properties: {
      vmId: machine.vmId,
      hardwareProfile: { vmSize: machine.vmSize },
      storageProfile: {
        osDisk: {
          osType: machine.osDisk.osType,
          name: machine.osDisk.name,
          createOption: 'Attach',
          caching: machine.osDisk.caching,
          deleteOption: machine.osDisk.deleteOption,
          managedDisk: { id: machine.osDisk.diskId, storageAccountType: disk?.sku.name ?? 'Standard_LRS' },
          ...(disk ? { diskSizeGB: Math.ceil(disk.diskSizeBytes / 1024 ** 3) } : {}),
        },
        dataDisks: [],
      },
      networkProfile: {
        networkApiVersion: machine.networkApiVersion,
        networkInterfaceConfigurations: machine.networkInterfaceConfigurations,
        networkInterfaces: machine.createdResources
          .filter((resource) => resource.id.toLowerCase().includes('/microsoft.network/networkinterfaces/'))
          .map((nic) => ({ id: nic.id, properties: { primary: nic.primary ?? true, deleteOption: nic.deleteOption } })),
      },
      provisioningState: machine.provisioningState,
      timeCreated: machine.timeCreated,
      ...(expandInstanceView ? { instanceView: renderInstanceView(context, machine) } : {}),
    },
  };
}

/** Shaped like VirtualMachine_Get_InstanceView.json; agent-reported parts only while the agent is up. */
export function renderInstanceView(context: SimulatorContext, machine: VirtualMachine): Record<string, unknown> {
  const now = new Date().toISOString();
  const succeeded = { code: 'ProvisioningState/succeeded', level: 'Info', displayStatus: 'Provisioning succeeded', time: now };
  const provisioning =
    machine.provisioningState === 'Succeeded'
      ? succeeded
      : { code: `ProvisioningState/${machine.provisioningState.toLowerCase()}`, level: 'Info', displayStatus: machine.provisioningState, time: now };
  const guestReported = !isRunning(machine)
    ? {}
    : !isAgentReady(context, machine)
      ? { vmAgent: SILENT_AGENT }
      : {
        computerName: machine.name.slice(0, 15),
        osName: 'Windows 10 Enterprise',
        osVersion: 'Microsoft Windows NT 10.0.19045.0',
        vmAgent: {
          vmAgentVersion: '2.7.41491.1102',
          statuses: [
            {
              code: 'ProvisioningState/succeeded',
              level: 'Info',
              displayStatus: 'Ready',
              message: 'GuestAgent is running and accepting new configurations.',
              time: now,
            },
          ],
        },
      };
  return {
    platformUpdateDomain: 0,
    platformFaultDomain: 0,
    ...guestReported,
    disks: [{ name: machine.osDisk.name, statuses: [succeeded] }],
    hyperVGeneration: machine.hyperVGeneration,
    statuses: [provisioning, { code: `PowerState/${machine.powerState}`, level: 'Info', displayStatus: POWER_DISPLAY[machine.powerState] }],
  };
}
