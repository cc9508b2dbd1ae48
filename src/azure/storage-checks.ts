/**
 * The connector Test's storage data-plane lines, under Microsoft Entra ID alone: whether the
 * identity can use blobs in the connector's container (Storage Blob Data Contributor) and get a
 * user delegation key (every SAS link the bot hands out is signed with one).
 */
import type { BlobDisks } from './blob-disks.js';
import { AzureError } from './errors.js';
import type { ProbeResult, StorageAccountInfo } from './ports.js';
import { skip, verdict } from './probe-results.js';

export interface StorageCheckTarget {
  storageAccount: string;
  container: string;
}

/** The two lines, placed after `shared-key` in `probeResults`; skipped when the credentials or the account could not be read. */
export async function withStorageDataChecks(
  probeResults: ProbeResult[],
  target: StorageCheckTarget,
  entra: () => Promise<BlobDisks>,
  account: () => Promise<StorageAccountInfo>,
): Promise<ProbeResult[]> {
  const ready = ['credentials', 'storage-account'].every((check) => probeResults.find((r) => r.check === check)?.ok);
  const dataChecks = ready
    ? await storageDataChecks(target, await entra(), (await account()).sharedKeyAllowed)
    : [skip('blob-data', 'the storage account could not be reached'), skip('delegation-key', 'the storage account could not be reached')];
  const at = probeResults.findIndex((r) => r.check === 'shared-key') + 1;
  return [...probeResults.slice(0, at), ...dataChecks, ...probeResults.slice(at)];
}

async function storageDataChecks({ storageAccount, container }: StorageCheckTarget, entra: BlobDisks, sharedKeyAllowed: boolean): Promise<ProbeResult[]> {
  const fallback = sharedKeyAllowed
    ? '; until then oslayer falls back to the account key (listKeys), which the account still allows'
    : '; the account refuses Shared Key, so nothing can stand in for it';
  const blobData = verdict('blob-data', async () => {
    try {
      await entra.checkReadWrite({ container });
      return { ok: true, detail: `the identity can write, read and delete blobs in container ${container} of ${storageAccount}` };
    } catch (error) {
      if (error instanceof AzureError && error.code === 'ContainerNotFound') {
        return { ok: false, detail: `storage account ${storageAccount} has no container named ${container}` };
      }
      if (error instanceof AzureError && error.status === 403) {
        return {
          ok: false,
          detail: `the identity may not write, read and delete blobs in container ${container} (${error.code}); assign it Storage Blob Data Contributor on the storage account or the container${fallback}`,
        };
      }
      throw error;
    }
  });
  const delegationKey = verdict('delegation-key', async () => {
    try {
      await entra.checkDelegationKey();
      return { ok: true, detail: 'the identity can get a user delegation key, which signs the portal link and the disk copies' };
    } catch (error) {
      if (error instanceof AzureError && error.status === 403) {
        return {
          ok: false,
          detail: `the identity may not get a user delegation key (${error.code}); Storage Blob Data Contributor on the storage account grants it${fallback}`,
        };
      }
      throw error;
    }
  });
  return Promise.all([blobData, delegationKey]);
}

