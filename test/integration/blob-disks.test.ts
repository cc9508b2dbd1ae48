import { randomBytes } from 'node:crypto';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import {
  createBlobDisks,
  parseCopyStatus,
  pollCopy,
  type BlobRef,
  type CopyStatus,
} from '../../src/azure/blob-disks.js';
import { AZURITE_ACCOUNT, AZURITE_KEY } from '../../src/sandbox/azure/azurite.js';
import { BlobCopyError, NotFoundError } from '../../src/azure/errors.js';
import { buildFixedVhd, MIB, VhdFormatError, VhdSizeError, grownVhdFooter } from '../../src/azure/vhd.js';
import { blobEndpoint } from '../support/stand-ins.js';
import { patched } from '../fixtures/vhd/hand-made.js';

const PORTAL = 'https://portal.azure.com';
const account = { blobEndpoint: blobEndpoint(), accountName: AZURITE_ACCOUNT, auth: { kind: 'account-key' as const, accountKey: AZURITE_KEY } };
const disks = createBlobDisks(account);
/** Reads what the adapter wrote, the way another Azure client would. */
const observer = new BlobServiceClient(account.blobEndpoint, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
const container = `disks-${randomBytes(4).toString('hex')}`;
const inContainer = (blob: string): BlobRef => ({ container, blob });
const inAnHour = () => new Date(Date.now() + 3600_000);

async function readRange(ref: BlobRef, offset: number, count: number): Promise<Buffer> {
  return observer.getContainerClient(ref.container).getBlobClient(ref.blob).downloadToBuffer(offset, count);
}

async function seedVhd(blob: string, sizeBytes: number, fill: number): Promise<BlobRef> {
  const ref = inContainer(blob);
  await disks.uploadPageBlob({ ...ref, data: buildFixedVhd(sizeBytes, fill) });
  return ref;
}

beforeAll(() => disks.ensureContainer({ container }));

describe('blob disks on Azurite', () => {
  it('copies a base VHD server-side and grows the copy to the Max Layer Size', async () => {
    const base = await seedVhd('base.vhd', 4 * MIB, 0x5a);
    const baseFooter = await disks.readVhdFooter(base);
    const packaging = inContainer('packaging.vhd');

    const copyId = await disks.startCopy({
      ...packaging,
      sourceUrl: await disks.readSasUrl({ ...base, expiresOn: inAnHour() }),
      metadata: { task: 'task-1' },
      tags: { 'oslayer-task': 'task-1' },
    });
    const seen: CopyStatus[] = [];
    const done = await disks.waitForCopy({ ...packaging, pollIntervalMs: 10, onProgress: (s) => seen.push(s) });
    expect(copyId).toMatch(/\S/);
    expect(done).toMatchObject({ state: 'success', percent: 100 });
    expect(seen.at(-1)).toEqual(done);
    const copied = observer.getContainerClient(container).getBlobClient('packaging.vhd');
    expect((await copied.getProperties()).metadata).toEqual({ task: 'task-1' });
    expect((await copied.getTags()).tags).toEqual({ oslayer_task: 'task-1' });

    expect(await disks.growVhd({ ...packaging, newSizeBytes: 16 * MIB })).toBe(true);
    const grown = await disks.readVhdFooter(packaging);
    expect(grown).toMatchObject({ currentSize: 16 * MIB, originalSize: 4 * MIB, uniqueId: baseFooter.uniqueId });
    expect(await disks.blobProperties(packaging)).toEqual({ exists: true, sizeBytes: 16 * MIB + 512, type: 'page' });
    expect((await readRange(packaging, 4 * MIB - 512, 512)).every((b) => b === 0x5a)).toBe(true); // the base's data
    expect((await readRange(packaging, 4 * MIB, 512)).every((b) => b === 0)).toBe(true); // where its footer was
    expect(await disks.readVhdFooter(base)).toEqual(baseFooter); // the copy is the base version's disk no more

    expect(await disks.growVhd({ ...packaging, newSizeBytes: 16 * MIB })).toBe(false);
    expect(await disks.readVhdFooter(packaging)).toEqual(grown);
  });

  it('finishes a grow that stopped half way, whether the new footer was written yet or not', async () => {
    for (const [name, footerWritten] of [['stopped-after-resize.vhd', false], ['stopped-after-footer.vhd', true]] as const) {
      const disk = await seedVhd(name, 4 * MIB, 0x5a);
      const before = await disks.readVhdFooter(disk);
      // What a grow that was interrupted leaves: the size it started from recorded, the blob resized…
      const page = observer.getContainerClient(container).getPageBlobClient(name);
      await page.setMetadata({ oslayergrowingfrom: String(4 * MIB) });
      await page.resize(16 * MIB + 512);
      // …and perhaps the new footer written, with the old one still inside the disk.
      if (footerWritten) await page.uploadPages(Buffer.from(grownVhdFooter(await readRange(disk, 4 * MIB, 512), 16 * MIB)), 16 * MIB, 512);
      if (!footerWritten) await expect(disks.readVhdFooter(disk)).rejects.toThrow(VhdFormatError);

      expect(await disks.growVhd({ ...disk, newSizeBytes: 16 * MIB })).toBe(true);
      expect(await disks.readVhdFooter(disk)).toMatchObject({ currentSize: 16 * MIB, uniqueId: before.uniqueId });
      expect((await readRange(disk, 4 * MIB, 512)).every((b) => b === 0)).toBe(true);
      expect((await page.getProperties()).metadata).not.toHaveProperty('oslayergrowingfrom');
      expect(await disks.growVhd({ ...disk, newSizeBytes: 16 * MIB })).toBe(false);
    }
  });

  it('refuses to shrink a disk, and leaves it as it was', async () => {
    const disk = await seedVhd('shrink.vhd', 4 * MIB, 0);
    const before = await disks.readVhdFooter(disk);
    await expect(disks.growVhd({ ...disk, newSizeBytes: 2 * MIB })).rejects.toThrow(
      new VhdSizeError('the disk is 4 MiB and cannot shrink to 2 MiB'),
    );
    expect(await disks.readVhdFooter(disk)).toEqual(before);
    expect(await disks.blobProperties(disk)).toMatchObject({ sizeBytes: 4 * MIB + 512 });
  });

  it('refuses a dynamic VHD and a VHD kept in a block blob', async () => {
    const dynamic = buildFixedVhd(MIB);
    dynamic.set(patched(dynamic.subarray(MIB), 60, '00000003'), MIB); // disk type 3 = dynamic
    const ref = inContainer('dynamic.vhd');
    await disks.uploadPageBlob({ ...ref, data: dynamic });
    await expect(disks.readVhdFooter(ref)).rejects.toThrow('dynamic VHDs are not supported; Azure needs a fixed VHD');
    await expect(disks.growVhd({ ...ref, newSizeBytes: 4 * MIB })).rejects.toThrow(VhdFormatError);

    const block = inContainer('block.vhd');
    await observer.getContainerClient(container).getBlockBlobClient(block.blob).uploadData(Buffer.from(buildFixedVhd(MIB)));
    await expect(disks.growVhd({ ...block, newSizeBytes: 4 * MIB })).rejects.toThrow(
      `${container}/block.vhd is a block blob; Azure disks need a page blob`,
    );
  });

  it('lets the portal read a template through its SAS once the CORS rule is in place, keeping other rules', async () => {
    const template = inContainer('template.json');
    await disks.uploadJson({ ...template, json: { $schema: 'deploymentTemplate', resources: [] }, tags: { 'oslayer-task': 'task-2' } });
    const sasUrl = await disks.readSasUrl({ ...template, expiresOn: inAnHour() });

    // Azurite is shared by every test file, so only an origin unique to this run shows a change.
    const otherOrigin = `https://tenant-${randomBytes(3).toString('hex')}.example`;
    await disks.ensureCorsRule({ origin: PORTAL });
    expect(await disks.ensureCorsRule({ origin: otherOrigin })).toBe(true);
    expect(await disks.ensureCorsRule({ origin: otherOrigin })).toBe(false);
    expect(await disks.ensureCorsRule({ origin: PORTAL })).toBe(false);

    for (const origin of [PORTAL, otherOrigin]) {
      const res = await fetch(sasUrl, { headers: { Origin: origin } });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(await res.json()).toEqual({ $schema: 'deploymentTemplate', resources: [] });
    }
    expect((await observer.getContainerClient(container).getBlobClient(template.blob).getTags()).tags).toEqual({ oslayer_task: 'task-2' });
  });

  it('hands out SAS URLs that can read but not write', async () => {
    const disk = await seedVhd('read-only.vhd', MIB, 1);
    const sasUrl = await disks.readSasUrl({ ...disk, expiresOn: inAnHour() });
    expect((await fetch(sasUrl, { method: 'HEAD' })).headers.get('content-length')).toBe(String(MIB + 512));
    const put = await fetch(sasUrl, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: 'overwritten' });
    expect(put.status).toBe(403);
    expect(await disks.blobProperties(disk)).toEqual({ exists: true, sizeBytes: MIB + 512, type: 'page' });
  });

  it('deletes idempotently and reports missing blobs plainly', async () => {
    const disk = await seedVhd('doomed.vhd', MIB, 0);
    expect(await disks.deleteBlob(disk)).toBe(true);
    expect(await disks.deleteBlob(disk)).toBe(false);
    expect(await disks.blobProperties(disk)).toEqual({ exists: false });
    const missing = disks.readVhdFooter(disk);
    await expect(missing).rejects.toBeInstanceOf(NotFoundError);
    await expect(missing).rejects.toMatchObject({ status: 404, message: expect.stringMatching(`^reading the VHD footer of ${container}/doomed.vhd: `) });
  });
});

// The one sanctioned non-stand-in: Azurite finishes every copy at once, so the polling loop
// is driven here by a scripted sequence of statuses like a long copy on Azure reports.
describe("marking blobs with the task's id", () => {
  it('uses blob index tags where the account has them, metadata where it has not, and finds the blobs either way', async () => {
    const source = await seedVhd('marked-source.vhd', MIB, 0x11);
    const sourceUrl = await disks.readSasUrl({ ...source, expiresOn: inAnHour() });
    const tags = { 'oslayer-task': 'task-7' };
    // e.g. a hierarchical-namespace or premium account: no index tags
    const withoutIndexTags = createBlobDisks({ ...account, indexTags: false });

    await disks.startCopy({ ...inContainer('tagged.vhd'), sourceUrl, tags });
    await disks.uploadJson({ ...inContainer('tagged.json'), json: { a: 1 }, tags });
    await withoutIndexTags.startCopy({ ...inContainer('plain.vhd'), sourceUrl, tags });
    await withoutIndexTags.uploadJson({ ...inContainer('plain.json'), json: { a: 1 }, tags });
    await disks.uploadJson({ ...inContainer('other-task.json'), json: {}, tags: { 'oslayer-task': 'task-8' } });

    const read = (blob: string) => observer.getContainerClient(container).getBlobClient(blob);
    expect((await read('tagged.vhd').getTags()).tags).toEqual({ oslayer_task: 'task-7' });
    expect((await read('plain.vhd').getTags()).tags).toEqual({});
    expect((await read('plain.vhd').getProperties()).metadata).toEqual({ oslayer_task: 'task-7' });
    expect((await read('plain.json').getProperties()).metadata).toEqual({ oslayer_task: 'task-7' });

    const query = { container, tagName: 'oslayer-task', value: 'task-7' };
    expect((await disks.findMarked(query)).sort()).toEqual(['tagged.json', 'tagged.vhd']);
    expect((await withoutIndexTags.findMarked(query)).sort()).toEqual(['plain.json', 'plain.vhd']);
    expect(await disks.findMarked({ ...query, container: 'no-such-container' })).toEqual([]);
  });
});

describe('waiting for a copy', () => {
  const status = (state: CopyStatus['state'], copied: number, statusDescription?: string) =>
    parseCopyStatus({ copyStatus: state, copyProgress: `${copied}/1000`, copyStatusDescription: statusDescription }, 'c/disk.vhd');
  const scripted = (statuses: CopyStatus[]) => {
    const queue = [...statuses];
    return async () => queue.shift() ?? status('pending', 0);
  };

  it('reports progress until the copy succeeds', async () => {
    const percents: number[] = [];
    const done = await pollCopy({
      readStatus: scripted([status('pending', 0), status('pending', 123), status('pending', 999), status('success', 1000)]),
      target: 'c/disk.vhd',
      pollIntervalMs: 1,
      onProgress: (s) => percents.push(s.percent),
    });
    expect(percents).toEqual([0, 12, 99, 100]);
    expect(done).toEqual({ state: 'success', copiedBytes: 1000, totalBytes: 1000, percent: 100 });
  });

  it('raises a readable error when the copy fails or is aborted', async () => {
    const failed = pollCopy({
      readStatus: scripted([status('pending', 100), status('failed', 500, '500 InternalError "Copy failed."')]),
      target: 'c/disk.vhd',
      pollIntervalMs: 1,
    });
    await expect(failed).rejects.toThrow(new BlobCopyError('the copy to c/disk.vhd failed after 500 of 1000 bytes: 500 InternalError "Copy failed."'));
    const aborted = pollCopy({ readStatus: scripted([status('aborted', 10)]), target: 'c/disk.vhd', pollIntervalMs: 1 });
    await expect(aborted).rejects.toThrow('the copy to c/disk.vhd was aborted after 10 of 1000 bytes');
  });

  it('stops polling when its signal is aborted', async () => {
    const controller = new AbortController();
    let reads = 0;
    const waiting = pollCopy({
      readStatus: async () => {
        reads += 1;
        controller.abort();
        return status('pending', 0);
      },
      target: 'c/disk.vhd',
      pollIntervalMs: 60_000,
      signal: controller.signal,
    });
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    expect(reads).toBe(1);
  });

  it('reads the copy fields Azure Storage reports', () => {
    expect(parseCopyStatus({ copyStatus: 'pending', copyProgress: '123/456' }, 'c/x')).toEqual({
      state: 'pending',
      copiedBytes: 123,
      totalBytes: 456,
      percent: 26,
    });
    expect(parseCopyStatus({ copyStatus: 'pending' }, 'c/x')).toMatchObject({ copiedBytes: 0, totalBytes: 0, percent: 0 });
    expect(
      parseCopyStatus({ copyStatus: 'failed', copyStatusDescription: '403 CannotVerifyCopySource https://a/b.vhd?sv=1&sig=SECRET' }, 'c/x').statusDescription,
    ).toBe('403 CannotVerifyCopySource https://a/b.vhd?sv=1&sig=REDACTED');
    expect(() => parseCopyStatus({}, 'c/x')).toThrow(new BlobCopyError('c/x has no copy on record'));
  });
});
