/**
 * Which built-in Azure roles grant which blob service operations, as far as the bot's requests
 * go. Source: "Azure built-in roles" (learn.microsoft.com/azure/role-based-access-control/built-in-roles,
 * Storage section: each role's Actions and DataActions) and "Permissions for calling data
 * operations" in "Authorize with Microsoft Entra ID" (learn.microsoft.com/rest/api/storageservices).
 *
 * - Storage Blob Data Reader: blobs/read, generateUserDelegationKey.
 * - Storage Blob Data Contributor: that plus blobs/write, add, delete (and container write).
 *   Not blob index tags: tags/read, tags/write and filter/action are Storage Blob Data Owner's.
 * - Storage Blob Data Owner: blobs/* including tags.
 * - Storage Blob Delegator: generateUserDelegationKey only.
 * - Get/Set Blob Service Properties (CORS) are `Microsoft.Storage/storageAccounts/blobServices/read`
 *   and `/write`, control-plane actions: Reader (every read action) may read them; Storage Account
 *   Contributor, Contributor and Owner may write them. None of those grants data access.
 */
export type StorageDataAction = 'read' | 'write' | 'delete' | 'tagsRead' | 'tagsWrite' | 'generateUserDelegationKey' | 'serviceRead' | 'serviceWrite';

const GRANTS: Readonly<Record<string, readonly StorageDataAction[]>> = {
  'Storage Blob Data Reader': ['read', 'generateUserDelegationKey'],
  'Storage Blob Data Contributor': ['read', 'write', 'delete', 'generateUserDelegationKey'],
  'Storage Blob Data Owner': ['read', 'write', 'delete', 'tagsRead', 'tagsWrite', 'generateUserDelegationKey'],
  'Storage Blob Delegator': ['generateUserDelegationKey'],
  Reader: ['serviceRead'],
  'Storage Account Contributor': ['serviceRead', 'serviceWrite'],
  Contributor: ['serviceRead', 'serviceWrite'],
  Owner: ['serviceRead', 'serviceWrite'],
};

export const KNOWN_STORAGE_ROLES = Object.keys(GRANTS) as readonly string[];

/**
 * What the sandbox's app holds on its storage account unless a test says otherwise: what the
 * README asks an admin to assign (least privilege), plus Storage Account Contributor so the bot
 * can add the portal's CORS rule itself.
 */
export const DEFAULT_STORAGE_ROLES: readonly string[] = ['Reader', 'Storage Blob Data Contributor', 'Storage Account Contributor'];

export function dataActionsOf(roles: readonly string[]): Set<StorageDataAction> {
  return new Set(roles.flatMap((role) => GRANTS[role] ?? []));
}

/** Role assignments on storage accounts, per principal; a principal nobody assigned holds the defaults. */
export class StorageRoleAssignments {
  private readonly assigned = new Map<string, readonly string[]>();

  rolesOf(account: string, principalId: string): readonly string[] {
    return this.assigned.get(`${account}\n${principalId}`) ?? DEFAULT_STORAGE_ROLES;
  }

  assign(account: string, principalId: string, roles: readonly string[]): void {
    this.assigned.set(`${account}\n${principalId}`, roles);
  }
}
