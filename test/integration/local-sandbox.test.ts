import { randomUUID } from 'node:crypto';
import { SimulatorControl } from '../../src/sandbox/azure/control-client.js';
import type { SandboxSnapshot } from '../../src/local/workspace/sandbox-proxy.js';
import { DEMO_LAYER_NAME } from '../../src/sandbox/index.js';
import { startTestWorkspace } from '../browser/test-workspace.js';

type Run = Awaited<ReturnType<typeof startTestWorkspace>>;
let run: Run;

beforeAll(async () => {
  run = await startTestWorkspace({ sandbox: true });
});
afterAll(async () => {
  await run.stop();
});

async function get(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${run.url}${path}`);
  return { status: res.status, body: await res.json() };
}

async function setGuest(body: unknown, contentType = 'application/json'): Promise<{ status: number; body: any }> {
  const res = await fetch(`${run.url}/api/sandbox/guest`, { method: 'POST', headers: { 'content-type': contentType }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

describe('the sandbox panel’s server side', () => {
  it('tells the page the sandbox runs, and answers its inventory from the simulated Azure', async () => {
    expect((await get('/api/session')).body.sandbox).toEqual({ enabled: true, running: true });
    const { status, body } = await get('/api/sandbox');
    expect(status).toBe(200);
    const snapshot = body as SandboxSnapshot;
    expect(snapshot.resources).toEqual(
      expect.arrayContaining([
        { type: 'Microsoft.Resources/resourceGroups', name: 'oslayer-sandbox' },
        expect.objectContaining({ type: 'Microsoft.Network/virtualNetworks', name: 'oslayer-vnet' }),
      ]),
    );
    expect(snapshot.guests).toEqual([]);
  });

  it('changes guest flags of listed machines only: a name nobody sees gets no guest', async () => {
    const answer = await setGuest({ vm: 'no-such-machine', flags: { ngenInProgress: true } });
    expect(answer).toEqual({ status: 404, body: { ok: false, error: 'there is no packaging machine named no-such-machine' } });
    const simulator = new SimulatorControl(run.bot.sandbox!.simulator);
    expect((await simulator.request('GET', '/_simulator/guest/no-such-machine')).body).toMatchObject({ ngenInProgress: false });
  });

  it('accepts only the known flags, as booleans, in a JSON body', async () => {
    expect((await setGuest({ vm: 'vm1', flags: { ngenInProgress: 'yes' } })).status).toBe(400);
    expect((await setGuest({ vm: 'vm1', flags: { formatDisk: true } })).status).toBe(400);
    expect((await setGuest({ vm: 'vm1', flags: {}, extra: 1 })).status).toBe(400);
    expect((await setGuest({ vm: 'vm1', flags: { ngenInProgress: true } }, 'text/plain')).status).toBe(415);
  });

  it('reaches nothing of the simulator but the inventory and guest flags', async () => {
    for (const path of ['/api/sandbox/faults', '/api/sandbox/inventory', '/_simulator/inventory', '/subscriptions']) {
      expect((await get(path)).status).toBe(404);
    }
  });
});

describe('npm run local, started again on the same store', () => {
  it('starts after a version of the default 100 GB was finalized, and seeds its disk at that size', async () => {
    const { repos, config } = run.bot.services;
    const layer = (await repos.layers.findOne({ name: DEMO_LAYER_NAME }))!;
    const now = new Date();
    await repos.versions.insert({
      _id: randomUUID(),
      layerId: layer._id,
      name: '2026-11',
      description: '',
      maxLayerSizeGb: 100,
      connectorId: layer.connectorId,
      packagingDiskFilename: 'finalized.vhd',
      status: 'deployable',
      diskUri: 'versions/2026-11.vhd',
      diskSizeBytes: 100 * 1024 ** 3,
      createdBy: 'U0LOCALADMIN',
      createdAt: now,
      updatedAt: now,
    });
    await run.stop();

    run = await startTestWorkspace({ sandbox: true, mongodbUri: config.mongodbUri, dataDir: config.dataDir });
    const connector = (await run.bot.services.repos.connectors.get(layer.connectorId))!;
    const blobs = await run.bot.services.azure.session(connector).blobs();
    const footer = await blobs.readVhdFooter({ container: connector.container, blob: 'versions/2026-11.vhd' });
    expect(footer.currentSize).toBe(100 * 1024 ** 3);
  }, 60_000);
});
