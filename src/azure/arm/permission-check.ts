/**
 * Connector Test's permission line: the identity's own permissions, as ARM's permissions API
 * answers them (Permissions_ListForResourceGroup / _ListForResource, the answer behind the
 * portal's "Check access"), against src/azure/required-permissions.ts. Read at the connector's
 * resource group (roles on the subscription show there too), the subnet (where ARM checks the
 * NIC's join), the storage account's blob service (where blob operations are checked) and, with
 * a Compute Gallery, the gallery (where its image definitions and versions are written).
 * Subscription-level needs are checked at the resource group: the permissions API has no
 * subscription scope, so a role assigned on the resource group alone passes here.
 */
import type { Permission } from '@azure/arm-authorization';
import { machineAccessOf } from '../../domain/machine-access.js';
import { permits, type RolePermissions } from '../rbac.js';
import { REQUIRED_PERMISSIONS, grantAdvice, type PermissionScope, type RequiredPermission } from '../required-permissions.js';
import type { Verdict } from '../probe-results.js';
import type { ArmConnection } from './clients.js';
import { parseResourceId } from './resource-id.js';

/** How many missing operations the line lists before it says how many more (a Slack section holds 3,000 characters). */
const MAX_LINES = 8;

export async function permissionVerdict(arm: ArmConnection): Promise<Verdict> {
  const { connector } = arm;
  const authorization = arm.authorization(connector.subscriptionId);
  const collect = async (pages: AsyncIterable<Permission>): Promise<RolePermissions[]> => {
    const grants: RolePermissions[] = [];
    for await (const p of pages) {
      grants.push({ actions: p.actions ?? [], notActions: p.notActions ?? [], dataActions: p.dataActions ?? [], notDataActions: p.notDataActions ?? [] });
    }
    return grants;
  };
  const subnet = parseResourceId(connector.subnetId);
  const [vnetName, subnetName] = subnet?.names ?? [];
  const gallery = connector.gallery ? parseResourceId(connector.gallery.galleryId) : null;
  const galleryName = gallery?.type.toLowerCase() === 'microsoft.compute/galleries' ? gallery.names[0] : undefined;
  const [group, subnetGrants, storageGrants, galleryGrants] = await Promise.all([
    collect(authorization.permissions.listForResourceGroup(connector.resourceGroup)),
    subnet && vnetName && subnetName
      ? collect(arm.authorization(subnet.subscriptionId).permissions.listForResource(subnet.resourceGroup, 'Microsoft.Network', `virtualNetworks/${vnetName}`, 'subnets', subnetName))
      : Promise.resolve([]),
    collect(authorization.permissions.listForResource(connector.resourceGroup, 'Microsoft.Storage', `storageAccounts/${connector.storageAccount}`, 'blobServices', 'default')),
    // A top-level resource has no parent path: ARM takes the empty segment as none.
    gallery && galleryName
      ? collect(arm.authorization(gallery.subscriptionId).permissions.listForResource(gallery.resourceGroup, 'Microsoft.Compute', '', 'galleries', galleryName))
      : Promise.resolve([]),
  ]);
  const grantsFor: Record<PermissionScope, RolePermissions[]> = {
    subscription: group,
    'resource group': group,
    'virtual network': subnetGrants,
    'storage account': storageGrants,
    'Compute Gallery': galleryGrants,
  };
  const publicAccess = machineAccessOf(connector).mode === 'public';
  // The CORS rule can be added by hand instead, so its role is not required.
  const needed = REQUIRED_PERMISSIONS.filter(
    (entry) => entry.when === undefined || (entry.when === 'with public machine access' && publicAccess) || (entry.when === 'with a Compute Gallery' && galleryName !== undefined),
  );
  const missing = needed.filter((entry) => !permits(grantsFor[entry.scope], entry.operation, entry.kind));
  if (missing.length === 0) return { ok: true, detail: `the identity holds every permission the bot uses (${needed.length} operations)` };
  return { ok: false, detail: missingLines(missing) };
}

function missingLines(missing: readonly RequiredPermission[]): string {
  const lines = missing.slice(0, MAX_LINES).map((entry) => `missing ${entry.operation}: ${grantAdvice(entry)} (${entry.feature})`);
  if (missing.length > MAX_LINES) lines.push(`…and ${missing.length - MAX_LINES} more; see the README's role table`);
  return lines.join('\n');
}
