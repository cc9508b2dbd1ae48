/**
 * Microsoft.Network request bodies the bot sends: the network security group that public
 * packaging machine access puts on the NIC (Deploy for me and the template both create it).
 * Member lists are the spec's definitions for the exact api-version (networkSecurityGroup.json,
 * network.json's Resource and SubResource); sources in test/fixtures/arm/SOURCES.md. The Network
 * RP deserializes as strictly as Compute ("Could not find member 'tags' on object of type
 * 'Subnet'" is its answer), so the same refusal applies.
 */
import { arrayOf, boolean, integer, object, oneOf, opaque, string, stringMap, type RequestBody } from './shape.js';

const securityRuleProperties = object(
  'SecurityRulePropertiesFormat',
  {
    description: string,
    protocol: oneOf('SecurityRuleProtocol', 'Tcp', 'Udp', 'Icmp', 'Esp', '*', 'Ah'),
    sourcePortRange: string,
    destinationPortRange: string,
    sourceAddressPrefix: string,
    sourceAddressPrefixes: arrayOf(string),
    sourceApplicationSecurityGroups: arrayOf(opaque),
    destinationAddressPrefix: string,
    destinationAddressPrefixes: arrayOf(string),
    destinationApplicationSecurityGroups: arrayOf(opaque),
    sourcePortRanges: arrayOf(string),
    destinationPortRanges: arrayOf(string),
    access: oneOf('SecurityRuleAccess', 'Allow', 'Deny'),
    priority: integer,
    direction: oneOf('SecurityRuleDirection', 'Inbound', 'Outbound'),
    provisioningState: string,
  },
  // The spec requires priority too, but the Network RP reads a missing one as 0 and refuses it as
  // SecurityRuleInvalidPriority (Azure/azure-rest-api-specs#22448), which security-groups.ts does.
  ['protocol', 'access', 'direction'],
);

/** SecurityRule: SubResource (`id`) plus name, etag, type and the flattened properties. */
const securityRule = object('SecurityRule', { id: string, name: string, etag: string, type: string, properties: securityRuleProperties });

/** NetworkSecurityGroup at 2023-09-01 and 2025-05-01 (the same members): network.json's Resource envelope, etag, and its properties. */
const networkSecurityGroupShape = object('NetworkSecurityGroup', {
  id: string,
  name: string,
  type: string,
  location: string,
  tags: stringMap,
  etag: string,
  properties: object('NetworkSecurityGroupPropertiesFormat', {
    flushConnection: boolean,
    securityRules: arrayOf(securityRule),
    defaultSecurityRules: arrayOf(securityRule),
    networkInterfaces: arrayOf(opaque),
    subnets: arrayOf(opaque),
    flowLogs: arrayOf(opaque),
    resourceGuid: string,
    provisioningState: string,
  }),
});
export const networkSecurityGroup: RequestBody = { shape: networkSecurityGroupShape };
