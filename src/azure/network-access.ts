/**
 * The network half of the packaging machine spec, kept apart from ./machine-spec.ts: what the
 * connector's Packaging machine access adds to the machine. Private access adds nothing (no
 * public IP). Public access adds a Standard public IP and a network security group on the NIC
 * with one inbound rule: RDP (TCP 3389) from the allowed ranges. A Standard public IP admits no
 * traffic without such a rule. The NSG carries the task's tags so cleanup finds and deletes it.
 */
import type { NetworkSecurityGroup, SecurityRule } from '@azure/arm-network';
import type { MachineAccess } from '../domain/model.js';
import { API_VERSIONS } from './api-versions.js';
import type { PackagingMachineSpec } from './ports.js';

export const NSG_TYPE = 'Microsoft.Network/networkSecurityGroups';
/** Basic public IPs are retired; a Standard IP is closed until an NSG rule opens a port. */
const PUBLIC_IP_SKU = { name: 'Standard', tier: 'Regional' } as const;
const RDP_RULE_NAME = 'allow-rdp-from-allowed-ranges';
/** The first priority NSG rules may use; nothing of ours needs to outrank it. */
const RDP_RULE_PRIORITY = 100;

export function nsgNameFor(vmName: string): string {
  return `${vmName}-nsg`;
}

/** The RDP rule, in the flat shape of the SDK (the template nests it under `properties`). */
export function rdpRule(allowedCidrs: readonly string[]): SecurityRule {
  return {
    name: RDP_RULE_NAME,
    protocol: 'Tcp',
    sourcePortRange: '*',
    destinationPortRange: '3389',
    sourceAddressPrefixes: [...allowedCidrs],
    destinationAddressPrefix: '*',
    access: 'Allow',
    priority: RDP_RULE_PRIORITY,
    direction: 'Inbound',
    description: 'RDP to the packaging machine from the ranges its connector allows (oslayer)',
  };
}

/** Deploy for me: the NSG's request body. */
export function nsgBody(spec: Pick<PackagingMachineSpec, 'location' | 'tags'>, allowedCidrs: readonly string[]): NetworkSecurityGroup {
  return { location: spec.location, tags: spec.tags, securityRules: [rdpRule(allowedCidrs)] };
}

type PublicAccess = Extract<MachineAccess, { mode: 'public' }>;

function publicAccess(spec: PackagingMachineSpec): PublicAccess | undefined {
  return spec.access.mode === 'public' ? spec.access : undefined;
}

// ---- the template ------------------------------------------------------------------------

/** The NSG resource when access is public; nothing otherwise. */
export function accessTemplateResources(spec: PackagingMachineSpec, location: string) {
  const access = publicAccess(spec);
  if (!access) return [];
  const { name, ...rule } = rdpRule(access.allowedCidrs);
  return [
    {
      type: NSG_TYPE,
      apiVersion: API_VERSIONS.networkSecurityGroups,
      name: spec.nsgName,
      location,
      tags: spec.tags,
      properties: { securityRules: [{ name, properties: rule }] },
    },
  ];
}

function templateNsgId(spec: PackagingMachineSpec): string {
  return `[resourceId('${NSG_TYPE}', '${spec.nsgName}')]`;
}

/** What the VM waits for besides its disk. */
export function accessDependsOn(spec: PackagingMachineSpec): string[] {
  return publicAccess(spec) ? [templateNsgId(spec)] : [];
}

/** Members of the NIC configuration's `properties` in the template. */
export function nicAccessTemplate(spec: PackagingMachineSpec): { networkSecurityGroup?: { id: string } } {
  return publicAccess(spec) ? { networkSecurityGroup: { id: templateNsgId(spec) } } : {};
}

/** Members of the IP configuration's `properties` in the template. */
export function ipAccessTemplate(spec: PackagingMachineSpec): Record<string, unknown> {
  if (!publicAccess(spec)) return {};
  return {
    publicIPAddressConfiguration: {
      name: spec.publicIpName,
      tags: spec.tags,
      sku: { ...PUBLIC_IP_SKU },
      properties: { deleteOption: 'Delete', publicIPAllocationMethod: 'Static' },
    },
  };
}

// ---- the SDK bodies ----------------------------------------------------------------------

/** Members of the NIC configuration in the VM body; `nsgId` is the NSG Deploy for me created. */
export function nicAccessBody(spec: PackagingMachineSpec, nsgId: string | undefined): { networkSecurityGroup?: { id: string } } {
  if (!publicAccess(spec)) return {};
  if (!nsgId) throw new Error(`public access needs the network security group ${spec.nsgName} created before the machine`);
  return { networkSecurityGroup: { id: nsgId } };
}

/** Members of the IP configuration in the VM body. */
export function ipAccessBody(spec: PackagingMachineSpec) {
  if (!publicAccess(spec)) return {};
  return {
    publicIPAddressConfiguration: {
      name: spec.publicIpName,
      tags: spec.tags,
      sku: { ...PUBLIC_IP_SKU },
      deleteOption: 'Delete' as const,
      publicIPAllocationMethod: 'Static' as const,
    },
  };
}

