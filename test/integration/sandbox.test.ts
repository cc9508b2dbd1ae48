import { startTestBot, type TestBot } from '../support/bot.js';
import { DEMO_LAYER_NAME } from '../../src/sandbox/index.js';
import { SANDBOX_CONNECTOR_NAME } from '../../src/sandbox/simulated-connector.js';

let t: TestBot;
beforeAll(async () => {
  t = await startTestBot({ sandbox: { enabled: true } });
});
afterAll(async () => {
  await t.stop();
});

describe('sandbox mode (OSLAYER_SANDBOX=1)', () => {
  it('reports the simulated endpoints in /healthz', async () => {
    const res = await fetch(`http://127.0.0.1:${t.bot.port}/healthz`);
    const health = (await res.json()) as { ok: boolean; sandbox: { armEndpoint: string; blobEndpoint: string } };
    expect(health.ok).toBe(true);
    expect(health.sandbox.armEndpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(health.sandbox.blobEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
  });

  it('registers a simulated connector whose secret is stored encrypted and whose Test passes', async () => {
    const { repos, azure } = t.bot.services;
    const connector = await repos.connectors.findOne({ name: SANDBOX_CONNECTOR_NAME });
    expect(connector?.simulated).toBe(true);
    expect(connector?.auth.kind).toBe('client-secret');
    const stored = JSON.stringify(connector);
    expect(stored).not.toContain(t.bot.sandbox!.simulator.clientSecret);
    const checks = await azure.session(connector!).runChecks();
    expect(checks.map((c) => [c.check, c.ok])).toEqual([
      ['credentials', true],
      ['storage-account', true],
      ['shared-key', true],
      ['blob-data', true],
      ['delegation-key', true],
      ['region-match', true],
      ['resource-group', true],
      ['subnet', true],
      ['machine-access', true],
      ['vm-size', true],
      ['permissions', true],
    ]);
  });

  it('seeds a demo OS layer whose deployable base version is a valid fixed VHD in the connector container', async () => {
    const { repos, azure } = t.bot.services;
    const layer = await repos.layers.findOne({ name: DEMO_LAYER_NAME });
    expect(layer?.latestVersionId).toBeDefined();
    const base = await repos.versions.get(layer!.latestVersionId!);
    expect(base?.status).toBe('deployable');
    const connector = await repos.connectors.get(layer!.connectorId);
    const blobs = await azure.session(connector!).blobs();
    const footer = await blobs.readVhdFooter({ container: connector!.container, blob: base!.diskUri! });
    expect(footer.currentSize).toBe(base!.diskSizeBytes);
  });
});
