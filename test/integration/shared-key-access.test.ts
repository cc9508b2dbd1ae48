/**
 * A storage account with Shared Key access disabled (allowSharedKeyAccess: false, often set by
 * Azure Policy) refuses every request signed with an account key and every SAS signed with one,
 * with Azure Storage's 403 KeyBasedAuthenticationNotPermitted; the simulated account does too,
 * and the connector's Test says so before a publish can fail on it.
 */
import { BlobSASPermissions, BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { AZURITE_ACCOUNT, AZURITE_KEY } from '../../src/azure/azurite.js';
import { SimulatorControl } from '../../src/azure/simulator/control-client.js';
import { SANDBOX_CONNECTOR_NAME } from '../../src/sandbox/simulated-connector.js';
import type { LayerVersion, OsLayer } from '../../src/domain/model.js';
import type { TestBot } from '../support/bot.js';
import { sandboxContents, startVersion, waitForStatus, textOf } from '../support/ready-to-finalize.js';
import { useSandboxWorld } from '../support/world.js';

let t: TestBot;
let layer: OsLayer;
let base: LayerVersion;
let control: SimulatorControl;
useSandboxWorld((w) => {
  ({ t, layer, base } = w);
  control = new SimulatorControl(t.bot.sandbox!.simulator);
});

describe('a storage account without Shared Key access', () => {
  it('refuses key-signed requests and key-signed SAS with KeyBasedAuthenticationNotPermitted, and Test reports it', async () => {
    const sim = t.bot.sandbox!.simulator;
    const service = new BlobServiceClient(sim.storageBlobEndpoint, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
    const container = service.getContainerClient('shared-key-check');
    await container.createIfNotExists();
    const blob = container.getBlockBlobClient('note.txt');
    await blob.upload('hello', 5);
    const keySignedSas = await blob.generateSasUrl({ permissions: BlobSASPermissions.parse('r'), expiresOn: new Date(Date.now() + 600_000) });

    await control.setSharedKeyAccess(AZURITE_ACCOUNT, false);
    try {
      await expect(blob.download()).rejects.toMatchObject({ statusCode: 403, code: 'KeyBasedAuthenticationNotPermitted' });
      const viaSas = await fetch(keySignedSas);
      expect(viaSas.status).toBe(403);
      expect(viaSas.headers.get('x-ms-error-code')).toBe('KeyBasedAuthenticationNotPermitted');
      expect(await viaSas.text()).toContain('<Code>KeyBasedAuthenticationNotPermitted</Code><Message>Key based authentication is not permitted on this storage account.');

      const { repos, azure } = t.bot.services;
      const connector = (await repos.connectors.findOne({ name: SANDBOX_CONNECTOR_NAME }))!;
      const sharedKey = (await azure.session(connector).probe.runChecks()).find((check) => check.check === 'shared-key');
      expect(sharedKey).toMatchObject({ ok: false });
      expect(sharedKey?.detail).toContain('refuses Shared Key (allowSharedKeyAccess: false)');
    } finally {
      await control.setSharedKeyAccess(AZURITE_ACCOUNT, true);
    }
    expect((await blob.getProperties()).contentLength).toBe(5);
    expect((await fetch(keySignedSas)).status).toBe(200);
  }, 60_000);

  it('fails Create Version at its first step with the reason, leaving nothing behind', async () => {
    const before = await sandboxContents(t);
    await control.setSharedKeyAccess(AZURITE_ACCOUNT, false);
    try {
      const { where } = await startVersion(t, layer, base._id, 'no-shared-key');
      const failed = await waitForStatus(t, where.ts, 'failed');
      expect(textOf(failed)).toContain('refuses Shared Key access (allowSharedKeyAccess: false)');
    } finally {
      await control.setSharedKeyAccess(AZURITE_ACCOUNT, true);
    }
    expect(await sandboxContents(t)).toEqual(before);
  }, 60_000);
});
