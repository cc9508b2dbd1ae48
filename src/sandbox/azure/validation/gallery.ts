/**
 * Microsoft.Compute/galleries request bodies at GalleryRP 2025-03-03 (the version the bot pins,
 * src/azure/api-versions.ts): an image definition (`GalleryImage`), an image version
 * (`GalleryImageVersion`) and its PATCH (`GalleryImageVersionUpdate`). Members are the spec's
 * definitions in specification/compute/resource-manager/Microsoft.Compute/GalleryRP/stable/
 * 2025-03-03/GalleryRP.json; what the bot never sends inside (encryption, UEFI settings, purchase
 * plans, extended locations, data disks) is `opaque`. Enums by their x-ms-enum names (no public
 * source names Compute's .NET types for these). Sources: test/fixtures/arm/SOURCES.md.
 */
import { arrayOf, boolean, integer, object, oneOf, opaque, string, stringMap, trackedResource, type RequestBody } from './shape.js';

const storageAccountType = oneOf('StorageAccountType', 'Standard_LRS', 'Standard_ZRS', 'Premium_LRS', 'PremiumV2_LRS');

const galleryImageFeature = object('GalleryImageFeature', { name: string, value: string, startsAtVersion: string });

const galleryImageIdentifier = object('GalleryImageIdentifier', { publisher: string, offer: string, sku: string }, ['publisher', 'offer', 'sku'], 'identifier');

const galleryImageProperties = object(
  'GalleryImageProperties',
  {
    description: string,
    eula: string,
    privacyStatementUri: string,
    releaseNoteUri: string,
    osType: oneOf('OperatingSystemTypes', 'Windows', 'Linux'),
    osState: oneOf('OperatingSystemStateTypes', 'Generalized', 'Specialized'),
    hyperVGeneration: oneOf('HyperVGeneration', 'V1', 'V2'),
    endOfLifeDate: string,
    identifier: galleryImageIdentifier,
    recommended: opaque,
    disallowed: opaque,
    purchasePlan: opaque,
    provisioningState: string,
    features: arrayOf(galleryImageFeature),
    architecture: oneOf('Architecture', 'x64', 'Arm64'),
    allowUpdateImage: boolean,
  },
  ['osType', 'osState', 'identifier'],
);

export const galleryImage20250303: RequestBody = {
  parameter: 'galleryImage',
  shape: object('GalleryImage', { ...trackedResource, properties: galleryImageProperties }, ['location']),
};

const targetRegion = object(
  'TargetRegion',
  {
    name: string,
    regionalReplicaCount: integer,
    storageAccountType,
    encryption: opaque,
    excludeFromLatest: boolean,
    additionalReplicaSets: arrayOf(opaque),
  },
  ['name'],
);

const publishingProfile = object('GalleryImageVersionPublishingProfile', {
  targetRegions: arrayOf(targetRegion),
  replicaCount: integer,
  excludeFromLatest: boolean,
  publishedDate: string,
  endOfLifeDate: string,
  storageAccountType,
  replicationMode: oneOf('ReplicationMode', 'Full', 'Shallow'),
  targetExtendedLocations: arrayOf(opaque),
  storageAccountStrategy: oneOf('StorageAccountStrategy', 'PreferStandard_ZRS', 'DefaultStandard_LRS'),
});

const diskImageSource = object('GalleryDiskImageSource', { id: string, uri: string, storageAccountId: string });

const storageProfile = object('GalleryImageVersionStorageProfile', {
  source: object('GalleryArtifactVersionFullSource', { id: string, communityGalleryImageId: string, virtualMachineId: string }),
  osDiskImage: object('GalleryOSDiskImage', { sizeInGB: integer, hostCaching: oneOf('HostCaching', 'None', 'ReadOnly', 'ReadWrite'), source: diskImageSource }),
  dataDiskImages: arrayOf(opaque),
});

const safetyProfile = object('GalleryImageVersionSafetyProfile', {
  allowDeletionOfReplicatedLocations: boolean,
  reportedForPolicyViolation: boolean,
  policyViolations: arrayOf(opaque),
  blockDeletionBeforeEndOfLife: boolean,
});

function versionProperties(required: readonly string[]) {
  return object(
    'GalleryImageVersionProperties',
    {
      publishingProfile,
      provisioningState: string,
      storageProfile,
      safetyProfile,
      replicationStatus: opaque,
      securityProfile: opaque,
      restore: boolean,
      validationsProfile: opaque,
    },
    required,
  );
}

export const galleryImageVersion20250303: RequestBody = {
  parameter: 'galleryImageVersion',
  shape: object('GalleryImageVersion', { ...trackedResource, properties: versionProperties(['storageProfile']) }, ['location']),
};

/**
 * PATCH: `GalleryImageVersionUpdate` (UpdateResourceDefinition: `tags`), whose properties are the same
 * `GalleryImageVersionProperties`, `storageProfile` required (an empty one in the spec's example
 * GalleryImageVersion_Update_WithoutSourceId.json).
 */
export const galleryImageVersionUpdate20250303: RequestBody = {
  parameter: 'galleryImageVersion',
  shape: object('GalleryImageVersionUpdate', { id: string, name: string, type: string, tags: stringMap, properties: versionProperties(['storageProfile']) }),
};
