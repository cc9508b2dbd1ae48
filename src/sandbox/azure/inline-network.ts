import type { SimulatorContext } from './context.js';
import { resourceId, type Tags, type VirtualMachine } from './resources.js';

export interface IpConfiguration {
  name: string;
  properties: {
    primary?: boolean;
    subnet: { id: string };
    publicIPAddressConfiguration?: {
      name: string;
      tags?: Tags;
      sku?: { name: string; tier?: string };
      properties?: { deleteOption?: string; publicIPAllocationMethod?: string };
    };
  };
}

export interface NicConfiguration {
  name: string;
  tags?: Tags;
  properties: { primary?: boolean; deleteOption?: string; networkSecurityGroup?: { id: string }; ipConfigurations: IpConfiguration[] };
}

/** Hands out made-up addresses; uniqueness is all that matters. */
let nextHost = 0;

/**
 * Creates the NICs and public IPs a VM declares inline (networkInterfaceConfigurations), as
 * ARM does when networkApiVersion is set. Each is named after the VM and its configuration
 * so two machines built from the same template never clash. Tags: a configuration's own
 * `tags` (Compute 2025-04-01 and later) are what ARM puts on the created resource; it never
 * copies the VM's tags, and neither does the simulator.
 */
export function createInlineNetwork(
  context: SimulatorContext,
  resourceGroup: string,
  vmName: string,
  vmId: string,
  configurations: NicConfiguration[],
): VirtualMachine['createdResources'] {
  const { store, config } = context;
  const created: VirtualMachine['createdResources'] = [];
  for (const nicConfig of configurations) {
    const nicName = `${vmName}-${nicConfig.name}`;
    const nicId = resourceId(store.subscriptionId, resourceGroup, 'Microsoft.Network/networkInterfaces', nicName);
    const ipConfigurations = nicConfig.properties.ipConfigurations.map((ipConfig) => {
      const host = nextHost++;
      const publicConfig = ipConfig.properties.publicIPAddressConfiguration;
      const ipConfigId = `${nicId}/ipConfigurations/${ipConfig.name}`;
      let publicIpId: string | undefined;
      if (publicConfig) {
        const publicIpName = `${vmName}-${publicConfig.name}`;
        publicIpId = resourceId(store.subscriptionId, resourceGroup, 'Microsoft.Network/publicIPAddresses', publicIpName);
        store.plain.put({
          id: publicIpId,
          type: 'Microsoft.Network/publicIPAddresses',
          name: publicIpName,
          location: config.location,
          tags: { ...publicConfig.tags },
          sku: { name: publicConfig.sku?.name ?? 'Standard', tier: publicConfig.sku?.tier ?? 'Regional' },
          properties: {
            provisioningState: 'Succeeded',
            publicIPAllocationMethod: publicConfig.properties?.publicIPAllocationMethod ?? 'Static',
            ipAddress: `20.81.${Math.floor(host / 250) % 250}.${(host % 250) + 1}`,
            ipConfiguration: { id: ipConfigId },
          },
        });
        created.push({ id: publicIpId, deleteOption: publicConfig.properties?.deleteOption ?? 'Detach' });
      }
      return {
        id: ipConfigId,
        name: ipConfig.name,
        properties: {
          provisioningState: 'Succeeded',
          primary: ipConfig.properties.primary ?? true,
          privateIPAddress: `10.42.1.${(host % 250) + 4}`,
          privateIPAllocationMethod: 'Dynamic',
          subnet: { id: ipConfig.properties.subnet.id },
          ...(publicIpId ? { publicIPAddress: { id: publicIpId } } : {}),
        },
      };
    });
    store.plain.put({
      id: nicId,
      type: 'Microsoft.Network/networkInterfaces',
      name: nicName,
      location: config.location,
      tags: { ...nicConfig.tags },
      properties: {
        provisioningState: 'Succeeded',
        primary: nicConfig.properties.primary ?? true,
        ipConfigurations,
        virtualMachine: { id: vmId },
        ...(nicConfig.properties.networkSecurityGroup ? { networkSecurityGroup: { id: nicConfig.properties.networkSecurityGroup.id } } : {}),
      },
    });
    created.push({ id: nicId, deleteOption: nicConfig.properties.deleteOption ?? 'Detach', primary: nicConfig.properties.primary ?? true });
  }
  return created;
}

/** What deleting the VM does to them: deleteOption Delete removes, Detach leaves them behind. */
export function releaseInlineNetwork(context: SimulatorContext, machine: VirtualMachine): void {
  for (const resource of machine.createdResources) {
    if (resource.deleteOption.toLowerCase() === 'delete') {
      context.store.plain.delete(resource.id);
      continue;
    }
    const kept = context.store.plain.get(resource.id);
    if (kept) delete kept.properties.virtualMachine;
  }
}
