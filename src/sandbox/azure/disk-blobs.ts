import { randomUUID } from 'node:crypto';
import {
  BlobSASPermissions,
  BlobServiceClient,
  StorageSharedKeyCredential,
  generateBlobSASQueryParameters,
  type SignedIdentifier,
} from '@azure/storage-blob';
import { ArmError } from './http.js';

const VHD_FOOTER_BYTES = 512;
const MIB = 1024 * 1024;

export interface SourceVhd {
  container: string;
  blob: string;
  /** The disk's virtual size: the page blob without its footer. */
  virtualSizeBytes: number;
}

/**
 * Managed disks' bytes, kept as page blobs in Azurite (container `sim-managed-disks`). Import
 * copies the VHD there server-side, Upload starts from an empty page blob; grantAccess hands out
 * a SAS bound to a stored access policy, so revokeAccess can really invalidate it by deleting
 * the policy.
 */
export class DiskBlobs {
  static readonly container = 'sim-managed-disks';
  private readonly credential: StorageSharedKeyCredential;
  private readonly service: BlobServiceClient;
  /** Container ACL changes are read-modify-write; one at a time. */
  private aclQueue: Promise<unknown> = Promise.resolve();

  /**
   * `blobEndpoint` is Azurite itself (the platform reads and writes there); `accountEndpoint` is
   * the account's endpoint as ARM reports it. An import source may name the account by either.
   */
  constructor(
    private readonly blobEndpoint: string,
    accountKey: string,
    private readonly accountEndpoint: string = blobEndpoint,
  ) {
    const account = new URL(blobEndpoint).pathname.split('/').filter(Boolean).pop() ?? '';
    this.credential = new StorageSharedKeyCredential(account, accountKey);
    this.service = new BlobServiceClient(blobEndpoint, this.credential);
  }

  async prepare(): Promise<void> {
    await this.service.getContainerClient(DiskBlobs.container).createIfNotExists();
  }

  /**
   * Checks what Azure checks before importing: the blob is in the storage account, is a page
   * blob, and ends in a fixed-VHD footer whose size matches, with a whole-MiB virtual size.
   */
  async inspectSource(sourceUri: string): Promise<SourceVhd> {
    const invalid = (message: string) => new ArmError(400, 'InvalidParameter', message);
    const url = new URL(sourceUri);
    const accountUrl = [this.accountEndpoint, this.blobEndpoint].map((endpoint) => new URL(endpoint)).find((candidate) => candidate.origin === url.origin) ?? new URL(this.accountEndpoint);
    const accountPath = `${accountUrl.pathname.replace(/\/$/, '')}/`;
    if (url.origin !== accountUrl.origin || !url.pathname.startsWith(accountPath)) {
      throw invalid(`The source blob '${sourceUri}' is not in the storage account given by storageAccountId.`);
    }
    const [container, ...blobParts] = url.pathname.slice(accountPath.length).split('/').map(decodeURIComponent);
    const blob = blobParts.join('/');
    if (!container || !blob) throw invalid(`The sourceUri '${sourceUri}' does not name a blob.`);
    const client = this.service.getContainerClient(container).getPageBlobClient(blob);
    const properties = await client.getProperties().catch((error: { statusCode?: number }) => {
      if (error.statusCode === 404) throw invalid(`The source blob '${sourceUri}' does not exist.`);
      throw error;
    });
    if (properties.blobType !== 'PageBlob') {
      throw invalid(`The source blob '${sourceUri}' is a ${properties.blobType ?? 'non-page'} blob; only page blobs can be imported.`);
    }
    const length = properties.contentLength ?? 0;
    const virtualSizeBytes = length - VHD_FOOTER_BYTES;
    if (virtualSizeBytes <= 0 || virtualSizeBytes % MIB !== 0) {
      throw invalid(
        `The VHD '${sourceUri}' has an unsupported virtual size of ${virtualSizeBytes} bytes. The size must be a whole number (in MBs).`,
      );
    }
    const footer = await client.downloadToBuffer(length - VHD_FOOTER_BYTES, VHD_FOOTER_BYTES);
    const isFixedVhd = footer.toString('latin1', 0, 8) === 'conectix' && footer.readUInt32BE(60) === 2;
    if (!isFixedVhd || Number(footer.readBigUInt64BE(48)) !== virtualSizeBytes) {
      throw invalid(`The blob '${sourceUri}' is not a fixed VHD: its last 512 bytes are not a matching VHD footer.`);
    }
    return { container, blob, virtualSizeBytes };
  }

  /** Server-side copy into the simulator's container; Azurite finishes it at once. */
  async importCopy(source: SourceVhd, blobName: string): Promise<void> {
    const sourceClient = this.service.getContainerClient(source.container).getBlobClient(source.blob);
    const sas = generateBlobSASQueryParameters(
      {
        containerName: source.container,
        blobName: source.blob,
        permissions: BlobSASPermissions.parse('r'),
        expiresOn: new Date(Date.now() + 3600_000),
      },
      this.credential,
    );
    const poller = await this.diskBlob(blobName).beginCopyFromURL(`${sourceClient.url}?${sas.toString()}`);
    await poller.pollUntilDone();
  }

  /** An Upload disk's bytes before anything is written: a page blob of the upload size, all zeros. */
  async createEmpty(blobName: string, sizeBytes: number): Promise<void> {
    await this.diskBlob(blobName).create(sizeBytes);
  }

  /**
   * A SAS for the disk's bytes, read (export) or read-write (upload: Put Page and Put Page From
   * URL need write, the uploader reads the size back); returns it with the policy id that revokes it.
   */
  async grantAccess(blobName: string, access: 'Read' | 'Write', durationSeconds: number): Promise<{ sasUrl: string; policyId: string }> {
    const policyId = randomUUID().replace(/-/g, '');
    const permissions = access === 'Write' ? 'rw' : 'r';
    await this.changeAcl((identifiers) => [
      ...identifiers,
      {
        id: policyId,
        accessPolicy: { permissions, startsOn: new Date(Date.now() - 60_000), expiresOn: new Date(Date.now() + durationSeconds * 1000) },
      },
    ]);
    const sas = generateBlobSASQueryParameters(
      { containerName: DiskBlobs.container, blobName, identifier: policyId },
      this.credential,
    );
    // Named through the account's endpoint, as every URL the bot is handed; the gateway lets this container's SAS through (see there).
    const url = this.diskBlob(blobName).url.replace(this.blobEndpoint, this.accountEndpoint);
    return { sasUrl: `${url}?${sas.toString()}`, policyId };
  }

  async revoke(policyId: string): Promise<void> {
    await this.changeAcl((identifiers) => identifiers.filter((identifier) => identifier.id !== policyId));
  }

  async remove(blobName: string): Promise<void> {
    await this.diskBlob(blobName).deleteIfExists();
  }

  private diskBlob(blobName: string) {
    return this.service.getContainerClient(DiskBlobs.container).getPageBlobClient(blobName);
  }

  private changeAcl(change: (identifiers: SignedIdentifier[]) => SignedIdentifier[]): Promise<void> {
    const container = this.service.getContainerClient(DiskBlobs.container);
    const next = this.aclQueue.then(async () => {
      const current = await container.getAccessPolicy();
      await container.setAccessPolicy(undefined, change(current.signedIdentifiers));
    });
    this.aclQueue = next.catch(() => undefined);
    return next;
  }
}
