import { AnonymousCredential, BlobClient, BlobSASPermissions, BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { TEST_RUN_COMMAND_MS } from '../support/bot.js';
import { armPorts, type ArmConnectionOptions, type AzurePorts } from '../../src/azure/arm/index.js';
import { AZURITE_ACCOUNT, AZURITE_KEY } from '../../src/sandbox/azure/azurite.js';
import { AzureAuthError, RunCommandBusyError, ThrottledError } from '../../src/azure/errors.js';
import { readFileSync } from 'node:fs';
import { packagingMachineSpec, TASK_TAG, toArmTemplate } from '../../src/azure/machine-spec.js';
import type { PackagingMachineSpec, VmStatus } from '../../src/azure/ports.js';
import { SimulatorControl } from '../../src/sandbox/azure/control-client.js';
import { startArmSimulator, type InventoryItem } from '../../src/sandbox/azure/index.js';
import { deployTemplateLikePortal, PORTAL_ORIGIN, PortalRefused } from '../../src/sandbox/azure/portal-deployment.js';
import { buildFixedVhdFooter, MIB, VHD_FOOTER_SIZE } from '../../src/azure/vhd.js';
import { createBlobDisks } from '../../src/azure/blob-disks.js';
import { preparePackagingDisk } from '../../src/workflow/packaging-disk.js';
import type { ConnectorConfig, MachineAccess } from '../../src/domain/model.js';
import { blobEndpoint, trustingSimulator } from '../support/stand-ins.js';

type Simulator = Awaited<ReturnType<typeof startArmSimulator>>;

const CONTAINER = 'layers';
const WRONG_SECRET = 'not-the-secret-Zq8~wrong';

let sim: Simulator;
let control: SimulatorControl;

beforeAll(async () => {
  sim = await startArmSimulator({ blobEndpoint: blobEndpoint(), blobAccountKey: AZURITE_KEY });
  control = new SimulatorControl(sim);
  await control.settings({ runCommandMs: TEST_RUN_COMMAND_MS });
});
afterAll(async () => {
  await sim?.stop();
});

/**
 * The connector an admin would save for the simulated subscription: a custom cloud whose CA
 * bundle is the simulator's certificate. (Not simulatorClientOptions: this way the production
 * path, cloud profile → credential → client options, is what trusts the certificate.)
 */
function connector(overrides: Partial<ConnectorConfig> = {}): ArmConnectionOptions['connector'] {
  return {
    cloud: 'Custom',
    customEndpoints: {
      armEndpoint: sim.armEndpoint,
      authorityHost: sim.armEndpoint,
      portalHost: 'portal.sandbox.invalid',
      storageSuffix: 'sandbox.invalid',
      caBundle: sim.caCertPem,
    },
    tenantId: sim.tenantId,
    subscriptionId: sim.subscriptionId,
    auth: { kind: 'client-secret', clientId: sim.clientId, clientSecretEncrypted: 'stored-elsewhere' },
    resourceGroup: sim.resourceGroup,
    storageAccount: sim.storageAccount,
    location: sim.location,
    subnetId: sim.subnetId,
    vmSize: 'Standard_A2_v2',
    ...overrides,
  };
}

function ports(overrides: Partial<ConnectorConfig> = {}, clientSecret = sim.clientSecret): AzurePorts {
  return armPorts({ connector: connector(overrides), clientSecret, pollIntervalMs: 20 });
}

async function taskResources(taskId: string): Promise<InventoryItem[]> {
  return (await control.inventory()).filter((resource) => resource.tags[TASK_TAG] === taskId);
}

/** The packaging VHD's size: the smallest disk Compute lets one upload into (20 MiB). */
const VHD_CONTENT_BYTES = 20 * MIB;
const PATTERN = Buffer.alloc(MIB, 0x5a);

/** A fixed VHD page blob in the connector's container, as Publish leaves the packaging disk: one MiB of data, zeros, its footer. */
async function uploadPackagingVhd(name: string): Promise<void> {
  const service = new BlobServiceClient(blobEndpoint(), new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
  const container = service.getContainerClient(CONTAINER);
  await container.createIfNotExists();
  const blob = container.getPageBlobClient(name);
  await blob.create(VHD_CONTENT_BYTES + VHD_FOOTER_SIZE);
  await blob.uploadPages(PATTERN, 0, PATTERN.length);
  await blob.uploadPages(buildFixedVhdFooter({ sizeBytes: VHD_CONTENT_BYTES }), VHD_CONTENT_BYTES, VHD_FOOTER_SIZE);
}

/** What Publish does for the machine's OS disk: the packaging VHD uploaded into a managed disk, server-side. */
async function preparedDisk(azure: AzurePorts, spec: PackagingMachineSpec, vhdName: string): Promise<void> {
  await uploadPackagingVhd(vhdName);
  const blobs = createBlobDisks({
    blobEndpoint: sim.storageBlobEndpoint,
    accountName: sim.storageAccount,
    auth: { kind: 'account-key', accountKey: AZURITE_KEY },
    tlsOptions: { ca: sim.caCertPem },
  });
  await preparePackagingDisk({ machines: azure.machines, blobs }, spec, { container: CONTAINER, blob: vhdName });
}

async function waitForVm(machines: AzurePorts['machines'], name: string, done: (vm: VmStatus) => boolean): Promise<VmStatus> {
  for (;;) {
    const vm = await machines.getVm(name);
    if (!vm) throw new Error(`machine ${name} does not exist`);
    if (done(vm)) return vm;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('packaging machine on the ARM simulator', () => {
  const taskId = 'task-arm-1';
  let azure: AzurePorts;
  let spec: PackagingMachineSpec;

  beforeAll(async () => {
    azure = ports();
    const account = await azure.probe.storageAccountInfo(sim.storageAccount);
    spec = packagingMachineSpec({
      taskId,
      subscriptionId: sim.subscriptionId,
      resourceGroup: sim.resourceGroup,
      layerName: 'Win11',
      versionName: 'v2',
      diskFilename: 'win11/v2-packaging.vhd',
      // Generation 2 needs a size that boots it (the A v2 family is generation 1 only).
      vmSize: 'Standard_D2s_v3',
      location: account.location,
      access: { mode: 'private' },
      vhdSizeBytes: VHD_CONTENT_BYTES + VHD_FOOTER_SIZE,
      subnetId: sim.subnetId,
      osType: 'Windows',
      hyperVGeneration: 'V2',
    });
  });

  it('uploads the packaging disk and creates the machine around it, everything tagged with the task', async () => {
    await preparedDisk(azure, spec, 'win11/v2-packaging.vhd');
    expect(await azure.machines.diskState(spec.disk.name)).toBe('Unattached');
    // The disk holds the VHD's bytes: its data, the zeros Put Page From URL never wrote, its footer.
    const sas = await azure.machines.grantDiskReadAccess(spec.disk.name, 600);
    const written = new BlobClient(sas, new AnonymousCredential(), trustingSimulator(sim));
    expect(Buffer.compare(await written.downloadToBuffer(0, MIB), PATTERN)).toBe(0);
    expect((await written.downloadToBuffer(MIB, 4096)).every((byte) => byte === 0)).toBe(true);
    expect(Buffer.from(await written.downloadToBuffer(VHD_CONTENT_BYTES, VHD_FOOTER_SIZE)).toString('latin1', 0, 8)).toBe('conectix');
    await azure.machines.revokeDiskAccess(spec.disk.name);

    const vm = await azure.machines.createVm(spec);
    expect(vm.id).toMatch(new RegExp(`/virtualMachines/${spec.vmName}$`, 'i'));

    const types = (await taskResources(taskId)).map((resource) => resource.type.toLowerCase()).sort();
    expect(types).toEqual(
      // Private access: no public IP.
      ['microsoft.compute/disks', 'microsoft.compute/virtualmachines', 'microsoft.network/networkinterfaces'],
    );
    const found = await azure.machines.findByTag(TASK_TAG, taskId);
    expect(found.map((resource) => resource.type.toLowerCase()).sort()).toEqual(types);
    expect(found.find((resource) => /virtualMachines/i.test(resource.type))?.name).toBe(spec.vmName);
  });

  it('reads the power state and the agent, and runs the integrity script in the guest', async () => {
    const vm = await waitForVm(azure.machines, spec.vmName, (status) => status.powerState === 'running' && status.agentReady);
    expect(vm).toMatchObject({ name: spec.vmName, tags: spec.tags });
    expect(vm.osDiskId?.toLowerCase()).toMatch(new RegExp(`/disks/${spec.disk.name.toLowerCase()}$`));

    await control.setGuest(spec.vmName, { rebootPending: true, ngenQueued: true });
    const output = await azure.machines.runPowerShell(spec.vmName, ['# oslayer:integrity-check', "Write-Output 'checked'"]);
    const flags = JSON.parse(output.stdout.trim().split('\n').pop()!);
    expect(flags).toMatchObject({ rebootPending: true, ngenTasks: 'enabled', msiInProgress: false });
    expect(output.stderr).toBe('');
  });

  it('refuses a second concurrent Run Command with a readable busy error', async () => {
    const script = ['# oslayer:integrity-check'];
    const outcomes = await Promise.allSettled([
      azure.machines.runPowerShell(spec.vmName, script),
      azure.machines.runPowerShell(spec.vmName, script),
    ]);
    const refused = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.reason).toBeInstanceOf(RunCommandBusyError);
    expect(refused[0]!.reason.message).toBe(`a check is already running on ${spec.vmName}`);
  });

  it('waits out a throttled read that carries Retry-After', async () => {
    await control.setFaults([{ method: 'GET', pathPattern: `virtualMachines/${spec.vmName}$`, status: 429, retryAfterSeconds: 1, times: 1 }]);
    const vm = await azure.machines.getVm(spec.vmName);
    expect(vm?.powerState).toBe('running');
    expect(await control.faults()).toEqual([]);
  });

  it('hands a long Retry-After back to the caller instead of blocking', async () => {
    await control.setFaults([{ method: 'GET', pathPattern: `virtualMachines/${spec.vmName}$`, status: 429, retryAfterSeconds: 3600, times: 1 }]);
    const error = await azure.machines.getVm(spec.vmName).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ThrottledError);
    expect(error).toMatchObject({ retryAfterSeconds: 3600, transient: true });
  });

  it('powers off, deallocates, and lends the disk out for export', async () => {
    await azure.machines.powerOffVm(spec.vmName);
    expect((await azure.machines.getVm(spec.vmName))?.powerState).toBe('stopped');
    await azure.machines.deallocateVm(spec.vmName);
    expect((await azure.machines.getVm(spec.vmName))?.powerState).toBe('deallocated');
    const notRunning = await azure.machines.runPowerShell(spec.vmName, ['# oslayer:integrity-check']).catch((err: unknown) => err);
    expect(notRunning).not.toBeInstanceOf(RunCommandBusyError);
    expect(notRunning).toMatchObject({ code: 'OperationNotAllowed', message: expect.stringMatching(/not running/) });

    const sas = await azure.machines.grantDiskReadAccess(spec.disk.name, 3600);
    const exported = await fetchBlobSize(sas);
    expect(exported).toBe(VHD_CONTENT_BYTES + VHD_FOOTER_SIZE);
    await azure.machines.revokeDiskAccess(spec.disk.name);
    await expect(fetchBlobSize(sas)).rejects.toThrow();
  });

  it('deletes the machine (its NIC and IP with it), then the disk, leaving nothing of the task', async () => {
    await azure.machines.deleteVm(spec.vmName);
    expect(await azure.machines.getVm(spec.vmName)).toBeNull();
    expect((await taskResources(taskId)).map((resource) => resource.type)).toEqual(['Microsoft.Compute/disks']);

    await azure.machines.deleteDisk(spec.disk.name);
    expect(await taskResources(taskId)).toEqual([]);
    expect(await azure.machines.findByTag(TASK_TAG, taskId)).toEqual([]);
    // Cleanup runs again after crashes; deleting what is gone is not an error.
    await azure.machines.deleteVm(spec.vmName);
    await azure.machines.deleteDisk(spec.disk.name);
    await azure.machines.revokeDiskAccess(spec.disk.name);
  });

  it('lets two cleanups delete the same disk at once: the second waits for the first', async () => {
    const disk = { ...spec.disk, name: 'twice-deleted-osdisk' };
    await azure.machines.createUploadDisk(disk);
    await Promise.all([azure.machines.deleteDisk(disk.name), azure.machines.deleteDisk(disk.name)]);
    expect((await control.inventory()).filter((resource) => resource.name === disk.name)).toEqual([]);
  });
});

/** Reads the exported disk's size through the SAS alone, as Finalize's server-side copy would. */
async function fetchBlobSize(sasUrl: string): Promise<number> {
  return (await new BlobClient(sasUrl, new AnonymousCredential(), trustingSimulator(sim)).getProperties()).contentLength ?? -1;
}

describe('connector Test on the ARM simulator', () => {
  it('passes every check for the sandbox connector', async () => {
    const results = await ports().probe.runChecks();
    expect(results.map((result) => result.check)).toEqual(['credentials', 'storage-account', 'shared-key', 'region-match', 'resource-group', 'subnet', 'machine-access', 'vm-size', 'permissions']);
    for (const result of results) expect(result).toMatchObject({ ok: true, skipped: false });
  });

  it('fails the VM size check for a 1-vCPU size', async () => {
    const results = await ports({ vmSize: 'Standard_A1_v2' }).probe.runChecks();
    const vmSize = results.find((result) => result.check === 'vm-size')!;
    expect(vmSize.ok).toBe(false);
    expect(vmSize.detail).toMatch(/Standard_A1_v2 has 1 vCPU.*at least 2/);
    expect(results.filter((result) => !result.ok).map((result) => result.check)).toEqual(['vm-size']);
  });

  it("fails the VM size check when the size can't boot the generation of a layer on the connector (Test and Deploy for me)", async () => {
    const probe = ports({ vmSize: 'Standard_A2_v2' }).probe;
    const vmSize = (await probe.runChecks({ generations: ['V1', 'V2'] })).find((result) => result.check === 'vm-size')!;
    expect(vmSize).toMatchObject({ ok: false, detail: expect.stringMatching(/Standard_A2_v2 cannot boot Generation 2 machines \(it runs Generation 1\)/) });
    expect((await probe.runChecks({ generations: ['V1'] })).find((result) => result.check === 'vm-size')).toMatchObject({ ok: true });
    expect(await probe.vmSizeProblem('Standard_A2_v2', 'V2')).toMatch(/cannot boot Generation 2/);
    expect(await probe.vmSizeProblem('Standard_D2s_v3', 'V2')).toBeUndefined();
  });

  it('fails the region checks when the location is not the storage account region', async () => {
    const results = await ports({ location: 'westus2' }).probe.runChecks();
    const failed = Object.fromEntries(results.filter((result) => !result.ok).map((result) => [result.check, result.detail]));
    expect(Object.keys(failed).sort()).toEqual(['region-match', 'subnet', 'vm-size']);
    expect(failed['region-match']).toMatch(new RegExp(`westus2 differs from the storage account's region ${sim.location}`));
    expect(failed['vm-size']).toMatch(/not offered in westus2/);
  });

  it('reports a wrong client secret readably, without the secret, and skips what needs it', async () => {
    const azure = ports({}, WRONG_SECRET);
    const error = await azure.machines.getVm('anything').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(AzureAuthError);
    expect((error as Error).message).toBe("the connector's credentials were refused: AADSTS7000215; check tenant ID, client ID and secret");

    const results = await azure.probe.runChecks();
    expect(results[0]).toMatchObject({ check: 'credentials', ok: false, skipped: false });
    expect(results[0]!.detail).toMatch(/AADSTS7000215/);
    expect(results.slice(1).every((result) => result.skipped && !result.ok)).toBe(true);
    expect(JSON.stringify(results)).not.toContain(WRONG_SECRET);
  });

  it('lists a storage key only when asked', async () => {
    expect(await ports().probe.storageAccountKey(sim.storageAccount)).toBe(AZURITE_KEY);
  });
});

describe('a packaging machine whose image has no Azure VM agent', () => {
  it('runs but never reports the agent Ready, and Run Command fails the way Azure does, not as "busy"', async () => {
    const azure = ports();
    const account = await azure.probe.storageAccountInfo(sim.storageAccount);
    const spec = packagingMachineSpec({
      taskId: 'task-no-agent',
      subscriptionId: sim.subscriptionId,
      resourceGroup: sim.resourceGroup,
      layerName: 'Win11',
      versionName: 'no-agent',
      diskFilename: 'win11/no-agent.vhd',
      vmSize: 'Standard_D2s_v3',
      location: account.location,
      vhdSizeBytes: VHD_CONTENT_BYTES + VHD_FOOTER_SIZE,
      subnetId: sim.subnetId,
      osType: 'Windows',
      hyperVGeneration: 'V2',
      access: { mode: 'private' },
    });
    await control.setVmAgent(spec.vmName, false);
    await preparedDisk(azure, spec, 'win11/no-agent.vhd');
    await azure.machines.createVm(spec);
    const vm = await waitForVm(azure.machines, spec.vmName, (status) => status.powerState === 'running');
    expect(vm.agentReady).toBe(false);

    const failed = await azure.machines.runPowerShell(spec.vmName, ['# oslayer:integrity-check']).catch((err: unknown) => err);
    expect(failed).not.toBeInstanceOf(RunCommandBusyError);
    expect(failed).toMatchObject({ code: 'VMAgentStatusCommunicationError', message: expect.stringContaining('has not reported status for VM agent') });

    // A 409 that is not "a run command is in progress" is not reported as one.
    await control.setVmAgent(spec.vmName, true);
    await control.setFaults([{ method: 'POST', pathPattern: 'runCommand$', status: 409, code: 'Conflict', times: 1 }]);
    const conflict = await azure.machines.runPowerShell(spec.vmName, ['# oslayer:integrity-check']).catch((err: unknown) => err);
    expect(conflict).not.toBeInstanceOf(RunCommandBusyError);
    expect(conflict).toMatchObject({ status: 409 });
  });
});

describe('the portal path: the template deployed through Microsoft.Resources/deployments', () => {
  async function specFor(taskId: string, diskFilename: string, access: MachineAccess = { mode: 'private' }): Promise<PackagingMachineSpec> {
    const account = await ports().probe.storageAccountInfo(sim.storageAccount);
    return packagingMachineSpec({
      taskId,
      subscriptionId: sim.subscriptionId,
      resourceGroup: sim.resourceGroup,
      layerName: 'Win11',
      versionName: taskId,
      diskFilename,
      vmSize: 'Standard_D2s_v3',
      location: account.location,
      vhdSizeBytes: VHD_CONTENT_BYTES + VHD_FOOTER_SIZE,
      subnetId: sim.subnetId,
      osType: 'Windows',
      hyperVGeneration: 'V2',
      access,
    });
  }

  /** A task's resources with the task's own names replaced, so two tasks' machines compare. */
  function shapeOf(resources: InventoryItem[], spec: PackagingMachineSpec) {
    return resources
      .map(({ id, type, tags }) => ({ id: id.replaceAll(spec.vmName, '<vm>').replace(`/resourceGroups/${sim.resourceGroup}/`, '/resourceGroups/<rg>/'), type, tags: Object.keys(tags).sort() }))
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  it('refuses the template the bot wrote before issue 12 when the portal validates it', async () => {
    const before = JSON.parse(readFileSync(new URL('../fixtures/arm/packaging-template-before-issue-12.json', import.meta.url), 'utf8'));
    const outcome = await deployTemplateLikePortal(sim, before, { resourceGroup: sim.resourceGroup });
    expect(outcome.submitted.status).toBe(400);
    expect(outcome.error).toMatchObject({
      code: 'InvalidTemplateDeployment',
      details: [
        {
          code: 'BadRequest',
          message: expect.stringMatching(
            /^Could not find member 'tags' on object of type 'VirtualMachineNetworkInterfaceConfiguration'\. Path 'properties\.networkProfile\.networkInterfaceConfigurations\[0\]\.tags', line 1, position \d+\.$/,
          ),
          target: 'vm.properties.networkProfile.networkInterfaceConfigurations[0].tags',
        },
      ],
    });
  });

  it("creates the machine in the connector's resource group from a subscription-scope deployment, the same machine Deploy for me creates (public access: with its NSG)", async () => {
    const access: MachineAccess = { mode: 'public', allowedCidrs: ['203.0.113.0/24'] };
    const viaTemplate = await specFor('task-portal-1', 'win11/portal-1.vhd', access);
    await preparedDisk(ports(), viaTemplate, 'win11/portal-1.vhd');
    const outcome = await deployTemplateLikePortal(sim, toArmTemplate(viaTemplate, 'subscription'), { location: sim.location });
    expect(outcome).toMatchObject({ submitted: { status: 201 }, provisioningState: 'Succeeded' });

    const viaSdk = await specFor('task-portal-2', 'win11/portal-2.vhd', access);
    const azure = ports();
    await preparedDisk(azure, viaSdk, 'win11/portal-2.vhd');
    await azure.machines.createNetworkSecurityGroup(viaSdk);
    await azure.machines.createVm(viaSdk);

    const fromTemplate = await taskResources('task-portal-1');
    expect(fromTemplate.map((resource) => resource.type).sort()).toEqual([
      'Microsoft.Compute/disks',
      'Microsoft.Compute/virtualMachines',
      'Microsoft.Network/networkInterfaces',
      'Microsoft.Network/networkSecurityGroups',
      'Microsoft.Network/publicIPAddresses',
    ]);
    for (const resource of fromTemplate) expect(resource.id).toContain(`/resourceGroups/${sim.resourceGroup}/`);
    expect(shapeOf(fromTemplate, viaTemplate)).toEqual(shapeOf(await taskResources('task-portal-2'), viaSdk));
    const [a, b] = await Promise.all([azure.machines.getVm(viaTemplate.vmName), azure.machines.getVm(viaSdk.vmName)]);
    expect({ ...a, id: undefined, name: undefined, osDiskId: undefined, nicId: undefined, tags: Object.keys(a!.tags) }).toEqual({
      ...b,
      id: undefined,
      name: undefined,
      osDiskId: undefined,
      nicId: undefined,
      tags: Object.keys(b!.tags),
    });
  });

  it("stops, as the portal does, at a template link whose blob service has no CORS rule for the portal; with one it deploys", async () => {
    const spec = await specFor('task-portal-cors', 'win11/portal-cors.vhd');
    await preparedDisk(ports(), spec, 'win11/portal-cors.vhd');
    const service = new BlobServiceClient(blobEndpoint(), new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
    const blob = service.getContainerClient(CONTAINER).getBlockBlobClient('portal-cors.json');
    const json = JSON.stringify(toArmTemplate(spec, 'subscription'));
    await blob.upload(json, Buffer.byteLength(json), { blobHTTPHeaders: { blobContentType: 'application/json' } });
    const sas = await blob.generateSasUrl({ permissions: BlobSASPermissions.parse('r'), expiresOn: new Date(Date.now() + 3600_000) });
    const templateUrl = sas.replace(blobEndpoint().replace(/\/$/, ''), sim.storageBlobEndpoint);
    const preflight = { Origin: PORTAL_ORIGIN, 'Access-Control-Request-Method': 'GET' };
    const { cors: kept = [] } = await service.getProperties();
    try {
      await service.setProperties({ cors: [] });
      // The blob service answers the browser as Azure Storage does: a preflight with no rule is refused, a GET carries no CORS header.
      const refused = await control.request('OPTIONS', templateUrl, { headers: preflight });
      expect([refused.status, refused.headers['x-ms-error-code']]).toEqual([403, 'CorsPreflightFailure']);
      await expect(deployTemplateLikePortal(sim, templateUrl, { location: sim.location })).rejects.toThrow(
        new PortalRefused(
          `There was an error downloading the template from URI '${templateUrl}'. Ensure that the template is publicly accessible and that the publisher has enabled CORS policy on the endpoint. To deploy this template, download the template manually and paste the contents in the 'Build your own template in the editor' option below.`,
        ),
      );

      await service.setProperties({ cors: [{ allowedOrigins: PORTAL_ORIGIN, allowedMethods: 'GET,HEAD', allowedHeaders: '*', exposedHeaders: '*', maxAgeInSeconds: 3600 }] });
      const allowed = await control.request('OPTIONS', templateUrl, { headers: preflight });
      expect([allowed.status, allowed.headers['access-control-allow-origin']]).toEqual([200, PORTAL_ORIGIN]);
      const outcome = await deployTemplateLikePortal(sim, templateUrl, { location: sim.location });
      expect(outcome).toMatchObject({ submitted: { status: 201 }, provisioningState: 'Succeeded' });
    } finally {
      await service.setProperties({ cors: kept });
    }
  });

  it('fails the deployment, not the validation, when the provider refuses at creation (the size is not offered)', async () => {
    const spec = await specFor('task-portal-3', 'win11/portal-3.vhd');
    await preparedDisk(ports(), spec, 'win11/portal-3.vhd');
    const outcome = await deployTemplateLikePortal(sim, toArmTemplate(spec, 'subscription'), { location: sim.location, parameters: { vmSize: 'Standard_NV6' } });
    expect(outcome).toMatchObject({
      submitted: { status: 201 },
      provisioningState: 'Failed',
      error: { code: 'DeploymentFailed', details: [{ code: 'DeploymentFailed', details: [{ code: 'SkuNotAvailable' }] }] },
    });
  });
});
