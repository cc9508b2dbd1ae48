/**
 * Network security groups and Bastion hosts, as far as packaging machine access needs them.
 * Shapes follow Microsoft.Network's REST examples (NetworkSecurityGroupCreateWithRule.json,
 * NetworkSecurityGroupGet.json, BastionHostListBySubscription.json); the refusals are ARM's:
 * a rule priority outside 100–4096 is SecurityRuleInvalidPriority, and an NSG a NIC still uses
 * cannot be deleted (InUseNetworkSecurityGroupCannotBeDeleted).
 */
import { z } from 'zod';
import type { SimulatorContext } from './context.js';
import { ArmError, parseBody, type Router, type SimRequest, type SimResponse } from './http.js';
import { normalizeLocation, resourceId, type PlainResource } from './resources.js';

export const NSG_TYPE = 'Microsoft.Network/networkSecurityGroups';
const BASTION_TYPE = 'Microsoft.Network/bastionHosts';

const ruleSchema = z.object({
  name: z.string().min(1).max(80),
  properties: z
    .object({
      description: z.string().max(140).optional(),
      protocol: z.enum(['Tcp', 'Udp', 'Icmp', 'Esp', 'Ah', '*']),
      sourcePortRange: z.string().optional(),
      destinationPortRange: z.string().optional(),
      sourceAddressPrefix: z.string().optional(),
      sourceAddressPrefixes: z.array(z.string().min(1)).optional(),
      destinationAddressPrefix: z.string().optional(),
      access: z.enum(['Allow', 'Deny']),
      // A rule without one has priority 0 to the Network RP (Azure/azure-rest-api-specs#22448).
      priority: z.number().int().default(0),
      direction: z.enum(['Inbound', 'Outbound']),
    })
    .refine((rule) => Boolean(rule.sourceAddressPrefix) !== Boolean(rule.sourceAddressPrefixes?.length), {
      message: 'exactly one of sourceAddressPrefix and sourceAddressPrefixes is required',
    }),
});

const nsgBody = z.object({
  location: z.string().min(1),
  tags: z.record(z.string(), z.string()).optional(),
  properties: z.object({ securityRules: z.array(ruleSchema).optional() }).optional(),
});

export function registerSecurityGroupRoutes(router: Router, context: SimulatorContext): void {
  const path = `/subscriptions/:sub/resourceGroups/:rg/providers/${NSG_TYPE}/:name`;
  router.add('PUT', path, (req) => putSecurityGroup(context, req));
  router.add('DELETE', path, (req) => deleteSecurityGroup(context, req));
  router.add('GET', `/subscriptions/:sub/providers/${BASTION_TYPE}`, (req) => {
    context.store.requireSubscription(req.params.sub!);
    const value = context.store.plain.values().filter((r) => r.type === BASTION_TYPE);
    return { status: 200, body: { value: value.map(({ id, name, type, location, tags, properties }) => ({ id, name, type, location, tags, properties })) } };
  });
}

function nsgId(context: SimulatorContext, req: SimRequest): string {
  const group = context.store.requireResourceGroup(req.params.sub!, req.params.rg!);
  return resourceId(context.store.subscriptionId, group.name, NSG_TYPE, req.params.name!);
}

function putSecurityGroup(context: SimulatorContext, req: SimRequest): SimResponse {
  const id = nsgId(context, req);
  const body = parseBody(nsgBody, req);
  const rules = body.properties?.securityRules ?? [];
  for (const rule of rules) {
    if (rule.properties.priority < 100 || rule.properties.priority > 4096) {
      throw new ArmError(
        400,
        'SecurityRuleInvalidPriority',
        `Security rule has invalid Priority. Value provided: ${rule.properties.priority} Allowed range 100-4096.`,
        {},
        { details: [] },
      );
    }
  }
  const existing = context.store.plain.get(id);
  const nsg: PlainResource = {
    id,
    type: NSG_TYPE,
    name: req.params.name!,
    location: normalizeLocation(body.location),
    tags: body.tags ?? {},
    properties: {
      provisioningState: 'Succeeded',
      securityRules: rules.map((rule) => ({
        id: `${id}/securityRules/${rule.name}`,
        name: rule.name,
        type: `${NSG_TYPE}/securityRules`,
        properties: { provisioningState: 'Succeeded', ...rule.properties },
      })),
      networkInterfaces: existing?.properties.networkInterfaces ?? [],
    },
  };
  context.store.plain.put(nsg);
  return context.operations.begin(req, () => render(nsg), { status: existing ? 200 : 201, body: render(nsg), statusPath: networkOperations(context, nsg.location) });
}

function deleteSecurityGroup(context: SimulatorContext, req: SimRequest): SimResponse {
  const id = nsgId(context, req);
  const nsg = context.store.plain.get(id);
  if (!nsg) return { status: 204 };
  const users = usersOf(context, id);
  if (users.length > 0) {
    throw new ArmError(
      400,
      'InUseNetworkSecurityGroupCannotBeDeleted',
      `Network security group ${id} cannot be deleted because it is in use by the following resources: ${users.join(', ')}. In order to delete the Network security group, remove the association with the resource(s).`,
    );
  }
  return context.operations.begin(
    req,
    () => {
      context.store.plain.delete(id);
    },
    { statusPath: networkOperations(context, nsg.location) },
  );
}

/** Microsoft.Network answers its long-running operations from its own locations/{location}/operations. */
function networkOperations(context: SimulatorContext, location: string): string {
  return `/subscriptions/${context.store.subscriptionId}/providers/Microsoft.Network/locations/${location}/operations`;
}

/** The NICs that name the NSG. */
function usersOf(context: SimulatorContext, id: string): string[] {
  return context.store.plain
    .values()
    .filter((r) => r.type === 'Microsoft.Network/networkInterfaces')
    .filter((nic) => (nic.properties.networkSecurityGroup as { id?: string } | undefined)?.id?.toLowerCase() === id.toLowerCase())
    .map((nic) => nic.id);
}

function render({ id, name, type, location, tags, properties }: PlainResource): Record<string, unknown> {
  return { id, name, type, location, tags, properties: { ...properties, networkInterfaces: [] } };
}

/** Whether `id` names an NSG the simulator holds (a VM's NIC may only reference an existing one). */
export function securityGroupExists(context: SimulatorContext, id: string): boolean {
  return context.store.plain.get(id)?.type === NSG_TYPE;
}

/** A Bastion host in the VNet's AzureBastionSubnet, as the sandbox's network has. */
export function seedBastion(context: SimulatorContext, vnetId: string, name: string): void {
  const { subscriptionId, resourceGroup, location } = context.config;
  const id = resourceId(subscriptionId, resourceGroup, BASTION_TYPE, name);
  context.store.plain.put({
    id,
    type: BASTION_TYPE,
    name,
    location,
    tags: {},
    sku: { name: 'Basic' },
    properties: {
      provisioningState: 'Succeeded',
      dnsName: `bst-${name}.bastion.azure.com`,
      ipConfigurations: [{ id: `${id}/bastionHostIpConfigurations/IpConf`, name: 'IpConf', properties: { subnet: { id: `${vnetId}/subnets/AzureBastionSubnet` } } }],
    },
  });
}
