/**
 * Azure Compute Gallery (GalleryRP 2025-03-03): the sandbox's gallery, the image definitions the
 * bot creates in it and the image versions Finalize publishes. Bodies are checked against the
 * spec before they get here (validation/gallery.ts); what Compute refuses past that, in its words:
 * - an image version name that is not Major.Minor.Patch of 32-bit integers: 400 InvalidParameter,
 *   target galleryImageVersionName (Azure/az-hop#707, Azure/azure-rest-api-specs#10707);
 * - an endOfLifeDate that is not in the future: "EndOfLifeDate must be set to a future date."
 *   (MicrosoftDocs/azure-docs#86025);
 * - a source whose Hyper-V generation differs from the definition's: the operation fails with
 *   Conflict "The resource with id '…' has a different Hypervisor generation ['V2'] than the
 *   parent gallery image Hypervisor generation ['V1']." (MicrosoftDocs/azure-docs#118774,
 *   confidential-containers/cloud-api-adaptor#928);
 * - a source whose security type the definition does not take (a TrustedLaunch disk into a
 *   Standard definition): 400 InvalidParameter "The security type '…' is not supported for the
 *   source id '…'." (the sentence Compute answers for a security type and source that do not go
 *   together, hashicorp/packer-plugin-azure#304);
 * - a PUT over an existing version from another source: 409 PropertyChangeNotAllowed "Changing
 *   property '…' is not allowed." (Compute's answer to changing what a resource was created from);
 * - a definition created without a SecurityType feature becomes TrustedLaunchSupported (the
 *   default of api-versions from 2024-03-03, see src/azure/api-versions.ts).
 * Creating a version is a long-running operation; its target regions replicate one after another
 * and GET with `$expand=ReplicationStatus` shows each region's state and progress.
 */
import type { SimulatorContext } from './context.js';
import { ArmError, jsonBody, type Router, type SimRequest, type SimResponse } from './http.js';
import {
  normalizeLocation,
  notFound,
  regionalReplication,
  resourceId,
  type GalleryImageDefinition,
  type GalleryImageVersionRecord,
  type PlainResource,
} from './resources.js';

export const GALLERY_TYPE = 'Microsoft.Compute/galleries';
const IMAGE_TYPE = 'Microsoft.Compute/galleries/images';
const VERSION_TYPE = 'Microsoft.Compute/galleries/images/versions';
/** The name the sandbox's gallery has. */
export const SANDBOX_GALLERY = 'oslayer_gallery';

const VERSION_NAME = /^\d+\.\d+\.\d+$/;
const VERSION_PART_MAX = 2_147_483_647;

interface Body {
  location?: string;
  tags?: Record<string, string>;
  properties?: Record<string, unknown>;
}

export function seedGallery(context: SimulatorContext): PlainResource {
  const { subscriptionId, resourceGroup, location } = context.config;
  const id = resourceId(subscriptionId, resourceGroup, GALLERY_TYPE, SANDBOX_GALLERY);
  return (
    context.store.plain.get(id) ??
    context.store.plain.put({
      id,
      type: GALLERY_TYPE,
      name: SANDBOX_GALLERY,
      location,
      tags: {},
      properties: { description: 'The sandbox gallery oslayer publishes to.', identifier: { uniqueName: `${subscriptionId}-${SANDBOX_GALLERY.toUpperCase()}` }, provisioningState: 'Succeeded' },
    })
  );
}

export function registerGalleryRoutes(router: Router, context: SimulatorContext): void {
  const gallery = '/subscriptions/:sub/resourceGroups/:rg/providers/Microsoft.Compute/galleries/:gallery';
  router.add('GET', gallery, (req) => ({ status: 200, body: renderPlain(findGallery(context, req)) }));
  router.add('GET', `${gallery}/images/:image`, (req) => ({ status: 200, body: renderImage(findImage(context, req)) }));
  router.add('PUT', `${gallery}/images/:image`, (req) => putImage(context, req));
  router.add('GET', `${gallery}/images/:image/versions`, (req) => {
    const image = findImage(context, req);
    const prefix = `${image.id.toLowerCase()}/versions/`;
    const value = context.store.galleryImageVersions.values().filter((v) => v.id.toLowerCase().startsWith(prefix));
    return { status: 200, body: { value: value.map((v) => renderVersion(v, false)) } };
  });
  router.add('GET', `${gallery}/images/:image/versions/:version`, (req) => {
    const expand = req.query.get('$expand');
    return { status: 200, body: renderVersion(findVersion(context, req), expand?.toLowerCase() === 'replicationstatus') };
  });
  router.add('PUT', `${gallery}/images/:image/versions/:version`, (req) => putVersion(context, req));
  router.add('PATCH', `${gallery}/images/:image/versions/:version`, (req) => patchVersion(context, req));
  router.add('DELETE', `${gallery}/images/:image/versions/:version`, (req) => deleteVersion(context, req));
}

function findGallery(context: SimulatorContext, req: SimRequest): PlainResource {
  const group = context.store.requireResourceGroup(req.params.sub!, req.params.rg!);
  const found = context.store.plain.get(resourceId(context.store.subscriptionId, group.name, GALLERY_TYPE, req.params.gallery!));
  if (!found) throw notFound(GALLERY_TYPE, req.params.gallery!, req.params.rg!);
  return found;
}

function imageId(context: SimulatorContext, req: SimRequest): string {
  return `${findGallery(context, req).id}/images/${req.params.image!}`;
}

function findImage(context: SimulatorContext, req: SimRequest): GalleryImageDefinition {
  const image = context.store.galleryImages.get(imageId(context, req));
  if (!image) throw notFound(IMAGE_TYPE, `${req.params.gallery}/${req.params.image}`, req.params.rg!);
  return image;
}

function findVersion(context: SimulatorContext, req: SimRequest): GalleryImageVersionRecord {
  const version = context.store.galleryImageVersions.get(`${imageId(context, req)}/versions/${req.params.version!}`);
  if (!version) throw notFound(VERSION_TYPE, `${req.params.gallery}/${req.params.image}/${req.params.version}`, req.params.rg!);
  return version;
}

function putImage(context: SimulatorContext, req: SimRequest): SimResponse {
  findGallery(context, req);
  const body = jsonBody(req) as Body;
  const id = imageId(context, req);
  const existing = context.store.galleryImages.get(id);
  const properties = { ...(body.properties ?? {}) } as GalleryImageDefinition['properties'];
  const features = (properties.features ?? []) as Array<{ name: string; value: string }>;
  // A definition created at 2024-03-03 or later without a SecurityType feature defaults to TrustedLaunchSupported.
  if (!features.some((f) => f.name.toLowerCase() === 'securitytype')) features.push({ name: 'SecurityType', value: 'TrustedLaunchSupported' });
  const image = context.store.galleryImages.put({
    id,
    type: IMAGE_TYPE,
    name: req.params.image!,
    location: normalizeLocation(body.location ?? context.config.location),
    tags: body.tags ?? {},
    provisioningState: existing?.provisioningState ?? 'Creating',
    properties: { ...properties, hyperVGeneration: (properties.hyperVGeneration as string | undefined) ?? 'V1', features },
  });
  return context.operations.begin(
    req,
    () => {
      image.provisioningState = 'Succeeded';
    },
    { status: existing ? 200 : 201, body: renderImage(image) },
  );
}

function putVersion(context: SimulatorContext, req: SimRequest): SimResponse {
  const image = findImage(context, req);
  const name = req.params.version!;
  if (!VERSION_NAME.test(name) || name.split('.').some((part) => Number(part) > VERSION_PART_MAX)) {
    throw new ArmError(
      400,
      'InvalidParameter',
      'The image version name is invalid. The image version name should follow Major(int).Minor(int).Patch(int) format, where int is between 0 and 2,147,483,647 (inclusive). For e.g: 1.0.0, 2018.12.1 etc',
      {},
      { target: 'galleryImageVersionName' },
    );
  }
  const body = jsonBody(req) as Body;
  const properties = body.properties ?? {};
  const publishing = (properties.publishingProfile ?? {}) as Record<string, unknown>;
  const storage = (properties.storageProfile ?? {}) as { osDiskImage?: { source?: { id?: string } }; source?: { id?: string } };
  const sourceId = storage.osDiskImage?.source?.id ?? storage.source?.id;
  const id = `${image.id}/versions/${name}`;
  const existing = context.store.galleryImageVersions.get(id);
  if (existing) {
    const before = (existing.storageProfile as typeof storage).osDiskImage?.source?.id ?? (existing.storageProfile as typeof storage).source?.id;
    if (before?.toLowerCase() !== sourceId?.toLowerCase()) {
      throw new ArmError(409, 'PropertyChangeNotAllowed', "Changing property 'galleryImageVersion.properties.storageProfile.osDiskImage.source.id' is not allowed.", {}, {
        target: 'galleryImageVersion.properties.storageProfile.osDiskImage.source.id',
      });
    }
  }
  const endOfLife = typeof publishing.endOfLifeDate === 'string' ? Date.parse(publishing.endOfLifeDate) : undefined;
  if (endOfLife !== undefined && !(endOfLife > Date.now())) throw new ArmError(400, 'InvalidParameter', 'EndOfLifeDate must be set to a future date.');
  if (!sourceId) throw new ArmError(400, 'InvalidParameter', "Required parameter 'source' is missing (null).", {}, { target: 'source' });
  const disk = context.store.disks.get(sourceId);
  if (!disk) throw new ArmError(404, 'NotFound', `The source resource '${sourceId}' was not found.`);
  const securityType = image.properties.features.find((f) => f.name.toLowerCase() === 'securitytype')?.value ?? 'Standard';
  // A Standard definition takes only Standard sources; the TrustedLaunch* ones take both.
  if (securityType === 'Standard' && disk.securityType && disk.securityType !== 'Standard') {
    throw new ArmError(400, 'InvalidParameter', `The security type '${securityType}' is not supported for the source id '${disk.id}'.`);
  }
  const targetRegions = ((publishing.targetRegions as GalleryImageVersionRecord['publishingProfile']['targetRegions'] | undefined) ?? [
    { name: image.location, regionalReplicaCount: 1, storageAccountType: 'Standard_LRS' },
  ]).map((t) => ({ ...t, name: normalizeLocation(t.name) }));
  const version = context.store.galleryImageVersions.put({
    id,
    type: VERSION_TYPE,
    name,
    location: normalizeLocation(body.location ?? image.location),
    tags: body.tags ?? {},
    provisioningState: existing ? 'Updating' : 'Creating',
    publishingProfile: { ...publishing, targetRegions, excludeFromLatest: publishing.excludeFromLatest === true, publishedDate: new Date().toISOString() },
    storageProfile: { ...storage, osDiskImage: { ...storage.osDiskImage, sizeInGB: Math.ceil(disk.diskSizeBytes / 1024 ** 3), hostCaching: 'ReadWrite' } },
    safetyProfile: { allowDeletionOfReplicatedLocations: true, ...(properties.safetyProfile as object | undefined), reportedForPolicyViolation: false },
    replicationStartedAt: Date.now(),
    replicationMsPerRegion: context.config.replicationMsPerRegion,
  });
  const generationMismatch = (disk.hyperVGeneration ?? 'V1') !== image.properties.hyperVGeneration;
  return context.operations.begin(
    req,
    () => {
      if (generationMismatch) {
        version.provisioningState = 'Failed';
        throw new ArmError(
          409,
          'Conflict',
          `The resource with id '${disk.id}' has a different Hypervisor generation ['${disk.hyperVGeneration ?? 'V1'}'] than the parent gallery image Hypervisor generation ['${image.properties.hyperVGeneration}'].`,
        );
      }
      version.provisioningState = 'Succeeded';
      return renderVersion(version, false);
    },
    { status: existing ? 200 : 201, body: renderVersion(version, false), durationMs: generationMismatch ? 0 : targetRegions.length * version.replicationMsPerRegion },
  );
}

function patchVersion(context: SimulatorContext, req: SimRequest): SimResponse {
  const version = findVersion(context, req);
  if (version.provisioningState !== 'Succeeded') {
    throw new ArmError(409, 'Conflict', 'The request failed due to conflict with a concurrent request.');
  }
  const body = jsonBody(req) as Body;
  const publishing = (body.properties?.publishingProfile ?? {}) as Record<string, unknown>;
  if (body.tags) version.tags = body.tags;
  version.provisioningState = 'Updating';
  return context.operations.begin(
    req,
    () => {
      if (typeof publishing.excludeFromLatest === 'boolean') version.publishingProfile.excludeFromLatest = publishing.excludeFromLatest;
      if (typeof publishing.endOfLifeDate === 'string') version.publishingProfile.endOfLifeDate = publishing.endOfLifeDate;
      version.provisioningState = 'Succeeded';
      return renderVersion(version, false);
    },
    { status: 200, body: renderVersion(version, false) },
  );
}

function deleteVersion(context: SimulatorContext, req: SimRequest): SimResponse {
  let version: GalleryImageVersionRecord;
  try {
    version = findVersion(context, req);
  } catch {
    return { status: 204 };
  }
  version.provisioningState = 'Deleting';
  return context.operations.begin(req, () => {
    context.store.galleryImageVersions.delete(version.id);
  });
}

function renderPlain(resource: PlainResource): Record<string, unknown> {
  const { id, name, type, location, tags, properties } = resource;
  return { id, name, type, location, tags, properties };
}

function renderImage(image: GalleryImageDefinition): Record<string, unknown> {
  const { id, name, type, location, tags } = image;
  return { id, name, type, location, tags, properties: { ...image.properties, provisioningState: image.provisioningState } };
}

function renderVersion(version: GalleryImageVersionRecord, withReplication: boolean): Record<string, unknown> {
  const { id, name, type, location, tags } = version;
  const properties: Record<string, unknown> = {
    publishingProfile: version.publishingProfile,
    storageProfile: version.storageProfile,
    safetyProfile: version.safetyProfile,
    provisioningState: version.provisioningState,
  };
  if (withReplication) {
    const summary = regionalReplication(version, Date.now());
    const aggregatedState = summary.some((s) => s.state === 'Failed') ? 'Failed' : summary.every((s) => s.state === 'Completed') ? 'Completed' : 'InProgress';
    properties.replicationStatus = { aggregatedState, summary };
  }
  return { id, name, type, location, tags, properties };
}
