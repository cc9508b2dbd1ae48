import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TokenCredential } from '@azure/identity';
import type { TlsSettings } from '@azure/core-rest-pipeline';
import { observingFactory, type AzureObserver } from './observer.js';
import {
  AnonymousCredential,
  BlobSASPermissions,
  BlobServiceClient,
  RestError,
  SASProtocol,
  StorageSharedKeyCredential,
  type StoragePipelineOptions,
  type BlobBeginCopyFromUrlPollState,
  type BlobClient,
  PageBlobClient,
  newPipeline,
  type CorsRule,
} from '@azure/storage-blob';
import { AzureError, BlobCopyError, redactSas, toAzureError } from './errors.js';
import type { Tags } from './ports.js';
import { grownVhdFooter, parseVhdFooter, VHD_FOOTER_SIZE, VhdFormatError, type VhdFooter } from './vhd.js';

/**
 * The blob storage the bot needs for disks: server-side copies, fixed-VHD footers, SAS links,
 * the packaging machine template and the portal's CORS rule. Nothing here exposes SDK types;
 * Azure Storage's refusals arrive as AzureError (./errors.js).
 */

export interface BlobRef {
  container: string;
  blob: string;
}

export type CopyState = 'pending' | 'success' | 'failed' | 'aborted';

export interface CopyStatus {
  state: CopyState;
  copiedBytes: number;
  totalBytes: number;
  /** Whole percent, 100 only once the copy succeeded. */
  percent: number;
  statusDescription?: string;
}

export type BlobProperties = { exists: false } | { exists: true; sizeBytes: number; type: 'page' | 'block' | 'append' };

export interface WaitForCopyOptions {
  onProgress?: (status: CopyStatus) => void;
  pollIntervalMs: number;
  signal?: AbortSignal;
}

export interface BlobDisks {
  ensureContainer(opts: { container: string }): Promise<void>;
  /** Starts an asynchronous server-side copy; the bytes never pass through the bot. Returns the copy id. */
  startCopy(opts: BlobRef & { sourceUrl: string; metadata?: Record<string, string>; tags?: Tags }): Promise<string>;
  copyStatus(opts: BlobRef): Promise<CopyStatus>;
  /** Resolves with the final status once the copy succeeded; throws BlobCopyError if it failed or was aborted. */
  waitForCopy(opts: BlobRef & WaitForCopyOptions): Promise<CopyStatus>;
  /** Reads only the blob's last 512 bytes. */
  readVhdFooter(opts: BlobRef): Promise<VhdFooter>;
  blobProperties(opts: BlobRef): Promise<BlobProperties>;
  /** True if there was a blob to delete. */
  deleteBlob(opts: BlobRef): Promise<boolean>;
  /** Grows a fixed VHD page blob in place. False when it already had that size. */
  growVhd(opts: BlobRef & { newSizeBytes: number }): Promise<boolean>;
  /**
   * A read-only SAS link to the blob. Signed with a user delegation key under Microsoft Entra ID,
   * so it ends when `expiresOn` or the key ends, whichever is first: a key lives at most 7 days.
   */
  readSasUrl(opts: BlobRef & { expiresOn: Date }): Promise<string>;
  /** Writes, reads back and deletes a small blob in the container: what the workflow needs of its data role. */
  checkReadWrite(opts: { container: string }): Promise<void>;
  /** Gets a user delegation key valid for an hour, as every SAS link the bot hands out needs one. */
  checkDelegationKey(): Promise<void>;
  uploadJson(opts: BlobRef & { json: unknown; tags?: Tags }): Promise<void>;
  /** Lets a browser page on `origin` (the Azure portal) GET the account's blobs. True if a rule was added. */
  ensureCorsRule(opts: { origin: string }): Promise<boolean>;
  uploadPageBlob(opts: BlobRef & { data: Uint8Array }): Promise<void>;
  /**
   * Writes the blob's pages into the page blob at `destinationSasUrl` (a managed disk's upload
   * SAS) with Put Page From URL, reading only its non-empty page ranges: the service copies, the
   * bot sends no page bytes. `onProgress` gets the bytes written so far and the total to write.
   */
  copyPagesTo(opts: BlobRef & { destinationSasUrl: string; onProgress?: (copiedBytes: number, totalBytes: number) => void }): Promise<void>;
  /** Names of the container's blobs marked `tagName` = `value`, by blob index tag or, where the account has none, by metadata. */
  findMarked(opts: { container: string; tagName: string; value: string }): Promise<string[]>;
}

/**
 * How requests are signed: the connector's Microsoft Entra ID token (the default; SAS links are
 * user delegation SAS), or the account key where Entra ID was refused for a named reason.
 */
export type BlobAuth = { kind: 'entra'; credential: TokenCredential } | { kind: 'account-key'; accountKey: string };

export interface BlobAccount {
  /** The account's blob endpoint, e.g. https://acct.blob.core.windows.net or Azurite's http://127.0.0.1:10000/devstoreaccount1 */
  blobEndpoint: string;
  accountName: string;
  auth: BlobAuth;
  /**
   * Whether the account supports blob index tags; accounts with a hierarchical namespace and
   * premium accounts don't. Without them the tags a caller gives are kept in blob metadata.
   */
  indexTags?: boolean;
  /** TLS trust for the endpoint (a custom cloud's CA bundle). */
  tlsOptions?: TlsSettings;
  /** Counts each request (the bot's metrics). */
  observer?: AzureObserver;
}

/** Azure accepts at most five CORS rules per service. */
const MAX_CORS_RULES = 5;
/** Put Page and Put Page From URL take at most 4 MiB per request. */
const MAX_PAGE_WRITE = 4 * 1024 * 1024;
/** How long the source link of a page copy works: long enough for a 2 TB disk, which takes hours. */
const PAGE_COPY_SAS_MS = 24 * 3600_000;
/**
 * Azure refuses a user delegation key that ends more than 7 days after its request (400
 * InvalidXmlNodeValue), measured by the service's clock; a margin keeps a 7-day link from
 * failing on a few seconds of clock skew (Azure/azure-sdk-for-net#17690).
 */
const MAX_DELEGATION_KEY_MS = 7 * 24 * 3600_000 - 5 * 60_000;
/** A SAS starts a little in the past, so a service clock behind the bot's does not reject it as not yet valid. */
const SAS_START_SKEW_MS = 5 * 60_000;

export function createBlobDisks(account: BlobAccount): BlobDisks {
  const { auth } = account;
  // StoragePipelineOptions does not declare tlsOptions, but its pipeline passes the options on to
  // core-rest-pipeline, whose TLS policy applies them (the ARM clients use the same setting).
  const pipelineOptions: StoragePipelineOptions & { tlsOptions?: TlsSettings } = account.tlsOptions ? { tlsOptions: account.tlsOptions } : {};
  const credential = auth.kind === 'entra' ? auth.credential : new StorageSharedKeyCredential(account.accountName, auth.accountKey);
  // A request policy factory, storage's own way to extend its pipeline: `additionalPolicies` would be
  // added again by every container and blob client made from the service client (they share one pipeline).
  const pipeline = (signedBy: TokenCredential | StorageSharedKeyCredential | AnonymousCredential) => {
    const made = newPipeline(signedBy, pipelineOptions);
    if (account.observer) made.factories.push(observingFactory(account.observer));
    return made;
  };
  const service = new BlobServiceClient(account.blobEndpoint, pipeline(credential));
  const blobClient = ({ container, blob }: BlobRef) => service.getContainerClient(container).getBlobClient(blob);
  const pageBlob = (ref: BlobRef) => blobClient(ref).getPageBlobClient();
  const sasProtocol = new URL(account.blobEndpoint).protocol === 'https:' ? SASProtocol.Https : SASProtocol.HttpsAndHttp;
  // Writing index tags takes Storage Blob Data Owner under Entra ID (tags/write); the workflow asks
  // only for Storage Blob Data Contributor, so there the marks go into metadata.
  const indexTags = (account.indexTags ?? true) && auth.kind === 'account-key';
  /** Where a blob's marks go: index tags where the account has them, else metadata; named so both can be queried. */
  const marks = (tags: Tags | undefined, metadata?: Record<string, string>) => {
    if (!tags) return { metadata };
    const named = Object.fromEntries(Object.entries(tags).map(([name, value]) => [markName(name), value]));
    return indexTags ? { tags: named, metadata } : { metadata: { ...metadata, ...named } };
  };

  async function copyStatus(ref: BlobRef): Promise<CopyStatus> {
    return parseCopyStatus(await blobClient(ref).getProperties(), blobPath(ref));
  }

  const disks: BlobDisks = {
    async ensureContainer({ container }) {
      await service.getContainerClient(container).createIfNotExists();
    },

    async startCopy({ sourceUrl, metadata, tags, ...ref }) {
      // beginCopyFromURL's first poll issues the asynchronous Copy Blob; its poller is dropped
      // because waitForCopy polls the destination itself, which also works after a restart.
      const poller = await blobClient(ref).beginCopyFromURL(sourceUrl, marks(tags, metadata));
      // The poller is typed generically; its state is documented as BlobBeginCopyFromUrlPollState.
      const { copyId } = poller.getOperationState() as BlobBeginCopyFromUrlPollState;
      if (!copyId) throw new BlobCopyError(`Azure Storage started no copy to ${blobPath(ref)}`);
      return copyId;
    },

    copyStatus,

    waitForCopy({ onProgress, pollIntervalMs, signal, ...ref }) {
      return pollCopy({ readStatus: () => copyStatus(ref), target: blobPath(ref), onProgress, pollIntervalMs, signal });
    },

    async readVhdFooter(ref) {
      return (await readFooter(blobClient(ref), blobPath(ref))).footer;
    },

    async blobProperties(ref) {
      try {
        const props = await blobClient(ref).getProperties();
        return { exists: true, sizeBytes: props.contentLength ?? 0, type: blobTypeOf(props.blobType) };
      } catch (err) {
        if (err instanceof RestError && err.statusCode === 404) return { exists: false };
        throw err;
      }
    },

    async deleteBlob(ref) {
      return (await blobClient(ref).deleteIfExists({ deleteSnapshots: 'include' })).succeeded;
    },

    async growVhd({ newSizeBytes, ...ref }) {
      const page = pageBlob(ref);
      const { metadata = {} } = await page.getProperties();
      const growingFrom = Number(metadata[GROWING_FROM_METADATA]);
      // A grow that stopped half way (crash, failed request) is finished from the size it recorded.
      if (growingFrom > 0) return finishGrow(page, blobPath(ref), metadata, growingFrom, newSizeBytes);
      const { footer, bytes, blobType } = await readFooter(page, blobPath(ref));
      if (blobType !== 'page') throw new VhdFormatError(`${blobPath(ref)} is a ${blobType} blob; Azure disks need a page blob`);
      if (footer.currentSize === newSizeBytes) return false;
      grownVhdFooter(bytes, newSizeBytes); // refuses a shrink before anything changes
      await page.setMetadata({ ...metadata, [GROWING_FROM_METADATA]: String(footer.currentSize) });
      return finishGrow(page, blobPath(ref), metadata, footer.currentSize, newSizeBytes);
    },

    async readSasUrl({ expiresOn, ...ref }) {
      const permissions = BlobSASPermissions.parse('r');
      if (auth.kind === 'account-key') return blobClient(ref).generateSasUrl({ permissions, expiresOn, protocol: sasProtocol });
      const now = Date.now();
      const startsOn = new Date(now - SAS_START_SKEW_MS);
      const endsOn = new Date(Math.min(expiresOn.getTime(), now + MAX_DELEGATION_KEY_MS));
      const key = await service.getUserDelegationKey(startsOn, endsOn);
      return blobClient(ref).generateUserDelegationSasUrl({ permissions, startsOn, expiresOn: endsOn, protocol: sasProtocol }, key);
    },

    async checkReadWrite({ container }) {
      const probe = service.getContainerClient(container).getBlockBlobClient(`oslayer-access-check-${randomUUID()}.txt`);
      const text = 'oslayer checks it can write, read and delete blobs here';
      await probe.upload(text, Buffer.byteLength(text));
      try {
        await probe.downloadToBuffer();
      } finally {
        await probe.deleteIfExists();
      }
    },

    async checkDelegationKey() {
      await service.getUserDelegationKey(new Date(Date.now() - SAS_START_SKEW_MS), new Date(Date.now() + 3600_000));
    },

    async uploadJson({ json, tags, ...ref }) {
      const body = Buffer.from(JSON.stringify(json, null, 2));
      await blobClient(ref)
        .getBlockBlobClient()
        .upload(body, body.length, { blobHTTPHeaders: { blobContentType: 'application/json' }, ...marks(tags) });
    },

    async ensureCorsRule({ origin }) {
      if (new URL(origin).origin !== origin) throw new RangeError(`a CORS origin is a scheme and host such as https://portal.azure.com, not "${origin}"`);
      const rules = (await service.getProperties()).cors ?? [];
      if (rules.some((rule) => corsRuleLetsBrowserRead(rule, origin))) return false;
      if (rules.length >= MAX_CORS_RULES) {
        throw new AzureError(
          `the storage account already has ${MAX_CORS_RULES} CORS rules, Azure's limit; add ${origin} to one of them (GET, HEAD; headers *)`,
          { code: 'TooManyCorsRules' },
        );
      }
      const rule: CorsRule = { allowedOrigins: origin, allowedMethods: 'GET,HEAD', allowedHeaders: '*', exposedHeaders: '*', maxAgeInSeconds: 3600 };
      // Only `cors` is sent, so the service keeps its other settings (logging, retention...).
      await service.setProperties({ cors: [...rules, rule] });
      return true;
    },

    async findMarked({ container, tagName, value }) {
      const client = service.getContainerClient(container);
      const names: string[] = [];
      // A container not made yet (no template was written) holds nothing of the task.
      if (!(await client.exists())) return names;
      const key = markName(tagName);
      if (indexTags) {
        for await (const blob of client.findBlobsByTags(`${key}='${value.replace(/'/g, "''")}'`)) names.push(blob.name);
        return names;
      }
      for await (const blob of client.listBlobsFlat({ includeMetadata: true })) {
        if (blob.metadata?.[key] === value) names.push(blob.name);
      }
      return names;
    },

    async uploadPageBlob({ data, ...ref }) {
      if (data.length % 512 !== 0) throw new RangeError(`a page blob holds whole 512-byte pages; ${data.length} bytes is not a multiple of 512`);
      const page = pageBlob(ref);
      await page.create(data.length);
      for (let offset = 0; offset < data.length; offset += MAX_PAGE_WRITE) {
        const chunk = data.subarray(offset, offset + MAX_PAGE_WRITE);
        await page.uploadPages(chunk, offset, chunk.length);
      }
    },

    async copyPagesTo({ destinationSasUrl, onProgress, ...ref }) {
      const chunks: Array<{ offset: number; count: number }> = [];
      for await (const range of pageBlob(ref).listPageRanges()) {
        for (let offset = range.start; offset <= range.end; offset += MAX_PAGE_WRITE) {
          chunks.push({ offset, count: Math.min(MAX_PAGE_WRITE, range.end + 1 - offset) });
        }
      }
      const total = chunks.reduce((sum, chunk) => sum + chunk.count, 0);
      const sourceUrl = await disks.readSasUrl({ ...ref, expiresOn: new Date(Date.now() + PAGE_COPY_SAS_MS) });
      const destination = new PageBlobClient(destinationSasUrl, pipeline(new AnonymousCredential()));
      let copied = 0;
      for (const { offset, count } of chunks) {
        await destination.uploadPagesFromURL(sourceUrl, offset, offset, count);
        copied += count;
        onProgress?.(copied, total);
      }
    },
  };
  return withAzureErrors(disks);
}

/**
 * Polls `readStatus` until the copy ends. Separate from the adapter so its loop can be tested
 * with scripted statuses: real copies take minutes, Azurite's finish at once.
 */
export async function pollCopy(opts: WaitForCopyOptions & { readStatus: () => Promise<CopyStatus>; target: string }): Promise<CopyStatus> {
  for (;;) {
    opts.signal?.throwIfAborted();
    const status = await opts.readStatus();
    opts.onProgress?.(status);
    if (status.state === 'success') return status;
    if (status.state !== 'pending') {
      const verb = status.state === 'failed' ? 'failed' : 'was aborted';
      const reason = status.statusDescription ? `: ${status.statusDescription}` : '';
      throw new BlobCopyError(`the copy to ${opts.target} ${verb} after ${status.copiedBytes} of ${status.totalBytes} bytes${reason}`);
    }
    await sleep(opts.pollIntervalMs, undefined, { signal: opts.signal });
  }
}

/** A blob's copy fields (x-ms-copy-status, x-ms-copy-progress "copied/total") as a CopyStatus. */
export function parseCopyStatus(
  fields: { copyStatus?: string; copyProgress?: string; copyStatusDescription?: string },
  target: string,
): CopyStatus {
  const state = fields.copyStatus;
  if (state !== 'pending' && state !== 'success' && state !== 'failed' && state !== 'aborted') {
    throw new BlobCopyError(`${target} has no copy on record`);
  }
  const progress = /^(\d+)\/(\d+)$/.exec(fields.copyProgress ?? '');
  const copiedBytes = progress ? Number(progress[1]) : 0;
  const totalBytes = progress ? Number(progress[2]) : 0;
  const percent = state === 'success' ? 100 : totalBytes > 0 ? Math.min(99, Math.floor((copiedBytes * 100) / totalBytes)) : 0;
  // A failure description may quote the source URL, whose SAS signature is a secret.
  const statusDescription = fields.copyStatusDescription ? redactSas(fields.copyStatusDescription) : undefined;
  return { state, copiedBytes, totalBytes, percent, ...(statusDescription ? { statusDescription } : {}) };
}

/** True if the rule lets a page on `origin` GET and HEAD blobs and read every header. */
function corsRuleLetsBrowserRead(rule: CorsRule, origin: string): boolean {
  const list = (value: string) => value.split(',').map((item) => item.trim());
  const origins = list(rule.allowedOrigins);
  const methods = list(rule.allowedMethods.toUpperCase());
  return (
    (origins.includes(origin) || origins.includes('*')) &&
    methods.includes('GET') &&
    methods.includes('HEAD') &&
    list(rule.allowedHeaders).includes('*') &&
    list(rule.exposedHeaders).includes('*')
  );
}

/**
 * Growing is resize, new footer at the new end, old footer cleared: three requests. The size it
 * grows from is kept in the blob's metadata until the last one is done, so a retry finds a
 * half-grown disk (resized but no footer at its end yet, or the old footer still inside) and
 * finishes it instead of refusing a blob that has no footer where one belongs.
 */
const GROWING_FROM_METADATA = 'oslayergrowingfrom';

async function finishGrow(page: PageBlobClient, target: string, metadata: Record<string, string>, fromSize: number, newSizeBytes: number): Promise<boolean> {
  const length = (await page.getProperties()).contentLength ?? 0;
  if (length !== newSizeBytes + VHD_FOOTER_SIZE) await page.resize(newSizeBytes + VHD_FOOTER_SIZE);
  const tail = await page.downloadToBuffer(newSizeBytes, VHD_FOOTER_SIZE);
  if (!isFooterOfSize(tail, newSizeBytes)) {
    const old = await page.downloadToBuffer(fromSize, VHD_FOOTER_SIZE);
    if (!isFooterOfSize(old, fromSize)) {
      throw new VhdFormatError(`${target} stopped growing from ${fromSize} bytes, but neither its old nor its new footer is there`);
    }
    await page.uploadPages(grownVhdFooter(old, newSizeBytes), newSizeBytes, VHD_FOOTER_SIZE);
  }
  // The old footer now lies inside the disk; leave the guest zeros there, as a new disk has.
  await page.clearPages(fromSize, VHD_FOOTER_SIZE);
  const { [GROWING_FROM_METADATA]: _done, ...kept } = metadata;
  await page.setMetadata(kept);
  return true;
}

function isFooterOfSize(bytes: Uint8Array, size: number): boolean {
  try {
    return parseVhdFooter(bytes).currentSize === size;
  } catch {
    return false;
  }
}

async function readFooter(blob: BlobClient, target: string) {
  const props = await blob.getProperties();
  const length = props.contentLength ?? 0;
  if (length < VHD_FOOTER_SIZE) throw new VhdFormatError(`${target} is ${length} bytes, too short to be a VHD`);
  const bytes = await blob.downloadToBuffer(length - VHD_FOOTER_SIZE, VHD_FOOTER_SIZE);
  const footer = parseVhdFooter(bytes);
  if (length !== footer.currentSize + VHD_FOOTER_SIZE) {
    throw new VhdFormatError(`${target} is ${length} bytes, but a fixed VHD of ${footer.currentSize} bytes must be exactly 512 bytes longer`);
  }
  return { footer, bytes, blobType: blobTypeOf(props.blobType) };
}

function blobTypeOf(type: string | undefined): 'page' | 'block' | 'append' {
  if (type === 'PageBlob') return 'page';
  if (type === 'AppendBlob') return 'append';
  return 'block';
}

/**
 * Metadata names are C# identifiers, and a Find Blobs by Tags expression names a tag by letters,
 * digits and underscores only: `oslayer-task` marks a blob as `oslayer_task`.
 */
function markName(tagName: string): string {
  return tagName.replace(/[^A-Za-z0-9_]/g, '_');
}

function blobPath({ container, blob }: BlobRef): string {
  return `${container}/${blob}`;
}

/** What each operation was doing, for the sentence an admin reads when Azure Storage refuses it. */
const ACTIONS: Record<keyof BlobDisks, string> = {
  ensureContainer: 'creating container',
  startCopy: 'starting the copy to',
  copyStatus: 'reading the copy status of',
  waitForCopy: 'waiting for the copy to',
  readVhdFooter: 'reading the VHD footer of',
  blobProperties: 'reading the properties of',
  deleteBlob: 'deleting',
  growVhd: 'growing',
  readSasUrl: 'signing a read link to',
  checkReadWrite: 'writing, reading and deleting a test blob in',
  checkDelegationKey: 'getting a user delegation key from',
  uploadJson: 'uploading',
  ensureCorsRule: 'setting a CORS rule on',
  uploadPageBlob: 'uploading',
  copyPagesTo: 'copying the pages of',
  findMarked: 'listing the task\'s blobs in',
};

/** Every SDK RestError leaves the adapter as an AzureError (errors.ts); our own errors pass as they are. */
function withAzureErrors(disks: BlobDisks): BlobDisks {
  const wrapped: Record<string, unknown> = {};
  for (const name of Object.keys(ACTIONS) as Array<keyof BlobDisks>) {
    const operation = disks[name] as (opts: Partial<BlobRef>) => Promise<unknown>;
    wrapped[name] = async (opts: Partial<BlobRef> = {}) => {
      try {
        return await operation(opts);
      } catch (err) {
        if (!(err instanceof RestError)) throw err;
        const target = [opts.container, opts.blob].filter(Boolean).join('/') || 'the blob service';
        throw toAzureError(err, `${ACTIONS[name]} ${target}`);
      }
    };
  }
  return wrapped as unknown as BlobDisks;
}
