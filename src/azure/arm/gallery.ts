/** The connector's Compute Gallery on @azure/arm-compute (GalleryRP at the pinned api-version, ../api-versions.ts). */
import type { GalleryImage, GalleryImageVersion } from '@azure/arm-compute';
import { parseGalleryId } from '../../domain/gallery.js';
import { AzureError, NotFoundError, toAzureError } from '../errors.js';
import type { Gallery, ImageDefinitionState, ImageVersionState } from '../ports.js';
import type { ArmConnection } from './clients.js';

const REPLICATION_STATES = new Set(['Unknown', 'Replicating', 'Completed', 'Failed']);

export function armGallery(arm: ArmConnection): Gallery {
  const { compute } = arm;

  function where(galleryId: string): [group: string, gallery: string] {
    const ref = parseGalleryId(galleryId);
    if (!ref) throw new AzureError(`${galleryId} is not a Compute Gallery resource ID`, { code: 'InvalidGalleryId' });
    // The SDK client is bound to the connector's subscription; a gallery elsewhere would be written to the wrong one.
    if (ref.subscriptionId !== arm.connector.subscriptionId.toLowerCase()) {
      throw new AzureError(`the gallery ${ref.name} is in subscription ${ref.subscriptionId}, not the connector's ${arm.connector.subscriptionId}`, { code: 'GalleryInOtherSubscription' });
    }
    return [ref.resourceGroup, ref.name];
  }

  async function call<T>(action: string, work: () => PromiseLike<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      throw toAzureError(err, action);
    }
  }

  async function readOrNull<T>(action: string, work: () => PromiseLike<T>): Promise<T | null> {
    try {
      return await call(action, work);
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      throw err;
    }
  }

  return {
    async ensureImageDefinition(galleryId, location, spec, tags) {
      const [group, gallery] = where(galleryId);
      const found = await readOrNull(`reading image definition ${spec.name}`, () => compute.galleryImages.get(group, gallery, spec.name));
      if (found) return definitionState(found);
      const body: GalleryImage = {
        location,
        tags,
        description: spec.description,
        osType: spec.osType,
        osState: spec.osState,
        hyperVGeneration: spec.hyperVGeneration,
        identifier: spec.identifier,
        // Stated even for Standard: a definition created without it becomes TrustedLaunchSupported.
        features: [{ name: 'SecurityType', value: spec.securityType }],
      };
      const created = await call(`creating image definition ${spec.name}`, () => compute.galleryImages.createOrUpdate(group, gallery, spec.name, body, arm.poll(undefined)));
      return definitionState(created);
    },

    async getImageVersion(galleryId, imageName, versionName) {
      const [group, gallery] = where(galleryId);
      const version = await readOrNull(`reading image version ${versionName}`, () =>
        compute.galleryImageVersions.get(group, gallery, imageName, versionName, { expand: 'ReplicationStatus' }),
      );
      return version ? versionState(version) : null;
    },

    async beginCreateImageVersion(spec, { signal } = {}) {
      const [group, gallery] = where(spec.galleryId);
      const body: GalleryImageVersion = {
        location: spec.location,
        tags: spec.tags,
        publishingProfile: {
          targetRegions: spec.targetRegions.map((r) => ({ name: r.name, regionalReplicaCount: r.replicaCount, storageAccountType: r.storageAccountType })),
          excludeFromLatest: true,
          endOfLifeDate: spec.endOfLifeDate,
        },
        storageProfile: { osDiskImage: { source: { id: spec.sourceDiskId } } },
        safetyProfile: { allowDeletionOfReplicatedLocations: false },
      };
      const action = `creating image version ${spec.versionName} of ${spec.imageName}`;
      const poller = compute.galleryImageVersions.createOrUpdate(group, gallery, spec.imageName, spec.versionName, body, arm.poll(signal));
      await call(action, () => poller.submitted());
      const done = call(action, async () => {
        await poller;
      });
      // Whoever awaits `done` sees the failure; nobody awaiting it must not crash the process.
      done.catch(() => undefined);
      return { done };
    },

    async setExcludeFromLatest(galleryId, imageName, versionName, exclude, { signal } = {}) {
      const [group, gallery] = where(galleryId);
      // GalleryImageVersionUpdate requires `storageProfile` (GalleryImageVersionProperties); an empty one changes
      // nothing, as in the spec's own example GalleryImageVersion_Update_WithoutSourceId.json.
      const update = { publishingProfile: { excludeFromLatest: exclude }, storageProfile: {} };
      await call(`${exclude ? 'excluding' : 'including'} image version ${versionName} ${exclude ? 'from' : 'in'} latest`, () =>
        compute.galleryImageVersions.update(group, gallery, imageName, versionName, update, arm.poll(signal)),
      );
    },

    async deleteImageVersion(galleryId, imageName, versionName, { signal } = {}) {
      const [group, gallery] = where(galleryId);
      try {
        await call(`deleting image version ${versionName}`, () => compute.galleryImageVersions.delete(group, gallery, imageName, versionName, arm.poll(signal)));
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
    },
  };
}

function definitionState(image: GalleryImage): ImageDefinitionState {
  return {
    id: image.id ?? '',
    hyperVGeneration: image.hyperVGeneration === 'V2' ? 'V2' : 'V1',
    securityType: image.features?.find((f) => f.name?.toLowerCase() === 'securitytype')?.value,
  };
}

function versionState(version: GalleryImageVersion): ImageVersionState {
  return {
    id: version.id ?? '',
    provisioningState: version.provisioningState ?? 'Unknown',
    excludeFromLatest: version.publishingProfile?.excludeFromLatest ?? false,
    regions: (version.replicationStatus?.summary ?? []).map((s) => ({
      region: s.region ?? '',
      state: REPLICATION_STATES.has(s.state ?? '') ? (s.state as ImageVersionState['regions'][number]['state']) : 'Unknown',
      progress: s.progress ?? 0,
      ...(s.details ? { details: s.details } : {}),
    })),
    tags: version.tags ?? {},
  };
}
