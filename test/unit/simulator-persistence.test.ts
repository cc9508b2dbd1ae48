import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SimulatorContext } from '../../src/sandbox/azure/context.js';
import type { DeploymentRecord } from '../../src/sandbox/azure/deployments/index.js';
import type { DiskBlobs } from '../../src/sandbox/azure/disk-blobs.js';
import { GuestRegistry } from '../../src/sandbox/azure/guest.js';
import { LongRunningOperations } from '../../src/sandbox/azure/operations.js';
import { persistSimulator } from '../../src/sandbox/azure/persistence.js';
import { ResourceStore } from '../../src/sandbox/azure/resources.js';
import { applySettings, currentSettings } from '../../src/sandbox/azure/settings.js';
import { VmAgents } from '../../src/sandbox/azure/vm-agent.js';

const SUB = '00000000-0000-0000-0000-0000000051ab';

/** A simulator's state objects as startArmSimulator makes them (the blob client is never saved). */
function freshContext(): SimulatorContext {
  const operations = new LongRunningOperations(SUB, 'eastus', 200, 1);
  return {
    config: {
      subscriptionId: SUB,
      resourceGroup: 'oslayer-sandbox',
      location: 'eastus',
      storageAccount: 'devstoreaccount1',
      blobEndpoint: 'http://127.0.0.1:10000/devstoreaccount1',
      storageBlobEndpoint: 'http://127.0.0.1:10001/devstoreaccount1',
      blobAccountKey: 'key',
      subnetId: `/subscriptions/${SUB}/resourceGroups/oslayer-sandbox/providers/Microsoft.Network/virtualNetworks/v/subnets/s`,
      runCommandMs: 20_000,
      replicationMsPerRegion: 3_000,
    },
    store: new ResourceStore(SUB),
    operations,
    guests: new GuestRegistry(),
    agents: new VmAgents(),
    deployments: new Map(),
    blobs: undefined as unknown as DiskBlobs,
  };
}

function deployment(name: string, provisioningState: DeploymentRecord['provisioningState'], error?: DeploymentRecord['error']): DeploymentRecord {
  return {
    id: `/subscriptions/${SUB}/providers/Microsoft.Resources/deployments/${name}`,
    name,
    location: 'eastus',
    mode: 'Incremental',
    parameters: { vmSize: { value: 'Standard_D2s_v3' } },
    provisioningState,
    timestamp: '2026-12-01T10:00:00.000Z',
    correlationId: 'c0ffee',
    outputResources: [`/subscriptions/${SUB}/resourceGroups/oslayer-sandbox/providers/Microsoft.Compute/disks/${name}-osdisk`],
    ...(error ? { error } : {}),
  };
}

describe("the sandbox's saved simulator state", () => {
  it('carries VM agent absence, the timing settings and the deployments across a restart; a deployment cut short by the stop reads Failed', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'oslayer-sim-state-')), 'arm-simulator.json');
    const first = freshContext();
    const saving = persistSimulator(first, file);
    first.agents.set('pkg-no-agent', false);
    applySettings(first, { runCommandMs: 1_234, operationDelayMs: 50, retryAfterSeconds: 3, replicationMsPerRegion: 40 });
    const failed = deployment('failed', 'Failed', { code: 'DeploymentFailed', message: 'At least one resource deployment operation failed.', details: [{ code: 'SkuNotAvailable', message: 'no' }] });
    for (const record of [deployment('done', 'Succeeded'), failed, deployment('cut-short', 'Running')]) first.deployments.set(record.id.toLowerCase(), record);
    saving.flush();
    saving.stop();

    const second = freshContext();
    persistSimulator(second, file).stop();
    expect(second.agents.installed('pkg-no-agent')).toBe(false);
    expect(second.agents.installed('PKG-NO-AGENT')).toBe(false);
    expect(second.agents.installed('another-vm')).toBe(true);
    expect(currentSettings(second)).toEqual({ runCommandMs: 1_234, operationDelayMs: 50, retryAfterSeconds: 3, replicationMsPerRegion: 40 });
    const byName = Object.fromEntries([...second.deployments.values()].map((record) => [record.name, record]));
    expect(byName.done).toEqual(deployment('done', 'Succeeded'));
    expect(byName.failed).toEqual(failed);
    expect(byName['cut-short']).toMatchObject({ provisioningState: 'Failed', error: { code: 'DeploymentFailed' } });
  });

  it('keeps gallery image versions, and one the stop cut short has replicated by the next start, as Compute goes on without the caller', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'oslayer-sim-state-')), 'arm-simulator.json');
    const first = freshContext();
    const saving = persistSimulator(first, file);
    const gallery = `/subscriptions/${SUB}/resourceGroups/oslayer-sandbox/providers/Microsoft.Compute/galleries/g/images/win/versions`;
    const version = (name: string, provisioningState: 'Creating' | 'Deleting' | 'Succeeded', excludeFromLatest: boolean) =>
      first.store.galleryImageVersions.put({
        id: `${gallery}/${name}`,
        type: 'Microsoft.Compute/galleries/images/versions',
        name,
        location: 'eastus',
        tags: {},
        provisioningState,
        publishingProfile: { excludeFromLatest, targetRegions: [{ name: 'eastus', regionalReplicaCount: 1, storageAccountType: 'Standard_LRS' }] },
        storageProfile: {},
        safetyProfile: {},
        replicationStartedAt: Date.now(),
        replicationMsPerRegion: 60_000,
      });
    version('1.0.0', 'Succeeded', false);
    version('1.1.0', 'Creating', true);
    version('0.9.0', 'Deleting', true);
    saving.flush();
    saving.stop();

    const second = freshContext();
    persistSimulator(second, file).stop();
    const listed = second.store.inventory().filter((r) => r.type === 'Microsoft.Compute/galleries/images/versions');
    expect(listed.map(({ name, excludeFromLatest, replication }) => ({ name, excludeFromLatest, replication }))).toEqual([
      { name: '1.0.0', excludeFromLatest: false, replication: [{ region: 'eastus', state: 'Completed', progress: 100 }] },
      { name: '1.1.0', excludeFromLatest: true, replication: [{ region: 'eastus', state: 'Completed', progress: 100 }] },
    ]);
  });
});
