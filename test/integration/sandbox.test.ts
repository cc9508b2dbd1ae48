import { startTestBot, type TestBot } from '../support/bot.js';
import { DEMO_LAYER_NAME } from '../../src/sandbox/index.js';
import { SANDBOX_CONNECTOR_NAME } from '../../src/sandbox/simulated-connector.js';
import { CLEAN_GUEST } from '../../src/sandbox/azure/guest.js';
import { TASK_ACTIONS } from '../../views/task-message.js';
import { ADMIN, TaskButtons } from '../support/task-buttons.js';

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
    // The account's blob endpoint as ARM reports it (primaryEndpoints.blob): HTTPS, as on Azure, not Azurite's own.
    const connector = (await t.bot.services.repos.connectors.findOne({ name: SANDBOX_CONNECTOR_NAME }))!;
    const reported = await t.bot.services.azure.session(connector).storage();
    expect(health.sandbox.blobEndpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
    expect(`${health.sandbox.blobEndpoint}/`).toBe(reported.blobEndpoint);
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

describe('the sandbox on the production path', () => {
  const DEPLOYABLE = /is deployable and is now the layer's latest version/;

  it('reaches storage with Entra ID tokens and user delegation SAS alone: after a whole workflow the account counts no request signed with its key', async () => {
    const ui = new TaskButtons(t);
    await ui.start();
    try {
      const v = await ui.publish('production-path');
      await ui.deploy(v);
      await ui.until('the packaging machine to run', async () => ((await ui.vm(v))?.powerState === 'running' ? true : undefined), 30_000);
      await ui.control.setGuest(v.vmName, CLEAN_GUEST);
      await ui.click(ADMIN, v, TASK_ACTIONS.finalize);
      await ui.waitForMessage(v, (json) => DEPLOYABLE.test(json), 60_000);

      // Counted since the sandbox started: its seeding, the connector Test above, the publish copy, the disk import and Finalize's copy.
      const { requests } = await ui.control.storage(t.bot.sandbox!.simulator.storageAccount);
      expect({ sharedKey: requests.sharedKey, keySas: requests.keySas }).toEqual({ sharedKey: 0, keySas: 0 });
      expect(requests.bearer).toBeGreaterThan(0);
      expect(requests.userDelegationSas).toBeGreaterThan(0);
    } finally {
      await ui.stop();
    }
  }, 120_000);
});
