/**
 * The packaging machine's OS disk, prepared during Publish: a managed disk created for upload
 * (createOption Upload), written by Put Page From URL from the packaging VHD while Azure holds it
 * ActiveUpload, then closed (Revoke Access) so it is Unattached and ready for either path to
 * attach. The storage account is read with the connector's own Entra ID (a user delegation SAS),
 * so nothing needs Compute to read the account, which a Shared-Key-off account may not allow
 * (README, "The packaging disk").
 */
import type { BlobDisks, BlobRef } from '../azure/blob-disks.js';
import type { Machines, PackagingMachineSpec } from '../azure/ports.js';

/** Long enough to write a 2 TB disk; revoked as soon as the pages are written. */
const UPLOAD_SAS_SECONDS = 24 * 60 * 60;

export interface PrepareDiskOptions {
  onProgress?: (copiedBytes: number, totalBytes: number) => void;
}

/**
 * Creates, fills and closes the disk. A disk of that name left by an earlier attempt (stopped
 * half way, so its content is unknown) is deleted and made again: an upload is not resumable
 * once its SAS is gone.
 */
export async function preparePackagingDisk(
  azure: { machines: Machines; blobs: BlobDisks },
  spec: PackagingMachineSpec,
  packagingVhd: BlobRef,
  { onProgress }: PrepareDiskOptions = {},
): Promise<void> {
  const { machines, blobs } = azure;
  const name = spec.disk.name;
  if ((await machines.diskState(name)) !== null) {
    await machines.revokeDiskAccess(name);
    await machines.deleteDisk(name);
  }
  await machines.createUploadDisk(spec.disk);
  const destinationSasUrl = await machines.grantDiskWriteAccess(name, UPLOAD_SAS_SECONDS);
  await blobs.copyPagesTo({ ...packagingVhd, destinationSasUrl, onProgress });
  await machines.revokeDiskAccess(name);
}
