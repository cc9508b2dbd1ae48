/**
 * The one source of what the connector's identity needs (src/azure/required-permissions.ts),
 * checked against Microsoft's built-in role definitions as vendored for the simulator, and the
 * README's role table checked against the source.
 */
import { readFileSync } from 'node:fs';
import { permits, type RolePermissions } from '../../src/azure/rbac.js';
import { CUSTOM_ROLES, REQUIRED_PERMISSIONS, connectorScopes, requiredRoleAssignments } from '../../src/azure/required-permissions.js';
import { withRoleTable } from '../../scripts/docs-roles.js';

interface PublishedRole {
  roleName: string;
  permissions: RolePermissions[];
}

const builtIn = JSON.parse(readFileSync(new URL('../../src/sandbox/azure/roles/built-in-roles.json', import.meta.url), 'utf8')) as PublishedRole[];
const definitions = new Map<string, RolePermissions>([
  ...builtIn.map((role) => [role.roleName, role.permissions[0]!] as const),
  ...CUSTOM_ROLES.map((role) => [role.name, role] as const),
]);

describe('required permissions', () => {
  it.each(REQUIRED_PERMISSIONS.map((entry) => [entry.operation, entry.role, entry] as const))('%s is granted by %s', (_operation, _role, entry) => {
    const role = definitions.get(entry.role);
    expect(role).toBeDefined();
    expect(permits([role!], entry.operation, entry.kind)).toBe(true);
  });

  it('needs the custom disk export role because no built-in role short of Contributor or Owner grants Grant and Revoke Access', () => {
    const exportOperations = ['Microsoft.Compute/disks/beginGetAccess/action', 'Microsoft.Compute/disks/endGetAccess/action'];
    const granting = builtIn.filter((role) => exportOperations.every((operation) => permits(role.permissions, operation, 'action'))).map((role) => role.roleName);
    expect(granting.sort()).toEqual(['Contributor', 'Owner']);
    // Virtual Machine Contributor, which the README asks for anyway, has neither.
    const vmContributor = definitions.get('Virtual Machine Contributor')!;
    expect(exportOperations.filter((operation) => permits([vmContributor], operation, 'action'))).toEqual([]);
    // The shipped role grants exactly these two and nothing else.
    const shipped = CUSTOM_ROLES.find((role) => role.name === 'oslayer Disk Export')!;
    expect([...shipped.actions].sort()).toEqual([...exportOperations].sort());
    expect([shipped.notActions, shipped.dataActions, shipped.notDataActions]).toEqual([[], [], []]);
  });

  it('lists each operation once, so a role table row and a refusal sentence have one answer', () => {
    const operations = REQUIRED_PERMISSIONS.map((entry) => entry.operation.toLowerCase());
    expect(new Set(operations).size).toBe(operations.length);
  });

  it('assigns each role once per scope', () => {
    const scopes = connectorScopes({ subscriptionId: 's', resourceGroup: 'rg', storageAccount: 'acct', subnetId: '/subscriptions/s/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/sub' });
    expect(requiredRoleAssignments(scopes)).toEqual([
      { role: 'Reader', scope: '/subscriptions/s' },
      { role: 'Virtual Machine Contributor', scope: '/subscriptions/s/resourceGroups/rg' },
      { role: 'oslayer Disk Export', scope: '/subscriptions/s/resourceGroups/rg' },
      { role: 'Network Contributor', scope: '/subscriptions/s/resourceGroups/rg' },
      { role: 'Virtual Machine Contributor', scope: '/subscriptions/s/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/vnet' },
      { role: 'Storage Blob Data Contributor', scope: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct' },
      { role: 'Storage Account Contributor', scope: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct' },
    ]);
  });

  it("is what the README's role table says (npm run docs:roles rewrites it)", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(withRoleTable(readme)).toBe(readme);
  });
});
