/**
 * The RBAC operation each blob service request the bot makes needs, as "Permissions for calling
 * data operations" in "Authorize with Microsoft Entra ID" (learn.microsoft.com/rest/api/storageservices)
 * names them. Who holds them is decided by the principal's role assignments
 * (./authorization/principals.ts), read from the built-in role definitions: Get/Put/Delete Blob
 * are data actions (Storage Blob Data Reader/Contributor/Owner); Create/Delete Container, Get
 * Container Properties, Get User Delegation Key and
 * Get/Set Blob Service Properties (CORS) are control-plane actions (Storage Blob Data roles and
 * Storage Blob Delegator; Reader reads the properties, Storage Account Contributor writes them).
 */
import type { OperationKind } from '../../azure/rbac.js';

export type StorageDataAction =
  | 'read'
  | 'write'
  | 'delete'
  | 'tagsRead'
  | 'tagsWrite'
  | 'containerRead'
  | 'containerWrite'
  | 'containerDelete'
  | 'generateUserDelegationKey'
  | 'serviceRead'
  | 'serviceWrite';

const BLOB_SERVICE = 'Microsoft.Storage/storageAccounts/blobServices';
const BLOBS = `${BLOB_SERVICE}/containers/blobs`;

export const STORAGE_OPERATIONS: Readonly<Record<StorageDataAction, { operation: string; kind: OperationKind }>> = {
  read: { operation: `${BLOBS}/read`, kind: 'dataAction' },
  write: { operation: `${BLOBS}/write`, kind: 'dataAction' },
  delete: { operation: `${BLOBS}/delete`, kind: 'dataAction' },
  tagsRead: { operation: `${BLOBS}/tags/read`, kind: 'dataAction' },
  tagsWrite: { operation: `${BLOBS}/tags/write`, kind: 'dataAction' },
  containerRead: { operation: `${BLOB_SERVICE}/containers/read`, kind: 'action' },
  containerWrite: { operation: `${BLOB_SERVICE}/containers/write`, kind: 'action' },
  containerDelete: { operation: `${BLOB_SERVICE}/containers/delete`, kind: 'action' },
  generateUserDelegationKey: { operation: `${BLOB_SERVICE}/generateUserDelegationKey/action`, kind: 'action' },
  serviceRead: { operation: `${BLOB_SERVICE}/read`, kind: 'action' },
  serviceWrite: { operation: `${BLOB_SERVICE}/write`, kind: 'action' },
};
