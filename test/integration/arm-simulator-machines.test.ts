import { readFileSync } from 'node:fs';
import { TEST_RUN_COMMAND_MS } from '../support/bot.js';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ComputeManagementClient, type VirtualMachine } from '@azure/arm-compute';
import { NetworkManagementClient } from '@azure/arm-network';
import { ResourceManagementClient } from '@azure/arm-resources';
import { ClientSecretCredential } from '@azure/identity';
import { AnonymousCredential, BlobClient, BlobSASPermissions, BlobServiceClient, PageBlobClient, StorageSharedKeyCredential, type ContainerClient } from '@azure/storage-blob';
import { API_VERSIONS } from '../../src/azure/api-versions.js';
import { AZURITE_KEY } from '../../src/sandbox/azure/azurite.js';
import { startArmSimulator, type RunningArmSimulator } from '../../src/sandbox/azure/index.js';
import { simulatorClientOptions, simulatorCredentialOptions } from '../../src/sandbox/azure/client-options.js';
import { SimulatorControl, type RawAnswer } from '../../src/sandbox/azure/control-client.js';
import { blobEndpoint, trustingSimulator } from '../support/stand-ins.js';

const MIB = 1024 * 1024;
/** LROs complete after ~200 ms in the simulator; poll often so the tests stay quick. */
const poll = { updateIntervalInMs: 50 };

let sim: RunningArmSimulator;
let control: SimulatorControl;
let credential: ClientSecretCredential;
let compute: ComputeManagementClient;
let vhds: ContainerClient;

beforeAll(async () => {
  sim = await startArmSimulator({ blobEndpoint: blobEndpoint(), blobAccountKey: AZURITE_KEY });
  control = new SimulatorControl(sim);
  await control.settings({ runCommandMs: TEST_RUN_COMMAND_MS });
  credential = new ClientSecretCredential(sim.tenantId, sim.clientId, sim.clientSecret, simulatorCredentialOptions(sim));
  compute = new ComputeManagementClient(credential, sim.subscriptionId, simulatorClientOptions(sim));
  const account = new BlobServiceClient(blobEndpoint(), new StorageSharedKeyCredential(sim.storageAccount, AZURITE_KEY));
  vhds = account.getContainerClient(`vhds-${randomBytes(4).toString('hex')}`);
  await vhds.create();
});

afterAll(async () => {
  await sim?.stop();
});

/** A fixed VHD footer (the 512 bytes after the data) for a disk of `size` bytes. */
function vhdFooter(size: number): Buffer {
  const footer = Buffer.alloc(512);
  footer.write('conectix', 0, 'latin1');
  footer.writeUInt32BE(2, 8); // features: reserved bit
  footer.writeUInt32BE(0x00010000, 12); // format version 1.0
  footer.writeBigUInt64BE(0xffffffffffffffffn, 16); // data offset: none for a fixed disk
  footer.write('osly', 28, 'latin1');
  footer.write('Wi2k', 36, 'latin1');
  footer.writeBigUInt64BE(BigInt(size), 40); // original size
  footer.writeBigUInt64BE(BigInt(size), 48); // current size
  footer.writeUInt16BE(Math.min(65535, Math.floor(size / 512 / 16 / 63)), 56); // cylinders
  footer.writeUInt8(16, 58); // heads
  footer.writeUInt8(63, 59); // sectors per track
  footer.writeUInt32BE(2, 60); // disk type: fixed
  randomBytes(16).copy(footer, 68);
  let sum = 0;
  for (const byte of footer) sum += byte;
  footer.writeUInt32BE(~sum >>> 0, 64);
  return footer;
}

/** Uploads a 1 MiB fixed VHD whose first sector carries `marker`; answers its URL and bytes. */
async function uploadVhd(name: string, marker: string): Promise<{ url: string; bytes: Buffer }> {
  const bytes = Buffer.alloc(MIB + 512);
  bytes.write(marker, 0, 'utf8');
  vhdFooter(MIB).copy(bytes, MIB);
  const blob = vhds.getPageBlobClient(name);
  await blob.create(bytes.length);
  await blob.uploadPages(bytes.subarray(0, 512), 0, 512);
  await blob.uploadPages(bytes.subarray(MIB), MIB, 512);
  return { url: blob.url, bytes };
}

function storageAccountId(): string {
  return `/subscriptions/${sim.subscriptionId}/resourceGroups/${sim.resourceGroup}/providers/Microsoft.Storage/storageAccounts/${sim.storageAccount}`;
}

async function importDisk(name: string, sourceUri: string, extra: { tags?: Record<string, string>; hyperVGeneration?: 'V1' | 'V2' } = {}) {
  return compute.disks.createOrUpdate(
    sim.resourceGroup,
    name,
    {
      location: sim.location,
      tags: extra.tags,
      sku: { name: 'Standard_LRS' },
      osType: 'Windows',
      hyperVGeneration: extra.hyperVGeneration ?? 'V1',
      creationData: { createOption: 'Import', sourceUri, storageAccountId: storageAccountId() },
    },
    poll,
  );
}

/** The packaging machine as DESIGN §5 describes it: attached OS disk, inline NIC + public IP. */
function packagingMachine(diskId: string, tags: Record<string, string>, vmSize = 'Standard_A2_v2'): VirtualMachine {
  return {
    location: sim.location,
    tags,
    hardwareProfile: { vmSize },
    storageProfile: { osDisk: { osType: 'Windows', createOption: 'Attach', deleteOption: 'Detach', managedDisk: { id: diskId } } },
    networkProfile: {
      networkApiVersion: '2020-11-01',
      networkInterfaceConfigurations: [
        {
          name: 'nic',
          tags,
          primary: true,
          deleteOption: 'Delete',
          ipConfigurations: [
            {
              name: 'ipconfig',
              subnet: { id: sim.subnetId },
              publicIPAddressConfiguration: { name: 'pip', tags, deleteOption: 'Delete', sku: { name: 'Standard' }, publicIPAllocationMethod: 'Static' },
            },
          ],
        },
      ],
    },
  };
}

async function runScriptStreams(vmName: string, script: string[], parameters: Array<{ name: string; value: string }> = []) {
  const result = await compute.virtualMachines.runCommand(sim.resourceGroup, vmName, { commandId: 'RunPowerShellScript', script, parameters }, poll);
  const stream = (name: string) => result.value?.find((status) => status.code === `ComponentStatus/${name}/succeeded`)?.message;
  return { stdout: stream('StdOut'), stderr: stream('StdErr') };
}

async function runScript(vmName: string, script: string[]): Promise<string> {
  return (await runScriptStreams(vmName, script)).stdout ?? '';
}

async function powerState(vmName: string): Promise<string | undefined> {
  const view = await compute.virtualMachines.instanceView(sim.resourceGroup, vmName);
  return view.statuses?.find((status) => status.code?.startsWith('PowerState/'))?.code;
}

describe('a packaging machine from import to cleanup, through the real SDK', () => {
  const taskId = `task-${randomBytes(4).toString('hex')}`;
  const tags = { 'oslayer-task': taskId, 'oslayer-layer': 'win10', 'oslayer-version': '2' };
  const diskName = `${taskId}-osdisk`;
  const vmName = `${taskId}-vm`;
  let vhd: { url: string; bytes: Buffer };
  let diskId: string;
  const tagged = () => sim.inventory().filter((item) => item.tags['oslayer-task'] === taskId);

  it('imports the packaging VHD from Azurite as a managed disk', async () => {
    vhd = await uploadVhd(`${taskId}.vhd`, 'packaging disk of the lifecycle test');
    const disk = await importDisk(diskName, vhd.url, { tags });
    expect(disk).toMatchObject({ provisioningState: 'Succeeded', diskSizeGB: 1, diskSizeBytes: MIB, diskState: 'Unattached', tags });
    diskId = disk.id!;
  });

  it('creates the VM around the disk, with its NIC and public IP inline', async () => {
    await control.setGuest(vmName, { rebootPending: true, ngenQueued: true, ngenInProgress: true, smsCfgPresent: true });
    const machine = await compute.virtualMachines.createOrUpdate(sim.resourceGroup, vmName, packagingMachine(diskId, tags), poll);
    expect(machine.provisioningState).toBe('Succeeded');
    expect(machine.storageProfile?.osDisk?.managedDisk?.id).toBe(diskId);

    expect(tagged().map((item) => item.type).sort()).toEqual([
      'Microsoft.Compute/disks',
      'Microsoft.Compute/virtualMachines',
      'Microsoft.Network/networkInterfaces',
      'Microsoft.Network/publicIPAddresses',
    ]);
    const resources = new ResourceManagementClient(credential, sim.subscriptionId, simulatorClientOptions(sim));
    const found = [];
    for await (const resource of resources.resources.listByResourceGroup(sim.resourceGroup, {
      filter: `tagName eq 'oslayer-task' and tagValue eq '${taskId}'`,
    })) {
      found.push(resource.name);
    }
    expect(found.sort()).toEqual([diskName, vmName, `${vmName}-nic`, `${vmName}-pip`].sort());

    const network = new NetworkManagementClient(credential, sim.subscriptionId, simulatorClientOptions(sim));
    const nicId = machine.networkProfile?.networkInterfaces?.[0]?.id ?? '';
    const nic = await network.networkInterfaces.get(sim.resourceGroup, nicId.split('/').pop()!);
    expect(nic.ipConfigurations?.[0]?.subnet?.id).toBe(sim.subnetId);
    expect((await compute.disks.get(sim.resourceGroup, diskName)).managedBy).toBe(machine.id);
  });

  it('shows the VM running with its agent ready, through instanceView and $expand', async () => {
    expect(await powerState(vmName)).toBe('PowerState/running');
    const machine = await compute.virtualMachines.get(sim.resourceGroup, vmName, { expand: 'instanceView' });
    expect(machine.instanceView?.vmAgent?.statuses?.[0]).toMatchObject({ code: 'ProvisioningState/succeeded', displayStatus: 'Ready' });
    expect(sim.inventory().find((item) => item.name === vmName)?.powerState).toBe('running');
  });

  it('runs the integrity check in the guest and prints its flags as one JSON line', async () => {
    await control.setGuest(vmName, { driverRebootPending: true });
    const stdout = await runScript(vmName, ['# oslayer:integrity-check', 'Write-Output "ignored by the simulator"']);
    expect(stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(JSON.parse(stdout)).toEqual({
      v: 3,
      driverRebootPending: true,
      deviceRestartPending: false,
      rebootPending: true,
      windowsUpdateRebootRequired: false,
      updateAgentRebootRequired: false,
      fileRenamesPending: false,
      computerRenamePending: false,
      domainJoinPending: false,
      msiInProgress: false,
      installerInProgress: false,
      ngenInProgress: true,
      // The queue itself is invisible to the check: only the tasks' state, a hint.
      ngenTasks: 'enabled',
      runOnce: [],
      smsCfgPresent: true,
      startedAs32Bit: false,
    });
  });

  it('reports a failing probe on StdErr with no result, and a warning or BOM on StdOut, as Run Command does', async () => {
    await control.setGuest(vmName, { failProbe: 'devices' });
    expect(await runScriptStreams(vmName, ['# oslayer:integrity-check'])).toEqual({
      stdout: '',
      stderr: expect.stringMatching(/^oslayer probe failed: devices: Get-PnpDevice/),
    });
    await control.setGuest(vmName, { failProbe: null, emitWarning: true, bom: true });
    const { stdout, stderr } = await runScriptStreams(vmName, ['# oslayer:integrity-check']);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^\uFEFFWARNING: .*\r\n\{"v":3,/);
    await control.setGuest(vmName, { emitWarning: false, bom: false });
  });

  it('refuses a second run command while one is in progress', async () => {
    const first = compute.virtualMachines.runCommand(sim.resourceGroup, vmName, { commandId: 'RunPowerShellScript', script: ['# oslayer:integrity-check'] }, poll);
    await first.submitted();
    await expect(runScript(vmName, ['# oslayer:integrity-check'])).rejects.toMatchObject({
      statusCode: 409,
      code: 'Conflict',
      message: expect.stringContaining('Run command extension execution is in progress'),
    });
    await expect(first.pollUntilDone()).resolves.toBeDefined();
  });

  it('expedites NGen, and a restart clears pending reboots', async () => {
    expect(JSON.parse(await runScript(vmName, ['# oslayer:expedite-ngen']))).toMatchObject({ v: 1, finished: true });
    await compute.virtualMachines.restart(sim.resourceGroup, vmName, poll);
    expect(JSON.parse(await runScript(vmName, ['# oslayer:integrity-check']))).toMatchObject({
      driverRebootPending: false,
      rebootPending: false,
      ngenInProgress: false,
      smsCfgPresent: true,
    });
    // The queue is not in the check's report; the guest shows it emptied.
    expect((await control.guest(vmName)).ngenQueued).toBe(false);
    expect(await runScript(vmName, ['Get-Date'])).toBe('');
  });

  it('takes a run command while the restarted VM still boots, and runs it once the VM agent reports', async () => {
    await control.setGuest(vmName, { agentBootMs: 3 * TEST_RUN_COMMAND_MS, rebootPending: true });
    await compute.virtualMachines.restart(sim.resourceGroup, vmName, poll);
    expect((await compute.virtualMachines.instanceView(sim.resourceGroup, vmName)).vmAgent?.statuses?.[0]?.displayStatus).toBe('Not Ready');
    expect(JSON.parse(await runScript(vmName, ['# oslayer:integrity-check']))).toMatchObject({ rebootPending: false });
    await control.setGuest(vmName, { agentBootMs: 0 });
  });

  it('powers off, refuses run commands while not running, then deallocates', async () => {
    await compute.virtualMachines.powerOff(sim.resourceGroup, vmName, poll);
    expect(await powerState(vmName)).toBe('PowerState/stopped');
    expect((await compute.virtualMachines.instanceView(sim.resourceGroup, vmName)).vmAgent).toBeUndefined();
    await expect(runScript(vmName, ['# oslayer:integrity-check'])).rejects.toMatchObject({
      statusCode: 409,
      code: 'OperationNotAllowed',
      message: 'Cannot modify extensions in the VM when the VM is not running.',
    });
    await expect(compute.virtualMachines.restart(sim.resourceGroup, vmName, poll)).rejects.toMatchObject({
      statusCode: 409,
      code: 'OperationNotAllowed',
      message: 'The operation requires the VM to be running (or set to run).',
    });
    await compute.virtualMachines.deallocate(sim.resourceGroup, vmName, poll);
    expect(await powerState(vmName)).toBe('PowerState/deallocated');
    expect((await compute.disks.get(sim.resourceGroup, diskName)).diskState).toBe('Reserved');
  });

  it('grants a read SAS that downloads the disk bytes from Azurite, and revoking it really revokes', async () => {
    const { accessSAS } = await compute.disks.grantAccess(sim.resourceGroup, diskName, { access: 'Read', durationInSeconds: 3600 }, poll);
    expect((await compute.disks.get(sim.resourceGroup, diskName)).diskState).toBe('ActiveSAS');
    const exported = new BlobClient(accessSAS!, new AnonymousCredential(), trustingSimulator(sim));
    expect((await exported.downloadToBuffer()).equals(vhd.bytes)).toBe(true);

    await compute.disks.revokeAccess(sim.resourceGroup, diskName, poll);
    await expect(exported.getProperties()).rejects.toMatchObject({ statusCode: 403 });
    expect((await compute.disks.get(sim.resourceGroup, diskName)).diskState).toBe('Reserved');
  });

  it('deletes the VM with its NIC and public IP, and keeps the detached OS disk', async () => {
    await compute.virtualMachines.delete(sim.resourceGroup, vmName, poll);
    expect(tagged().map((item) => item.type)).toEqual(['Microsoft.Compute/disks']);
    const disk = await compute.disks.get(sim.resourceGroup, diskName);
    expect(disk.managedBy).toBeUndefined();
    expect(disk.diskState).toBe('Unattached');
  });

  it('deletes the disk, leaving nothing tagged with the task', async () => {
    await compute.disks.delete(sim.resourceGroup, diskName, poll);
    await expect(compute.disks.get(sim.resourceGroup, diskName)).rejects.toMatchObject({ statusCode: 404, code: 'ResourceNotFound' });
    expect(tagged()).toEqual([]);
  });
});

describe('requests Azure would refuse', () => {
  let vhdUrl: string;

  beforeAll(async () => {
    vhdUrl = (await uploadVhd('refusals.vhd', 'refusals')).url;
  });

  it('an Import without sourceUri is 400 InvalidParameter', async () => {
    const attempt = compute.disks.createOrUpdate(
      sim.resourceGroup,
      'no-source',
      { location: sim.location, creationData: { createOption: 'Import', storageAccountId: storageAccountId() } },
      poll,
    );
    await expect(attempt).rejects.toMatchObject({ statusCode: 400, code: 'InvalidParameter' });
  });

  it('an Import of a blob that is not a fixed VHD is 400 InvalidParameter', async () => {
    const blob = vhds.getBlockBlobClient('not-a-disk.vhd');
    await blob.upload('hello', 5);
    await expect(importDisk('not-a-disk', blob.url)).rejects.toMatchObject({ statusCode: 400, code: 'InvalidParameter' });
  });

  it('a VM size the region does not offer is 409 SkuNotAvailable; an attached disk cannot be deleted', async () => {
    const disk = await importDisk('refusal-disk', vhdUrl);
    await expect(
      compute.virtualMachines.createOrUpdate(sim.resourceGroup, 'too-big', packagingMachine(disk.id!, {}, 'Standard_M128ms'), poll),
    ).rejects.toMatchObject({ statusCode: 409, code: 'SkuNotAvailable' });

    await compute.virtualMachines.createOrUpdate(sim.resourceGroup, 'holder', packagingMachine(disk.id!, {}), poll);
    await expect(compute.disks.delete(sim.resourceGroup, 'refusal-disk', poll)).rejects.toMatchObject({
      statusCode: 409,
      code: 'OperationNotAllowed',
    });
    await expect(
      compute.disks.grantAccess(sim.resourceGroup, 'refusal-disk', { access: 'Read', durationInSeconds: 60 }, poll),
    ).rejects.toMatchObject({
      statusCode: 409,
      code: 'Conflict',
      message: expect.stringMatching(/^Access not permitted because disk refusal-disk is currently attached to running VM \/subscriptions\/.+\/virtualMachines\/holder\.$/),
    });
    await compute.virtualMachines.delete(sim.resourceGroup, 'holder', poll);
    await compute.disks.delete(sim.resourceGroup, 'refusal-disk', poll);
  });

  it('a disk another request is deleting answers 409 Conflict to a second delete, an export and an attach', async () => {
    const disk = await importDisk('deleting-disk', vhdUrl);
    const deleting = compute.disks.delete(sim.resourceGroup, 'deleting-disk', poll);
    await deleting.submitted();
    const conflict = { statusCode: 409, code: 'Conflict', message: 'The request failed due to conflict with a concurrent request.' };
    await expect(compute.disks.delete(sim.resourceGroup, 'deleting-disk', poll)).rejects.toMatchObject(conflict);
    await expect(compute.disks.grantAccess(sim.resourceGroup, 'deleting-disk', { access: 'Read', durationInSeconds: 60 }, poll)).rejects.toMatchObject(conflict);
    await expect(compute.virtualMachines.createOrUpdate(sim.resourceGroup, 'late-holder', packagingMachine(disk.id!, {}), poll)).rejects.toMatchObject(conflict);
    await deleting;
    await expect(compute.disks.get(sim.resourceGroup, 'deleting-disk')).rejects.toMatchObject({ statusCode: 404 });
  });

  it('a security rule without a priority is read as priority 0 and refused', async () => {
    const bearer = (await credential.getToken('https://management.azure.com/.default')).token;
    const path = `/subscriptions/${sim.subscriptionId}/resourceGroups/${sim.resourceGroup}/providers/Microsoft.Network/networkSecurityGroups/no-priority?api-version=${API_VERSIONS.networkSecurityGroups}`;
    const rule = { name: 'rdp', properties: { protocol: 'Tcp', access: 'Allow', direction: 'Inbound', sourceAddressPrefix: '203.0.113.0/24', destinationPortRange: '3389' } };
    const answer = await control.request('PUT', path, { bearer, body: { location: sim.location, properties: { securityRules: [rule] } } });
    expect([answer.status, answer.body]).toEqual([
      400,
      { error: { code: 'SecurityRuleInvalidPriority', message: 'Security rule has invalid Priority. Value provided: 0 Allowed range 100-4096.', details: [] } },
    ]);
  });

  it('a Generation 2 disk cannot boot on a size that only runs Generation 1', async () => {
    const disk = await importDisk('gen2-disk', vhdUrl, { hyperVGeneration: 'V2' });
    await expect(
      compute.virtualMachines.createOrUpdate(sim.resourceGroup, 'gen2-on-a2', packagingMachine(disk.id!, {}, 'Standard_A2_v2'), poll),
    ).rejects.toMatchObject({ statusCode: 400, code: 'BadRequest' });
    await compute.disks.delete(sim.resourceGroup, 'gen2-disk', poll);
  });
});

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Every key of `expected` is in `actual` with the same JSON type, recursively; array elements
 * are compared position by position (the last actual element stands in for missing ones).
 * Values are not compared: the fixtures are Microsoft's examples, not the simulator's data.
 * `tags` is a map whose keys are data, so only its type counts.
 */
function expectShapeCovers(expected: Json, actual: unknown, path = '$'): void {
  const kind = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);
  if (expected === null) return;
  expect(`${path}: ${kind(actual)}`).toBe(`${path}: ${kind(expected)}`);
  if (path.endsWith('.tags')) return;
  if (Array.isArray(expected)) {
    const items = actual as unknown[];
    if (expected.length > 0) expect(`${path}: ${items.length > 0 ? 'items' : 'empty'}`).toBe(`${path}: items`);
    expected.forEach((item, index) => expectShapeCovers(item, items[Math.min(index, items.length - 1)], `${path}[${index}]`));
  } else if (typeof expected === 'object') {
    for (const [key, value] of Object.entries(expected)) {
      expectShapeCovers(value, (actual as Record<string, unknown>)[key], `${path}.${key}`);
    }
  }
}

function fixture(name: string): { parameters: Record<string, Json>; responses: Record<string, { body: Json }> } {
  return JSON.parse(readFileSync(new URL(`../fixtures/arm/${name}`, import.meta.url), 'utf8'));
}

describe('responses keep the shape of Microsoft examples (test/fixtures/arm)', () => {
  const base = () => `/subscriptions/${sim.subscriptionId}/resourceGroups/${sim.resourceGroup}/providers/Microsoft.Compute`;
  const api = `?api-version=${API_VERSIONS.virtualMachines}`;
  const diskApi = `?api-version=${API_VERSIONS.disks}`;
  let bearer: string;
  let vhdUrl: string;

  const arm = (method: string, path: string, body?: unknown) => control.request(method, path, { bearer, body });

  /** Follows a raw long-running operation to its end and answers what its Location returns. */
  async function completion(started: RawAnswer): Promise<RawAnswer> {
    const statusUrl = String(started.headers['azure-asyncoperation']);
    for (;;) {
      const { body } = await arm('GET', statusUrl);
      if ((body as { status: string }).status !== 'InProgress') break;
      await sleep(50);
    }
    return arm('GET', String(started.headers.location));
  }

  beforeAll(async () => {
    bearer = (await credential.getToken('https://management.azure.com/.default')).token;
    vhdUrl = (await uploadVhd('shapes.vhd', 'shapes')).url;
  });

  it('disk import (PUT) and disk GET', async () => {
    const example = fixture('Disk_Create_ByImportingBlobFromTheSameSubscription.json');
    const request = structuredClone(example.parameters.disk) as {
      location: string;
      properties: { osType?: string; hyperVGeneration?: string; creationData: Record<string, string> };
    };
    // An OS disk, as the packaging machine's is: the example imports a data disk.
    request.location = sim.location;
    request.properties.osType = 'Windows';
    request.properties.hyperVGeneration = 'V1';
    request.properties.creationData.sourceUri = vhdUrl;
    request.properties.creationData.storageAccountId = storageAccountId();
    const created = await arm('PUT', `${base()}/disks/shape-disk${diskApi}`, request);
    expect(created.status).toBe(202);
    expectShapeCovers(example.responses['202']!.body, created.body);
    expect((await completion(created)).status).toBe(200);

    await compute.virtualMachines.createOrUpdate(sim.resourceGroup, 'shape-vm', packagingMachine(`${base()}/disks/shape-disk`, {}), poll);
    const got = await arm('GET', `${base()}/disks/shape-disk${diskApi}`);
    expectShapeCovers(fixture('Disk_Get.json').responses['200']!.body, got.body);
    expect((await compute.disks.get(sim.resourceGroup, 'shape-disk')).managedBy).toMatch(/shape-vm$/);
  });

  it('VM create with networkInterfaceConfigurations', async () => {
    const example = fixture('VirtualMachine_Create_WithNetworkInterfaceConfiguration.json');
    const request = structuredClone(example.parameters.parameters) as any;
    request.location = sim.location;
    request.properties.hardwareProfile.vmSize = 'Standard_D2s_v3';
    request.properties.storageProfile.osDisk = { createOption: 'Attach', managedDisk: { id: `${base()}/disks/shape-disk-2` } };
    request.properties.networkProfile.networkInterfaceConfigurations[0].properties.ipConfigurations[0].properties.subnet = { id: sim.subnetId };
    await importDisk('shape-disk-2', vhdUrl);
    const created = await arm('PUT', `${base()}/virtualMachines/shape-vm-2${api}`, request);
    expect(created.status).toBe(201);
    expectShapeCovers(example.responses['201']!.body, created.body);
    await completion(created);
    const machine = await compute.virtualMachines.get(sim.resourceGroup, 'shape-vm-2');
    expect(machine.networkProfile?.networkInterfaceConfigurations?.[0]?.ipConfigurations?.[0]?.publicIPAddressConfiguration?.deleteOption).toBe('Detach');
  });

  it('VM instance view', async () => {
    const view = await arm('GET', `${base()}/virtualMachines/shape-vm/instanceView${api}`);
    expectShapeCovers(fixture('VirtualMachine_Get_InstanceView.json').responses['200']!.body, view.body);
    expect((await compute.virtualMachines.instanceView(sim.resourceGroup, 'shape-vm')).vmAgent?.vmAgentVersion).toBeTruthy();
  });

  it('run command result', async () => {
    const started = await arm('POST', `${base()}/virtualMachines/shape-vm/runCommand${api}`, {
      commandId: 'RunPowerShellScript',
      script: ['# oslayer:integrity-check'],
    });
    expect(started.status).toBe(202);
    const result = await completion(started);
    expect(result.status).toBe(200);
    expectShapeCovers(fixture('VirtualMachineRunCommand.json').responses['200']!.body, result.body);
    expect(JSON.parse(await runScript('shape-vm', ['# oslayer:integrity-check']))).toMatchObject({ v: 3 });
  });

  it('managed run command: PUT, GET with instanceView (exit code, streams), DELETE', async () => {
    const path = `${base()}/virtualMachines/shape-vm/runCommands/oslayer-shape${api}`;
    const started = await arm('PUT', path, {
      location: sim.location,
      tags: { 'oslayer-task': 'shape' },
      properties: { source: { script: '# oslayer:expedite-ngen' }, parameters: [{ name: 'Mode', value: 'queued' }], asyncExecution: false, timeoutInSeconds: 3600 },
    });
    expect(started.status).toBe(201);
    expect((await completion(started)).status).toBe(200);
    const got = await arm('GET', `${path}&$expand=instanceView`);
    expectShapeCovers(fixture('VirtualMachineRunCommand_Get.json').responses['200']!.body, got.body);
    expect(got.body).toMatchObject({ properties: { provisioningState: 'Succeeded', instanceView: { executionState: 'Succeeded', exitCode: 0, error: '' } } });
    expect(JSON.parse((got.body as { properties: { instanceView: { output: string } } }).properties.instanceView.output)).toMatchObject({ finished: true });
    const unknownMember = await arm('PUT', path, { location: sim.location, properties: { source: { script: 'x' }, timeout: 60 } });
    expect([unknownMember.status, unknownMember.body]).toEqual([
      400,
      {
        error: {
          code: 'BadRequest',
          message: "Could not find member 'timeout' on object of type 'VirtualMachineRunCommandProperties'. Path 'properties.timeout', line 1, position 69.",
          target: 'runCommand.properties.timeout',
        },
      },
    ]);
    await completion(await arm('DELETE', path));
    expect((await arm('GET', path)).status).toBe(404);
  });

  it('grant access result', async () => {
    await compute.virtualMachines.deallocate(sim.resourceGroup, 'shape-vm', poll);
    const started = await arm('POST', `${base()}/disks/shape-disk/beginGetAccess${diskApi}`, { access: 'Read', durationInSeconds: 300 });
    const result = await completion(started);
    expectShapeCovers(fixture('Disk_BeginGetAccess.json').responses['200']!.body, result.body);
    const granted = await compute.disks.grantAccess(sim.resourceGroup, 'shape-disk', { access: 'Read', durationInSeconds: 300 }, poll);
    expect(granted.accessSAS).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\/sim-managed-disks\//);
    await compute.disks.revokeAccess(sim.resourceGroup, 'shape-disk', poll);
  });

  it('resource SKUs for a region', async () => {
    const skus = await arm('GET', `/subscriptions/${sim.subscriptionId}/providers/Microsoft.Compute/skus?api-version=2021-07-01&$filter=${encodeURIComponent(`location eq '${sim.location}'`)}`);
    expectShapeCovers(fixture('ListAvailableResourceSkusForARegion.json').responses['200']!.body, skus.body);
  });
});

describe('a disk made for upload (createOption Upload)', () => {
  const UPLOAD_BYTES = 20 * MIB + 512;
  const uploadDisk = (name: string, uploadSizeBytes = UPLOAD_BYTES) =>
    compute.disks.createOrUpdate(
      sim.resourceGroup,
      name,
      { location: sim.location, sku: { name: 'Standard_LRS' }, osType: 'Windows', hyperVGeneration: 'V1', creationData: { createOption: 'Upload', uploadSizeBytes } },
      poll,
    );
  const grant = (name: string, access: 'Read' | 'Write') => compute.disks.grantAccess(sim.resourceGroup, name, { access, durationInSeconds: 600 }, poll);
  const stateOf = async (name: string) => (await compute.disks.get(sim.resourceGroup, name)).diskState;

  /** A 20 MiB fixed VHD in the customer's account, and a read SAS for it signed with the account key. */
  async function sourceVhd(name: string): Promise<string> {
    const blob = vhds.getPageBlobClient(name);
    await blob.create(UPLOAD_BYTES);
    await blob.uploadPages(Buffer.alloc(512, 0x42), 0, 512);
    await blob.uploadPages(vhdFooter(20 * MIB), 20 * MIB, 512);
    const sas = await blob.generateSasUrl({ permissions: BlobSASPermissions.parse('r'), expiresOn: new Date(Date.now() + 3600_000) });
    // Through the account's endpoint (the gateway), as a caller outside Azurite names it.
    return sas.replace(blobEndpoint().replace(/\/$/, ''), sim.storageBlobEndpoint);
  }

  it('refuses an upload size that is not whole MiB plus the VHD footer, in Compute\'s words, and one below 20 MiB', async () => {
    await expect(uploadDisk('odd-size', 20 * MIB + 1024)).rejects.toMatchObject({
      statusCode: 400,
      code: 'BadRequest',
      message: `The upload size in bytes ${20 * MIB + 1024} - 512 bytes for the VHD footer (${20 * MIB + 512} in this case) must be a multiple of MiB.`,
    });
    await expect(uploadDisk('too-small', MIB + 512)).rejects.toMatchObject({ statusCode: 400, code: 'BadRequest', message: expect.stringContaining('20972032 (20 MiB + 512 bytes for the VHD footer)') });
    expect((await control.inventory()).filter((r) => ['odd-size', 'too-small'].includes(r.name))).toEqual([]);
  });

  it('is ReadyToUpload, then ActiveUpload with a write SAS that takes Put Page From URL, then Unattached and attachable once access is revoked', async () => {
    const disk = await uploadDisk('uploaded');
    expect(await stateOf('uploaded')).toBe('ReadyToUpload');
    const notYet = { statusCode: 409, code: 'OperationNotAllowed' };
    await expect(grant('uploaded', 'Read')).rejects.toMatchObject(notYet);
    await expect(compute.virtualMachines.createOrUpdate(sim.resourceGroup, 'early', packagingMachine(disk.id!, {}), poll)).rejects.toMatchObject(notYet);

    const { accessSAS } = await grant('uploaded', 'Write');
    expect(await stateOf('uploaded')).toBe('ActiveUpload');
    await expect(grant('uploaded', 'Write')).rejects.toMatchObject(notYet);
    await expect(compute.virtualMachines.createOrUpdate(sim.resourceGroup, 'early', packagingMachine(disk.id!, {}), poll)).rejects.toMatchObject(notYet);

    const source = await sourceVhd('upload-source.vhd');
    const destination = new PageBlobClient(accessSAS!, new AnonymousCredential(), trustingSimulator(sim));
    await destination.uploadPagesFromURL(source, 0, 0, 512);
    await destination.uploadPagesFromURL(source, 20 * MIB, 20 * MIB, 512);
    // Put Page From URL's own rules: 512-byte aligned ranges of one length.
    await expect(destination.uploadPagesFromURL(source, 0, 0, 100)).rejects.toMatchObject({ statusCode: 400, code: 'InvalidHeaderValue' });
    await compute.disks.revokeAccess(sim.resourceGroup, 'uploaded', poll);
    expect(await stateOf('uploaded')).toBe('Unattached');
    // The write SAS died with the upload.
    await expect(destination.uploadPagesFromURL(source, 0, 0, 512)).rejects.toMatchObject({ statusCode: 403 });

    const { accessSAS: readSas } = await grant('uploaded', 'Read');
    const written = new BlobClient(readSas!, new AnonymousCredential(), trustingSimulator(sim));
    expect((await written.downloadToBuffer(0, 512)).every((byte) => byte === 0x42)).toBe(true);
    expect((await written.downloadToBuffer(20 * MIB, 512)).toString('latin1', 0, 8)).toBe('conectix');
    await compute.disks.revokeAccess(sim.resourceGroup, 'uploaded', poll);

    await compute.virtualMachines.createOrUpdate(sim.resourceGroup, 'uploaded-vm', packagingMachine(disk.id!, {}), poll);
    await compute.virtualMachines.delete(sim.resourceGroup, 'uploaded-vm', poll);
    await compute.disks.delete(sim.resourceGroup, 'uploaded', poll);
  });

  it('answers a source it may not read with CannotVerifyCopySource: a key-signed SAS once Shared Key is off', async () => {
    await uploadDisk('refused-source');
    const { accessSAS } = await grant('refused-source', 'Write');
    const source = await sourceVhd('refused-source.vhd');
    await control.setSharedKeyAccess(sim.storageAccount, false);
    try {
      const destination = new PageBlobClient(accessSAS!, new AnonymousCredential(), trustingSimulator(sim));
      await expect(destination.uploadPagesFromURL(source, 0, 0, 512)).rejects.toMatchObject({ statusCode: 403, code: 'CannotVerifyCopySource' });
    } finally {
      await control.setSharedKeyAccess(sim.storageAccount, true);
    }
    await compute.disks.revokeAccess(sim.resourceGroup, 'refused-source', poll);
    await compute.disks.delete(sim.resourceGroup, 'refused-source', poll);
  });
});
