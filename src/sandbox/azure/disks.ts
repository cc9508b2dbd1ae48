import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { SimulatorContext } from './context.js';
import { ArmError, parseBody, type Router, type SimRequest, type SimResponse } from './http.js';
import { normalizeLocation, notFound, resourceId, type DiskState, type ManagedDisk } from './resources.js';

const DISK_TYPE = 'Microsoft.Compute/disks';
const GIB = 1024 ** 3;
const MIB = 1024 ** 2;
const VHD_FOOTER_BYTES = 512;
/**
 * What an Upload's uploadSizeBytes may be: 20 MiB to 32 TiB, each plus the 512-byte VHD footer
 * (the spec's uploadSizeBytes description, DiskRP 2024-03-02 diskRPCommon.json).
 */
const MIN_UPLOAD_BYTES = 20 * MIB + VHD_FOOTER_BYTES;
const MAX_UPLOAD_BYTES = 32 * 1024 ** 4 + VHD_FOOTER_BYTES;

const tagsSchema = z.record(z.string(), z.string());

const diskBody = z.object({
  location: z.string().min(1),
  tags: tagsSchema.optional(),
  sku: z.object({ name: z.string() }).optional(),
  properties: z.object({
    osType: z.enum(['Windows', 'Linux']).optional(),
    hyperVGeneration: z.enum(['V1', 'V2']).optional(),
    securityProfile: z.object({ securityType: z.string().optional() }).optional(),
    creationData: z.object({
      createOption: z.string(),
      sourceUri: z.string().optional(),
      storageAccountId: z.string().optional(),
      uploadSizeBytes: z.number().int().optional(),
    }),
  }),
});

const grantAccessBody = z.object({
  access: z.enum(['Read', 'Write']),
  durationInSeconds: z.number().int().min(1),
  fileFormat: z.enum(['VHD', 'VHDX']).optional(),
});

/**
 * Managed disks made by importing a VHD or by upload (the packaging machine's: created empty with
 * createOption Upload, written through a grantAccess Write SAS, closed by revokeAccess), read back
 * through grantAccess for Finalize, and deleted once exported.
 *
 * The upload states and their rules are Compute's ("Upload a VHD to Azure or copy a managed disk
 * to another region - Azure CLI", learn.microsoft.com/azure/virtual-machines/linux/disks-upload-vhd-to-managed-disk-cli):
 * a disk created for upload is ReadyToUpload; grantAccess with access Write makes it ActiveUpload
 * and returns the SAS to write its pages; revokeAccess ends the upload and the disk is Unattached,
 * attachable like any other. What test/fixtures/arm/SOURCES.md lists under "The packaging disk" gives
 * the refusals' codes and, where Microsoft's answer is public, their words.
 */
export function registerDiskRoutes(router: Router, context: SimulatorContext): void {
  const disks = '/subscriptions/:sub/resourceGroups/:rg/providers/Microsoft.Compute/disks';
  router.add('GET', disks, (req) => {
    const group = context.store.requireResourceGroup(req.params.sub!, req.params.rg!);
    return { status: 200, body: { value: context.store.disks.inResourceGroup(group.id).map((disk) => renderDisk(context, disk)) } };
  });
  router.add('GET', `${disks}/:name`, (req) => ({ status: 200, body: renderDisk(context, findDisk(context, req)) }));
  router.add('PUT', `${disks}/:name`, (req) => putDisk(context, req));
  router.add('DELETE', `${disks}/:name`, (req) => deleteDisk(context, req));
  router.add('POST', `${disks}/:name/beginGetAccess`, (req) => grantAccess(context, req));
  router.add('POST', `${disks}/:name/endGetAccess`, (req) => revokeAccess(context, req));
}

function diskId(context: SimulatorContext, req: SimRequest): string {
  const group = context.store.requireResourceGroup(req.params.sub!, req.params.rg!);
  return resourceId(context.store.subscriptionId, group.name, DISK_TYPE, req.params.name!);
}

function findDisk(context: SimulatorContext, req: SimRequest): ManagedDisk {
  const disk = context.store.disks.get(diskId(context, req));
  if (!disk) throw notFound(DISK_TYPE, req.params.name!, req.params.rg!);
  return disk;
}

/**
 * A request on a disk another operation is deleting: Compute's 409 for a concurrent request
 * (test/fixtures/arm/SOURCES.md), whether it deletes, re-imports, exports or attaches the disk.
 */
export function refuseWhileDeleting(disk: ManagedDisk): void {
  if (disk.provisioningState === 'Deleting') throw new ArmError(409, 'Conflict', 'The request failed due to conflict with a concurrent request.');
}

async function putDisk(context: SimulatorContext, req: SimRequest): Promise<SimResponse> {
  const id = diskId(context, req);
  const body = parseBody(diskBody, req);
  const existing = context.store.disks.get(id);
  if (existing) {
    refuseWhileDeleting(existing);
    // Re-deploying the same template re-PUTs the disk: only its tags can change.
    existing.tags = body.tags ?? {};
    return context.operations.begin(req, () => undefined, { status: 200, body: renderDisk(context, existing) });
  }
  const { createOption, sourceUri, storageAccountId } = body.properties.creationData;
  if (createOption.toLowerCase() === 'upload') return createForUpload(context, req, id, body);
  if (createOption.toLowerCase() !== 'import') {
    throw new ArmError(400, 'InvalidParameter', `createOption '${createOption}' is not supported by the simulator; use Import or Upload.`);
  }
  if (!sourceUri) throw new ArmError(400, 'InvalidParameter', "Required parameter 'sourceUri' is missing (null).");
  const accountId = resourceId(context.store.subscriptionId, context.config.resourceGroup, 'Microsoft.Storage/storageAccounts', context.config.storageAccount);
  if (!storageAccountId) throw new ArmError(400, 'InvalidParameter', "Required parameter 'storageAccountId' is missing (null).");
  if (storageAccountId.toLowerCase() !== accountId.toLowerCase()) {
    throw new ArmError(400, 'InvalidParameter', `Storage account '${storageAccountId}' was not found; the simulator has '${accountId}'.`);
  }
  const source = await context.blobs.inspectSource(sourceUri);
  const disk = putNewDisk(context, req, id, body, { diskSizeBytes: source.virtualSizeBytes, creationData: { createOption: 'Import', sourceUri, storageAccountId } });
  return context.operations.begin(
    req,
    async () => {
      try {
        await context.blobs.importCopy(source, disk.blobName);
      } catch (error) {
        context.store.disks.delete(disk.id);
        throw new ArmError(409, 'ImportFailed', `Copying '${sourceUri}' failed: ${String(error)}`);
      }
      disk.provisioningState = 'Succeeded';
    },
    // Disk_Create_ByImportingBlob*: 202 with the disk while the import runs (200 when it already exists).
    { status: 202, body: renderDisk(context, disk) },
  );
}

/**
 * createOption Upload: an empty disk of uploadSizeBytes less the VHD footer, ReadyToUpload.
 * Compute's refusal of a size that is not whole MiB plus the footer is quoted in
 * MicrosoftDocs/azure-docs#58853 and microsoft/AzureStorageExplorer#3029 (400 BadRequest).
 */
function createForUpload(context: SimulatorContext, req: SimRequest, id: string, body: z.infer<typeof diskBody>): SimResponse {
  const { uploadSizeBytes } = body.properties.creationData;
  if (uploadSizeBytes === undefined) throw new ArmError(400, 'InvalidParameter', "Required parameter 'uploadSizeBytes' is missing (null).");
  const contentBytes = uploadSizeBytes - VHD_FOOTER_BYTES;
  if (contentBytes % MIB !== 0) {
    throw new ArmError(
      400,
      'BadRequest',
      `The upload size in bytes ${uploadSizeBytes} - 512 bytes for the VHD footer (${contentBytes} in this case) must be a multiple of MiB.`,
    );
  }
  // The limits are the spec's; these words are ours, Compute's for this case are not public.
  if (uploadSizeBytes < MIN_UPLOAD_BYTES || uploadSizeBytes > MAX_UPLOAD_BYTES) {
    throw new ArmError(
      400,
      'BadRequest',
      `The upload size in bytes ${uploadSizeBytes} must be between ${MIN_UPLOAD_BYTES} (20 MiB + 512 bytes for the VHD footer) and ${MAX_UPLOAD_BYTES} (32 TiB + 512 bytes for the VHD footer).`,
    );
  }
  const disk = putNewDisk(context, req, id, body, { diskSizeBytes: contentBytes, creationData: { createOption: 'Upload', uploadSizeBytes }, upload: 'ReadyToUpload' });
  return context.operations.begin(
    req,
    async () => {
      await context.blobs.createEmpty(disk.blobName, uploadSizeBytes);
      disk.provisioningState = 'Succeeded';
    },
    { status: 202, body: renderDisk(context, disk) },
  );
}

/** A disk being created (Import or Upload), from the body's common members and what the create option decides. */
function putNewDisk(
  context: SimulatorContext,
  req: SimRequest,
  id: string,
  body: z.infer<typeof diskBody>,
  made: Pick<ManagedDisk, 'diskSizeBytes' | 'creationData'> & Partial<Pick<ManagedDisk, 'upload'>>,
): ManagedDisk {
  const resourceGroup = id.split('/')[4]!;
  return context.store.disks.put({
    id,
    type: DISK_TYPE,
    name: req.params.name!,
    resourceGroup,
    location: normalizeLocation(body.location),
    tags: body.tags ?? {},
    provisioningState: 'Creating',
    osType: body.properties.osType,
    hyperVGeneration: body.properties.hyperVGeneration,
    securityType: body.properties.securityProfile?.securityType,
    sku: { name: body.sku?.name ?? 'Standard_LRS', tier: body.sku?.name?.startsWith('Premium') ? 'Premium' : 'Standard' },
    timeCreated: new Date().toISOString(),
    uniqueId: randomUUID(),
    blobName: `${resourceGroup.toLowerCase()}/${req.params.name!.toLowerCase()}.vhd`,
    ...made,
  });
}

function deleteDisk(context: SimulatorContext, req: SimRequest): SimResponse {
  const disk = context.store.disks.get(diskId(context, req));
  // ARM answers 204 when there is nothing to delete.
  if (!disk) return { status: 204 };
  refuseWhileDeleting(disk);
  if (disk.managedBy) {
    throw new ArmError(409, 'OperationNotAllowed', `Disk ${disk.name} is attached to VM ${disk.managedBy}.`);
  }
  if (disk.accessPolicyId) {
    throw new ArmError(409, 'OperationNotAllowed', `Disk ${disk.name} has an active SAS; revoke access before deleting it.`);
  }
  disk.provisioningState = 'Deleting';
  return context.operations.begin(req, async () => {
    await context.blobs.remove(disk.blobName);
    context.store.disks.delete(disk.id);
  });
}

function grantAccess(context: SimulatorContext, req: SimRequest): SimResponse {
  const disk = findDisk(context, req);
  const body = parseBody(grantAccessBody, req);
  refuseWhileDeleting(disk);
  const machine = disk.managedBy ? context.store.machines.get(disk.managedBy) : undefined;
  // Azure's answer, stopped (not deallocated) machines included: microsoft/AzureStorageExplorer#5994 and #6654.
  if (machine && machine.powerState !== 'deallocated') {
    throw new ArmError(409, 'Conflict', `Access not permitted because disk ${disk.name} is currently attached to running VM ${machine.id}.`);
  }
  refuseAccessOutsideUpload(disk, body.access);
  return context.operations.begin(req, async () => {
    const previous = disk.accessPolicyId;
    const { sasUrl, policyId } = await context.blobs.grantAccess(disk.blobName, body.access, body.durationInSeconds);
    disk.accessPolicyId = policyId;
    if (body.access === 'Write') disk.upload = 'ActiveUpload';
    if (previous) await context.blobs.revoke(previous);
    return { accessSAS: sasUrl };
  });
}

/**
 * A write SAS is only for a disk made for upload and not yet written, and such a disk has nothing
 * to read until its upload ends. Compute's words for these refusals are not public (SOURCES.md,
 * "The packaging disk"); the code is the 409 OperationNotAllowed Compute gives an operation the disk's
 * state does not allow.
 */
function refuseAccessOutsideUpload(disk: ManagedDisk, access: 'Read' | 'Write'): void {
  if (access === 'Write' && disk.upload !== 'ReadyToUpload') {
    const state = disk.upload ?? 'Unattached';
    throw new ArmError(409, 'OperationNotAllowed', `Write access can only be granted to a disk in state ReadyToUpload; disk ${disk.name} is ${state}.`);
  }
  if (access === 'Read' && disk.upload) {
    throw new ArmError(409, 'OperationNotAllowed', `Read access cannot be granted to disk ${disk.name} while it is in state ${disk.upload}.`);
  }
}

function revokeAccess(context: SimulatorContext, req: SimRequest): SimResponse {
  const disk = findDisk(context, req);
  refuseWhileDeleting(disk);
  return context.operations.begin(req, async () => {
    if (disk.accessPolicyId) await context.blobs.revoke(disk.accessPolicyId);
    disk.accessPolicyId = undefined;
    // Revoking the write SAS ends the upload; a disk still ReadyToUpload had nothing to revoke and stays so.
    if (disk.upload === 'ActiveUpload') disk.upload = undefined;
  });
}

function diskState(context: SimulatorContext, disk: ManagedDisk): DiskState {
  if (disk.upload) return disk.upload;
  if (disk.accessPolicyId) return 'ActiveSAS';
  if (!disk.managedBy) return 'Unattached';
  return context.store.machines.get(disk.managedBy)?.powerState === 'deallocated' ? 'Reserved' : 'Attached';
}

function renderDisk(context: SimulatorContext, disk: ManagedDisk): Record<string, unknown> {
  return {
    id: disk.id,
    name: disk.name,
    type: disk.type,
    location: disk.location,
    tags: disk.tags,
    ...(disk.managedBy ? { managedBy: disk.managedBy } : {}),
    sku: disk.sku,
    properties: {
      ...(disk.osType ? { osType: disk.osType } : {}),
      ...(disk.hyperVGeneration ? { hyperVGeneration: disk.hyperVGeneration } : {}),
      ...(disk.securityType ? { securityProfile: { securityType: disk.securityType } } : {}),
      creationData: disk.creationData,
      diskSizeGB: Math.ceil(disk.diskSizeBytes / GIB),
      diskSizeBytes: disk.diskSizeBytes,
      uniqueId: disk.uniqueId,
      encryption: { type: 'EncryptionAtRestWithPlatformKey' },
      networkAccessPolicy: 'AllowAll',
      publicNetworkAccess: 'Enabled',
      timeCreated: disk.timeCreated,
      provisioningState: disk.provisioningState,
      diskState: diskState(context, disk),
    },
  };
}

