/** How Azure RBAC reads role permissions: wildcards, notActions within a role, roles adding up. */
import { operationMatches, permits } from '../../src/azure/rbac.js';

const role = (actions: string[], notActions: string[] = [], dataActions: string[] = [], notDataActions: string[] = []) => ({ actions, notActions, dataActions, notDataActions });

describe('Azure RBAC permissions', () => {
  it('matches wildcards anywhere in an operation, case-insensitively', () => {
    expect(operationMatches('*', 'Microsoft.Compute/virtualMachines/write')).toBe(true);
    expect(operationMatches('*/read', 'Microsoft.Compute/virtualMachines/read')).toBe(true);
    expect(operationMatches('*/read', 'Microsoft.Compute/virtualMachines/write')).toBe(false);
    expect(operationMatches('Microsoft.Compute/*/read', 'Microsoft.Compute/virtualMachines/instanceView/read')).toBe(true);
    expect(operationMatches('Microsoft.Storage/storageAccounts/listkeys/action', 'Microsoft.Storage/storageAccounts/listKeys/action')).toBe(true);
    expect(operationMatches('Microsoft.Compute/disks/read', 'Microsoft.Compute/disks/readX')).toBe(false);
  });

  it('subtracts notActions within the role that has them, and adds roles up', () => {
    const contributor = role(['*'], ['Microsoft.Authorization/*/Write']);
    expect(permits([contributor], 'Microsoft.Authorization/roleAssignments/write', 'action')).toBe(false);
    expect(permits([contributor, role(['Microsoft.Authorization/roleAssignments/write'])], 'Microsoft.Authorization/roleAssignments/write', 'action')).toBe(true);
  });

  it('keeps control-plane actions and data actions apart', () => {
    const owner = role(['*']);
    expect(permits([owner], 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read', 'dataAction')).toBe(false);
    const reader = role([], [], ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*'], ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete']);
    expect(permits([reader], 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read', 'dataAction')).toBe(true);
    expect(permits([reader], 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete', 'dataAction')).toBe(false);
  });
});
