import type { ArmExchange } from '../../src/sandbox/azure/traffic.js';
import { checkTraffic, verifySimulatorTraffic } from '../support/arm-traffic.js';

const DISK_URL =
  'https://127.0.0.1:4443/subscriptions/00000000-0000-0000-0000-0000000051ab/resourceGroups/oslayer-sandbox/providers/Microsoft.Compute/disks/pkg-osdisk?api-version=2024-03-02';
const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };
/** A disk as the simulator answers it (src/sandbox/azure/disks.ts renderDisk). */
const disk = () => ({
  id: '/subscriptions/00000000-0000-0000-0000-0000000051ab/resourceGroups/oslayer-sandbox/providers/Microsoft.Compute/disks/pkg-osdisk',
  name: 'pkg-osdisk',
  type: 'Microsoft.Compute/disks',
  location: 'eastus',
  tags: { 'oslayer-task': 'task-1' },
  sku: { name: 'Standard_LRS', tier: 'Standard' },
  properties: {
    osType: 'Windows',
    hyperVGeneration: 'V2',
    creationData: { createOption: 'Import', sourceUri: 'https://127.0.0.1:4444/devstoreaccount1/layers/pkg.vhd', storageAccountId: '/subscriptions/x/resourceGroups/y/providers/Microsoft.Storage/storageAccounts/z' },
    diskSizeGB: 1,
    diskSizeBytes: 1073741824,
    uniqueId: '6f1c1f4e-7f0e-4c5e-9d7e-2b1f1c1f4e7f',
    encryption: { type: 'EncryptionAtRestWithPlatformKey' },
    networkAccessPolicy: 'AllowAll',
    publicNetworkAccess: 'Enabled',
    timeCreated: '2026-12-06T22:00:00.0000000+00:00',
    provisioningState: 'Succeeded',
    diskState: 'Unattached',
  },
});
const getDisk = (status: number, body: unknown): ArmExchange => ({
  request: { method: 'GET', url: DISK_URL, headers: {} },
  response: { statusCode: String(status), headers: JSON_TYPE, body },
});
const LRO_HEADERS = {
  ...JSON_TYPE,
  'azure-asyncoperation': 'https://127.0.0.1:4443/subscriptions/s/providers/Microsoft.Compute/locations/eastus/operations/1?api-version=2024-03-02',
  location: 'https://127.0.0.1:4443/subscriptions/s/providers/Microsoft.Compute/locations/eastus/operations/1?monitor=true&api-version=2024-03-02',
};
const putDisk = (body: unknown, status: number, response: unknown = disk()): ArmExchange => ({
  request: { method: 'PUT', url: DISK_URL, headers: JSON_TYPE, body },
  response: { statusCode: String(status), headers: status === 202 ? LRO_HEADERS : JSON_TYPE, body: response },
});
const importBody = () => ({ location: 'eastus', sku: { name: 'Standard_LRS' }, properties: { osType: 'Windows', creationData: { createOption: 'Import', sourceUri: 'https://x/y.vhd', storageAccountId: '/subscriptions/x' } } });

/** What a failing run lists: code and path per violation. */
async function violations(...exchanges: ArmExchange[]) {
  const report = await checkTraffic(exchanges);
  return report.violations.map(({ side, code, path }) => ({ side, code, path }));
}

describe("ARM traffic against Microsoft's REST specs (oav's live validator)", () => {
  it('lets through what the simulator serves for a disk', async () => {
    expect(await violations(getDisk(200, disk()), putDisk(importBody(), 202))).toEqual([]);
  });

  it('fails a response body with a member the spec does not define', async () => {
    const body = disk();
    Object.assign(body.properties, { diskSizeGb: 1 });
    expect(await violations(getDisk(200, body))).toEqual([{ side: 'response', code: 'OBJECT_ADDITIONAL_PROPERTIES', path: '/properties/diskSizeGb' }]);
  });

  it('fails a member of the wrong type, a missing required member and a status the operation does not declare', async () => {
    const wrongType = disk();
    Object.assign(wrongType.properties, { diskSizeGB: '1' });
    const { creationData: _creationData, ...withoutCreationData } = disk().properties;
    expect(await violations(getDisk(200, wrongType), getDisk(200, { ...disk(), properties: withoutCreationData }), getDisk(201, disk()))).toEqual([
      { side: 'response', code: 'INVALID_TYPE', path: '/properties/diskSizeGB' },
      { side: 'response', code: 'OBJECT_MISSING_REQUIRED_PROPERTY', path: '/properties/creationData' },
      { side: 'response', code: 'INVALID_RESPONSE_CODE', path: '' },
    ]);
  });

  it('fails a long-running operation answered without its polling headers', async () => {
    const exchange = putDisk(importBody(), 202);
    exchange.response.headers = JSON_TYPE;
    expect(await violations(exchange)).toEqual([{ side: 'response', code: 'LRO_RESPONSE_HEADER', path: '' }]);
  });

  it('fails a request the spec refuses only when the simulator accepted it', async () => {
    const typo = importBody();
    Object.assign(typo.properties.creationData, { storageAcountId: 'typo' });
    expect(await violations(putDisk(typo, 202))).toEqual([{ side: 'request', code: 'OBJECT_ADDITIONAL_PROPERTIES', path: '/properties/creationData/storageAcountId' }]);
    const refusal = { error: { code: 'BadRequest', message: "Could not find member 'storageAcountId' on object of type 'CreationData'." } };
    expect(await violations(putDisk(typo, 400, refusal))).toEqual([]);
  });

  it('checks a VM as Compute 2025-04-01 defines it: the inline NIC configuration closed to unknown members', async () => {
    const vmUrl = DISK_URL.replace('disks/pkg-osdisk', 'virtualMachines/pkg').replace('2024-03-02', '2025-04-01');
    const vm = (nic: Record<string, unknown>) => ({
      id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/pkg',
      name: 'pkg',
      type: 'Microsoft.Compute/virtualMachines',
      location: 'eastus',
      properties: {
        hardwareProfile: { vmSize: 'Standard_D2s_v3' },
        storageProfile: { osDisk: { osType: 'Windows', createOption: 'Attach', managedDisk: { id: '/subscriptions/s/disk' } }, dataDisks: [] },
        networkProfile: { networkApiVersion: '2022-11-01', networkInterfaceConfigurations: [{ name: 'pkg-nic', properties: { primary: true, ipConfigurations: [{ name: 'ipconfig1', properties: { subnet: { id: '/subscriptions/s/subnet' } } }], ...nic } }] },
        provisioningState: 'Succeeded',
      },
    });
    const get = (body: unknown): ArmExchange => ({ request: { method: 'GET', url: vmUrl, headers: {} }, response: { statusCode: '200', headers: JSON_TYPE, body } });
    expect(await violations(get(vm({ deleteOption: 'Delete' })))).toEqual([]);
    expect(await violations(get(vm({ networkSecurityGroupId: '/subscriptions/s/nsg' })))).toEqual([
      { side: 'response', code: 'OBJECT_ADDITIONAL_PROPERTIES', path: '/properties/networkProfile/networkInterfaceConfigurations/0/properties/networkSecurityGroupId' },
    ]);
  });

  it('checks an image version as GalleryRP 2025-03-03 defines it: its replication status and its PATCH', async () => {
    const versionPath = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/oslayer_gallery/images/windows-11/versions/2026.11.0';
    const versionUrl = `https://127.0.0.1:4443${versionPath}?api-version=2025-03-03`;
    /** An image version as the simulator answers it (src/sandbox/azure/galleries.ts renderVersion). */
    const version = (region: Record<string, unknown> = {}) => ({
      id: versionPath,
      name: '2026.11.0',
      type: 'Microsoft.Compute/galleries/images/versions',
      location: 'eastus',
      tags: {},
      properties: {
        publishingProfile: { targetRegions: [{ name: 'eastus', regionalReplicaCount: 1, storageAccountType: 'Standard_LRS' }], excludeFromLatest: true, publishedDate: '2026-12-06T22:00:00.000Z' },
        storageProfile: { osDiskImage: { source: { id: '/subscriptions/s/disk' }, sizeInGB: 1, hostCaching: 'ReadWrite' } },
        safetyProfile: { allowDeletionOfReplicatedLocations: false, reportedForPolicyViolation: false },
        provisioningState: 'Creating',
        replicationStatus: { aggregatedState: 'InProgress', summary: [{ region: 'eastus', state: 'Replicating', progress: 40, details: '', ...region }] },
      },
    });
    const get = (body: unknown): ArmExchange => ({
      request: { method: 'GET', url: `${versionUrl}&$expand=ReplicationStatus`, headers: {} },
      response: { statusCode: '200', headers: JSON_TYPE, body },
    });
    expect(await violations(get(version()))).toEqual([]);
    expect(await violations(get(version({ progress: '40', percent: 40 })))).toEqual([
      { side: 'response', code: 'OBJECT_ADDITIONAL_PROPERTIES', path: '/properties/replicationStatus/summary/0/percent' },
      { side: 'response', code: 'INVALID_TYPE', path: '/properties/replicationStatus/summary/0/progress' },
    ]);
    const patch: ArmExchange = {
      request: { method: 'PATCH', url: versionUrl, headers: JSON_TYPE, body: { properties: { publishingProfile: { excludeFromLatest: false } } } },
      response: { statusCode: '200', headers: LRO_HEADERS, body: version() },
    };
    expect(await violations(patch)).toEqual([{ side: 'request', code: 'OBJECT_MISSING_REQUIRED_PROPERTY', path: '/properties/storageProfile' }]);
  });

  it('counts what it cannot check: types and versions whose spec is not vendored', async () => {
    const other = getDisk(200, disk());
    other.request.url = DISK_URL.replace('2024-03-02', '2025-01-02');
    const report = await checkTraffic([other, getDisk(200, disk())]);
    expect(report).toEqual({ violations: [], checked: 1, unchecked: { 'microsoft.compute/disks@2025-01-02': 1 } });
  });

  it("fails the test file's run, listing each violation and each request at an unchecked api-version", async () => {
    const body = disk();
    Object.assign(body.properties, { diskSizeGb: 1 });
    const simulator = (traffic: ArmExchange[], uncheckedApiVersions: Record<string, number> = {}) => ({
      armEndpoint: 'https://127.0.0.1:4443',
      traffic: () => traffic,
      requestCounts: () => ({ uncheckedApiVersions }),
    });
    await expect(verifySimulatorTraffic([simulator([getDisk(200, disk())])])).resolves.toBeUndefined();
    await expect(verifySimulatorTraffic([simulator([getDisk(200, body)], { 'Microsoft.Compute/disks@2025-01-02': 2 })])).rejects.toThrow(
      [
        'ARM traffic that does not validate against the REST specs (test/fixtures/specs):',
        `GET ${new URL(DISK_URL).pathname} → 200 [Disks_Get] response: OBJECT_ADDITIONAL_PROPERTIES Additional properties not allowed: diskSizeGb at /properties/diskSizeGb`,
        '',
        'ARM requests at api-versions whose bodies the simulator does not check (src/sandbox/azure/validation/contracts.ts):',
        'Microsoft.Compute/disks@2025-01-02: 2',
      ].join('\n'),
    );
  });
});
