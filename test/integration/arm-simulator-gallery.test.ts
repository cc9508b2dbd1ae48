/**
 * The simulated Azure Compute Gallery (src/sandbox/azure/galleries.ts) at GalleryRP 2025-03-03,
 * through the bot's own gallery adapter where the bot is what sends the request, and through the
 * SDK where a test must send what the bot never would. Compute's refusals, in its words.
 */
import { ComputeManagementClient, type GalleryImageVersion } from '@azure/arm-compute';
import { ClientSecretCredential } from '@azure/identity';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { randomBytes, randomUUID } from 'node:crypto';
import { armPorts } from '../../src/azure/arm/index.js';
import { PermissionError } from '../../src/azure/errors.js';
import type { Gallery } from '../../src/azure/ports.js';
import { buildFixedVhd, MIB } from '../../src/azure/vhd.js';
import { imageDefinitionFor } from '../../src/domain/gallery.js';
import { AZURITE_KEY } from '../../src/sandbox/azure/azurite.js';
import { simulatorClientOptions, simulatorCredentialOptions } from '../../src/sandbox/azure/client-options.js';
import { SimulatorControl } from '../../src/sandbox/azure/control-client.js';
import { SANDBOX_GALLERY } from '../../src/sandbox/azure/galleries.js';
import { startArmSimulator, type RunningArmSimulator } from '../../src/sandbox/azure/index.js';
import { simulatedConnector } from '../../src/sandbox/simulated-connector.js';
import { blobEndpoint } from '../support/stand-ins.js';

let sim: RunningArmSimulator;
let control: SimulatorControl;
let compute: ComputeManagementClient;
let gallery: Gallery;
let vhdUrl: string;
let credential: ClientSecretCredential;
const poll = { updateIntervalInMs: 50 };

beforeAll(async () => {
  sim = await startArmSimulator({ blobEndpoint: blobEndpoint(), blobAccountKey: AZURITE_KEY, retryAfterSeconds: 0 });
  control = new SimulatorControl(sim);
  await control.settings({ replicationMsPerRegion: 200, operationDelayMs: 20 });
  credential = new ClientSecretCredential(sim.tenantId, sim.clientId, sim.clientSecret, simulatorCredentialOptions(sim));
  compute = new ComputeManagementClient(credential, sim.subscriptionId, simulatorClientOptions(sim));
  const key = randomBytes(32);
  const connector = { ...simulatedConnector(sim, key, { gallery: true }), _id: randomUUID() };
  gallery = armPorts({ connector, clientSecret: sim.clientSecret, pollIntervalMs: 50 }).gallery;
  const account = new BlobServiceClient(blobEndpoint(), new StorageSharedKeyCredential(sim.storageAccount, AZURITE_KEY));
  const vhds = account.getContainerClient(`gallery-${randomBytes(4).toString('hex')}`);
  await vhds.create();
  const blob = vhds.getPageBlobClient('source.vhd');
  const bytes = buildFixedVhd(MIB);
  await blob.create(bytes.length);
  await blob.uploadPages(bytes, 0, bytes.length);
  vhdUrl = blob.url;
});

afterAll(async () => {
  await sim?.stop();
});

const galleryId = () => sim.galleryId;

async function importDisk(name: string, hyperVGeneration: 'V1' | 'V2', securityType?: string): Promise<string> {
  const storageAccountId = `/subscriptions/${sim.subscriptionId}/resourceGroups/${sim.resourceGroup}/providers/Microsoft.Storage/storageAccounts/${sim.storageAccount}`;
  const disk = await compute.disks.createOrUpdate(
    sim.resourceGroup,
    name,
    {
      location: sim.location,
      sku: { name: 'Standard_LRS' },
      osType: 'Windows',
      hyperVGeneration,
      ...(securityType ? { securityProfile: { securityType } } : {}),
      creationData: { createOption: 'Import', sourceUri: vhdUrl, storageAccountId },
    },
    poll,
  );
  return disk.id!;
}

function versionBody(sourceId: string, fields: Partial<GalleryImageVersion> = {}): GalleryImageVersion {
  return {
    location: sim.location,
    publishingProfile: { excludeFromLatest: true, endOfLifeDate: new Date(Date.now() + 86_400_000), targetRegions: [{ name: sim.location, regionalReplicaCount: 1 }] },
    storageProfile: { osDiskImage: { source: { id: sourceId } } },
    ...fields,
  };
}

const HERE = () => ({ name: sim.location, replicaCount: 1, storageAccountType: 'Standard_LRS' });

/** The bot's own request for an image version of `imageName` from `disk`, as Finalize sends it. */
function publish(imageName: string, versionName: string, disk: string, targetRegions = [HERE()], tags: Record<string, string> = {}) {
  return gallery.beginCreateImageVersion({
    galleryId: galleryId(),
    imageName,
    versionName,
    location: sim.location,
    sourceDiskId: disk,
    targetRegions,
    endOfLifeDate: new Date(Date.now() + 180 * 86_400_000),
    tags,
  });
}

const gen1Layer = { name: 'Windows 10 Gen1', vmGeneration: 'V1' as const, osType: 'Windows' as const };
const gen2Layer = { name: 'Windows 11 Gen2', vmGeneration: 'V2' as const, osType: 'Windows' as const };

describe('simulated Compute Gallery', () => {
  it('gives a Generation 1 layer a definition with SecurityType Standard, stated explicitly by the bot', async () => {
    await gallery.ensureImageDefinition(galleryId(), sim.location, imageDefinitionFor(gen1Layer), {});
    const image = await compute.galleryImages.get(sim.resourceGroup, SANDBOX_GALLERY, imageDefinitionFor(gen1Layer).name);
    expect(image).toMatchObject({ osType: 'Windows', osState: 'Specialized', hyperVGeneration: 'V1', identifier: { publisher: 'oslayer', sku: 'gen1' } });
    expect(image.features).toEqual([{ name: 'SecurityType', value: 'Standard' }]);
  });

  it('makes a definition created without SecurityType TrustedLaunchSupported, as api-versions from 2024-03-03 do', async () => {
    const image = await compute.galleryImages.createOrUpdate(
      sim.resourceGroup,
      SANDBOX_GALLERY,
      'no-security-type',
      { location: sim.location, osType: 'Windows', osState: 'Specialized', hyperVGeneration: 'V2', identifier: { publisher: 'p', offer: 'o', sku: 's' } },
      poll,
    );
    expect(image.features).toEqual([{ name: 'SecurityType', value: 'TrustedLaunchSupported' }]);
  });

  it('replicates region after region, shows it in ReplicationStatus, and keeps the version out of latest', async () => {
    const spec = imageDefinitionFor(gen2Layer);
    await gallery.ensureImageDefinition(galleryId(), sim.location, spec, {});
    const disk = await importDisk('gen2-source', 'V2');
    const { done } = await publish(spec.name, '2026.11.0', disk, [HERE(), { name: 'westeurope', replicaCount: 2, storageAccountType: 'Standard_ZRS' }], { 'oslayer-task': 't1' });
    const during = await gallery.getImageVersion(galleryId(), spec.name, '2026.11.0');
    expect(during?.provisioningState).toBe('Creating');
    expect(during?.regions.map((r) => r.state)).toEqual(['Replicating', 'Replicating']);
    await done;
    const after = await gallery.getImageVersion(galleryId(), spec.name, '2026.11.0');
    expect(after).toMatchObject({ provisioningState: 'Succeeded', excludeFromLatest: true, tags: { 'oslayer-task': 't1' } });
    expect(after?.regions).toEqual([
      { region: sim.location, state: 'Completed', progress: 100 },
      { region: 'westeurope', state: 'Completed', progress: 100 },
    ]);
    const raw = await compute.galleryImageVersions.get(sim.resourceGroup, SANDBOX_GALLERY, spec.name, '2026.11.0');
    expect(raw.safetyProfile?.allowDeletionOfReplicatedLocations).toBe(false);
    expect(raw.replicationStatus).toBeUndefined();
    const listed = (await control.inventory()).find((r) => r.name === '2026.11.0');
    expect(listed).toMatchObject({ type: 'Microsoft.Compute/galleries/images/versions', excludeFromLatest: true, replication: [{ state: 'Completed' }, { state: 'Completed' }] });

    await gallery.setExcludeFromLatest(galleryId(), spec.name, '2026.11.0', false);
    expect((await gallery.getImageVersion(galleryId(), spec.name, '2026.11.0'))?.excludeFromLatest).toBe(false);
  });

  it('fails the operation as Compute does when the source disk is of another Hyper-V generation', async () => {
    const spec = imageDefinitionFor(gen1Layer);
    const disk = await importDisk('gen2-into-gen1', 'V2');
    const { done } = await publish(spec.name, '1.0.0', disk);
    await expect(done).rejects.toMatchObject({
      code: 'Conflict',
      message: expect.stringContaining(`The resource with id '${disk}' has a different Hypervisor generation ['V2'] than the parent gallery image Hypervisor generation ['V1'].`),
    });
  });

  it('refuses a Trusted Launch source for a Standard definition', async () => {
    const disk = await importDisk('trusted-launch-disk', 'V1', 'TrustedLaunch');
    const attempt = compute.galleryImageVersions.createOrUpdate(sim.resourceGroup, SANDBOX_GALLERY, imageDefinitionFor(gen1Layer).name, '1.0.1', versionBody(disk), poll);
    await expect(attempt).rejects.toMatchObject({ statusCode: 400, code: 'InvalidParameter', message: `The security type 'Standard' is not supported for the source id '${disk}'.` });
  });

  it('refuses a version name that is not Major.Minor.Patch, and an end of life in the past', async () => {
    const disk = await importDisk('v1-source', 'V1');
    const image = imageDefinitionFor(gen1Layer).name;
    await expect(compute.galleryImageVersions.createOrUpdate(sim.resourceGroup, SANDBOX_GALLERY, image, '2026-11', versionBody(disk), poll)).rejects.toMatchObject({
      statusCode: 400,
      code: 'InvalidParameter',
      message: expect.stringContaining('The image version name should follow Major(int).Minor(int).Patch(int) format'),
    });
    await expect(compute.galleryImageVersions.createOrUpdate(sim.resourceGroup, SANDBOX_GALLERY, image, '1.2.3000000000', versionBody(disk), poll)).rejects.toMatchObject({
      code: 'InvalidParameter',
    });
    const past = versionBody(disk, { publishingProfile: { endOfLifeDate: new Date(Date.now() - 86_400_000) } });
    await expect(compute.galleryImageVersions.createOrUpdate(sim.resourceGroup, SANDBOX_GALLERY, image, '1.2.3', past, poll)).rejects.toMatchObject({
      statusCode: 400,
      message: 'EndOfLifeDate must be set to a future date.',
    });
  });

  it('answers 409 to a version that exists, made from another source', async () => {
    const image = imageDefinitionFor(gen1Layer).name;
    const first = await importDisk('first-source', 'V1');
    const second = await importDisk('second-source', 'V1');
    await compute.galleryImageVersions.createOrUpdate(sim.resourceGroup, SANDBOX_GALLERY, image, '3.0.0', versionBody(first), poll);
    await expect(compute.galleryImageVersions.createOrUpdate(sim.resourceGroup, SANDBOX_GALLERY, image, '3.0.0', versionBody(second), poll)).rejects.toMatchObject({
      statusCode: 409,
      code: 'PropertyChangeNotAllowed',
    });
  });

  it('refuses a PATCH of an image version without storageProfile, which GalleryImageVersionUpdate requires', async () => {
    const image = imageDefinitionFor(gen1Layer).name;
    const disk = await importDisk('patch-source', 'V1');
    await compute.galleryImageVersions.createOrUpdate(sim.resourceGroup, SANDBOX_GALLERY, image, '5.0.0', versionBody(disk), poll);
    const withoutStorageProfile = compute.galleryImageVersions.update(sim.resourceGroup, SANDBOX_GALLERY, image, '5.0.0', { publishingProfile: { excludeFromLatest: true } }, poll);
    await expect(withoutStorageProfile).rejects.toMatchObject({ statusCode: 400, code: 'InvalidParameter', message: "Required parameter 'storageProfile' is missing (null)." });
  });

  it('refuses a member GalleryRP 2025-03-03 does not define, in Newtonsoft\'s words', async () => {
    const disk = await importDisk('shape-source', 'V1');
    const token = (await credential.getToken('https://management.azure.com/.default')).token;
    const path = `${galleryId()}/images/${imageDefinitionFor(gen1Layer).name}/versions/4.0.0?api-version=2025-03-03`;
    const body = { location: sim.location, properties: { publishingProfile: { latest: true }, storageProfile: { osDiskImage: { source: { id: disk } } } } };
    const answer = await control.request('PUT', path, { body, bearer: token });
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).toContain("Could not find member 'latest' on object of type 'GalleryImageVersionPublishingProfile'. Path 'properties.publishingProfile.latest'");
    // A version Azure never had for galleries (it has 2018-06-01 to 2025-12-03, azure-api-versions.json).
    const unknown = await control.request('PUT', path.replace('2025-03-03', '2025-04-01'), { body, bearer: token });
    expect(unknown.body).toMatchObject({ error: { code: 'NoRegisteredProviderFound', message: expect.stringContaining("The supported api-versions are '2018-06-01, 2019-03-01") } });
  });

  it("refuses the bot's identity without Compute Gallery Artifacts Publisher, and the bot names the role and where", async () => {
    const identity = (await control.principals()).find((p) => p.clientId === sim.clientId)!;
    const full = identity.roleAssignments;
    await control.setRoleAssignments(sim.clientId, full.filter((a) => a.role !== 'Compute Gallery Artifacts Publisher'));
    try {
      const refused = gallery.ensureImageDefinition(galleryId(), sim.location, imageDefinitionFor({ name: 'No Rights', vmGeneration: 'V1', osType: 'Windows' }), {});
      await expect(refused).rejects.toBeInstanceOf(PermissionError);
      // Reading is Reader's; creating the definition is what the gallery role is for.
      await expect(refused).rejects.toThrow(
        "creating image definition no-rights: Azure refused the connector's identity the permission Microsoft.Compute/galleries/images/write on " +
          `${galleryId()}/images/no-rights: assign Compute Gallery Artifacts Publisher on the connector's Compute Gallery (Finalize: create the layer's image definition when the gallery has none), then Retry (AuthorizationFailed)`,
      );
    } finally {
      await control.setRoleAssignments(sim.clientId, full);
    }
  });
});
