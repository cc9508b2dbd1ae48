/**
 * Storage as enterprises run it: the bot signs its data plane with the connector's Microsoft
 * Entra ID token and hands out user delegation SAS only, so a storage account with Shared Key
 * access disabled (allowSharedKeyAccess: false, often by Azure Policy) runs the whole workflow.
 * The simulated account refuses what Azure refuses (src/sandbox/azure/storage-gateway.ts gives
 * the sources): key-signed requests and SAS while Shared Key is off, tokens whose principal holds
 * no data role, user delegation keys of more than 7 days.
 */
import { ClientSecretCredential } from '@azure/identity';
import { BlobServiceClient } from '@azure/storage-blob';
import { trustingSimulator } from '../support/stand-ins.js';
import { createBlobDisks, type BlobDisks } from '../../src/azure/blob-disks.js';
import { AZURITE_ACCOUNT, AZURITE_KEY } from '../../src/sandbox/azure/azurite.js';
import { simulatorCredentialOptions } from '../../src/sandbox/azure/client-options.js';
import type { StorageView } from '../../src/sandbox/azure/control-client.js';
import type { RunningArmSimulator } from '../../src/sandbox/azure/index.js';
import { simulatedConnector, SANDBOX_CONNECTOR_NAME } from '../../src/sandbox/simulated-connector.js';
import { TASK_ACTIONS } from '../../views/task-message.js';
import type { ConnectorConfig } from '../../src/domain/model.js';
import type { TestBot } from '../support/bot.js';
import { useTaskButtons } from '../support/world.js';
import { ADMIN, type TaskButtons } from '../support/task-buttons.js';
import { sandboxContents, textOf, waitForStatus } from '../support/ready-to-finalize.js';

let t: TestBot;
let ui: TaskButtons;
let arm: RunningArmSimulator;
useTaskButtons((w) => {
  ({ t, ui } = w);
  arm = t.bot.sandbox!.simulator;
});

const DEPLOYABLE = /is deployable and is now the layer's latest version/;

/** Runs `work` with the account's Shared Key setting and the app's roles on the account as given, then restores the sandbox's. */
async function withStorage(settings: { sharedKey: boolean; roles?: string[] }, work: () => Promise<void>): Promise<void> {
  const app = (await ui.control.principals()).find((principal) => principal.clientId === arm.clientId)!;
  await ui.control.setSharedKeyAccess(AZURITE_ACCOUNT, settings.sharedKey);
  if (settings.roles) await ui.control.setStorageRoles(AZURITE_ACCOUNT, settings.roles);
  try {
    await work();
  } finally {
    await ui.control.setSharedKeyAccess(AZURITE_ACCOUNT, true);
    await ui.control.setRoleAssignments(app.objectId, app.roleAssignments);
  }
}

/** The storage gateway's request counts, minus those of `before`. */
function requestsSince(before: StorageView, after: StorageView): StorageView['requests'] {
  const delta = { ...after.requests };
  for (const key of Object.keys(delta) as Array<keyof StorageView['requests']>) delta[key] -= before.requests[key];
  return delta;
}

/** The sandbox's storage account as another client would reach it: with the account key, or with the app's Entra ID token. */
function blobClient(auth: 'account-key' | 'entra'): BlobDisks {
  return createBlobDisks({
    blobEndpoint: arm.storageBlobEndpoint,
    accountName: AZURITE_ACCOUNT,
    auth:
      auth === 'account-key'
        ? { kind: 'account-key', accountKey: AZURITE_KEY }
        : { kind: 'entra', credential: new ClientSecretCredential(arm.tenantId, arm.clientId, arm.clientSecret, simulatorCredentialOptions(arm)) },
    tlsOptions: { ca: arm.caCertPem },
  });
}

/** A connector to the sandbox that no session has used yet, so its storage signing is decided afresh. */
async function freshConnector(name: string): Promise<ConnectorConfig> {
  const connector = simulatedConnector(arm, t.bot.services.secretKey, { name });
  await t.bot.services.repos.connectors.insert(connector);
  return connector;
}

async function sandboxConnector(): Promise<ConnectorConfig> {
  return (await t.bot.services.repos.connectors.findOne({ name: SANDBOX_CONNECTOR_NAME }))!;
}

async function testLines(connector: ConnectorConfig): Promise<Record<string, { ok: boolean; detail: string }>> {
  const results = await t.bot.services.azure.session(connector).runChecks();
  return Object.fromEntries(results.map(({ check, ok, detail }) => [check, { ok, detail }]));
}

describe('a storage account without Shared Key access', () => {
  it('refuses key-signed requests and key-signed SAS with KeyBasedAuthenticationNotPermitted, accepts Entra ID tokens and user delegation SAS, and Test says so line by line', async () => {
    const keyed = blobClient('account-key');
    const entra = blobClient('entra');
    const note = { container: 'oslayer-layers', blob: 'shared-key-check.json' };
    await keyed.uploadJson({ ...note, json: { hello: 'world' } });
    const keySignedSas = await keyed.readSasUrl({ ...note, expiresOn: new Date(Date.now() + 600_000) });

    await withStorage({ sharedKey: false }, async () => {
      await expect(keyed.blobProperties(note)).rejects.toMatchObject({ status: 403, code: 'KeyBasedAuthenticationNotPermitted' });
      const viaKeySas = await ui.control.request('GET', keySignedSas);
      expect(viaKeySas.status).toBe(403);
      expect(viaKeySas.headers['x-ms-error-code']).toBe('KeyBasedAuthenticationNotPermitted');
      expect(viaKeySas.body).toContain('<Message>Key based authentication is not permitted on this storage account.');

      expect(await entra.blobProperties(note)).toMatchObject({ exists: true, type: 'block' });
      const userDelegationSas = await entra.readSasUrl({ ...note, expiresOn: new Date(Date.now() + 600_000) });
      expect(new URL(userDelegationSas).searchParams.get('skoid')).toBeTruthy();
      expect(await ui.control.request('GET', userDelegationSas)).toMatchObject({ status: 200, body: { hello: 'world' } });

      const lines = await testLines(await sandboxConnector());
      expect(lines['shared-key']).toEqual({
        ok: true,
        detail: `storage account ${AZURITE_ACCOUNT} refuses Shared Key (allowSharedKeyAccess: false); oslayer signs with Microsoft Entra ID and needs no account key`,
      });
      expect(lines['blob-data']).toEqual({ ok: true, detail: `the identity can write, read and delete blobs in container oslayer-layers of ${AZURITE_ACCOUNT}` });
      expect(lines['delegation-key']).toEqual({ ok: true, detail: 'the identity can get a user delegation key, which signs the portal link and the disk copies' });
    });
    expect((await ui.control.request('GET', keySignedSas)).status).toBe(200);
    await keyed.deleteBlob(note);
  }, 60_000);

  it('cancels a published version and leaves nothing of it', async () => {
    await withStorage({ sharedKey: false }, async () => {
      const cancelled = await ui.publish('no-keys-2');
      await ui.click(ADMIN, cancelled, TASK_ACTIONS.cancel);
      const deleted = await ui.waitForThread(cancelled, /Cancelled\. Deleted/);
      expect(deleted).toContain('blob oslayer-layers/no-keys-2.vhd');
      expect(deleted).toContain(`blob oslayer-templates/${cancelled.taskId}.json`);
      expect(await ui.resourcesOf(cancelled)).toEqual([]);
    });
  }, 120_000);
});

describe('a storage account that allows Shared Key', () => {
  it('is still used with Microsoft Entra ID by default: a whole publish and Cancel sign nothing with the account key', async () => {
    const before = await ui.control.storage(AZURITE_ACCOUNT);
    expect(before.allowSharedKeyAccess).toBe(true);
    const v = await ui.publish('entra-default');
    await ui.click(ADMIN, v, TASK_ACTIONS.cancel);
    await ui.waitForThread(v, /Cancelled\. Deleted/);
    const used = requestsSince(before, await ui.control.storage(AZURITE_ACCOUNT));
    expect(used.sharedKey).toBe(0);
    expect(used.keySas).toBe(0);
    expect(used.bearer).toBeGreaterThan(0);
    // The copy source (checked by the service on the bot's behalf) is a user delegation SAS.
    expect(used.userDelegationSas).toBeGreaterThan(0);
  }, 120_000);
});

describe('an identity without a Storage Blob Data role', () => {
  // Not Storage Account Contributor: its Microsoft.Storage/storageAccounts/* includes
  // blobServices/generateUserDelegationKey/action and containers/write (Microsoft's definition).
  const NO_DATA_ROLE = ['Reader'];

  it('fails both data lines of Test with the role to assign, falls back to the account key while the account allows it, and stops once the role is assigned', async () => {
    await withStorage({ sharedKey: true, roles: NO_DATA_ROLE }, async () => {
      const connector = await freshConnector('No data role, keys allowed');
      const lines = await testLines(connector);
      expect(lines['blob-data']).toEqual({
        ok: false,
        detail:
          'the identity may not write, read and delete blobs in container oslayer-layers (AuthorizationPermissionMismatch); assign it Storage Blob Data Contributor on the storage account or the container; until then oslayer falls back to the account key (listKeys), which the account still allows',
      });
      expect(lines['delegation-key']?.ok).toBe(false);
      expect(lines['delegation-key']?.detail).toContain('Storage Blob Data Contributor on the storage account grants it');

      const before = await ui.control.storage(AZURITE_ACCOUNT);
      const blobs = await t.bot.services.azure.session(connector).blobs();
      expect(await blobs.blobProperties({ container: 'oslayer-layers', blob: 'absent.vhd' })).toEqual({ exists: false });
      expect(requestsSince(before, await ui.control.storage(AZURITE_ACCOUNT)).sharedKey).toBeGreaterThan(0);
    });
    // The role assigned while the bot runs: the same connector signs with Entra ID again, no restart.
    const before = await ui.control.storage(AZURITE_ACCOUNT);
    const blobs = await t.bot.services.azure.session((await t.bot.services.repos.connectors.findOne({ name: 'No data role, keys allowed' }))!).blobs();
    expect(await blobs.blobProperties({ container: 'oslayer-layers', blob: 'absent.vhd' })).toEqual({ exists: false });
    const used = requestsSince(before, await ui.control.storage(AZURITE_ACCOUNT));
    expect([used.sharedKey, used.bearer > 0]).toEqual([0, true]);
  }, 60_000);

  it('with Shared Key off too, Create Version fails at its first step naming the role, and leaves nothing behind', async () => {
    await withStorage({ sharedKey: false, roles: NO_DATA_ROLE }, async () => {
      const connector = await freshConnector('No data role, no keys');
      const lines = await testLines(connector);
      expect(lines['blob-data']?.detail).toContain('the account refuses Shared Key, so nothing can stand in for it');

      const before = await sandboxContents(t);
      const v = await ui.createVersion('no-role-no-keys', { connectorId: connector._id });
      const failed = await waitForStatus(t, v.ts, 'failed');
      expect(textOf(failed)).toContain(
        "holds no Storage Blob Data role on the account, and storage account devstoreaccount1 refuses Shared Key, so there is no account-key fallback. Assign the connector's identity Storage Blob Data Contributor on the account.",
      );
      expect(await sandboxContents(t)).toEqual(before);
    });
  }, 60_000);
});

describe('user delegation keys', () => {
  it('are refused beyond 7 days as Azure refuses them, and a 7-day portal link stays within its key', async () => {
    const entra = blobClient('entra');
    const note = { container: 'oslayer-layers', blob: 'link-lifetime.json' };
    await entra.uploadJson({ ...note, json: {} });
    // The SDK's own call, past the limit: Azure's answer names the expiry it refused.
    const credential = new ClientSecretCredential(arm.tenantId, arm.clientId, arm.clientSecret, simulatorCredentialOptions(arm));
    const service = new BlobServiceClient(arm.storageBlobEndpoint, credential, trustingSimulator(arm));
    const eightDays = new Date(Date.now() + 8 * 24 * 3600_000);
    await expect(service.getUserDelegationKey(new Date(), eightDays)).rejects.toMatchObject({ statusCode: 400, code: 'InvalidXmlNodeValue' });

    const link = await entra.readSasUrl({ ...note, expiresOn: new Date(Date.now() + 10 * 24 * 3600_000) });
    const expires = Date.parse(new URL(link).searchParams.get('se')!);
    expect(expires).toBeLessThanOrEqual(Date.now() + 7 * 24 * 3600_000);
    expect(expires).toBeGreaterThan(Date.now() + 7 * 24 * 3600_000 - 10 * 60_000);
    expect((await ui.control.request('GET', link)).status).toBe(200);
    await entra.deleteBlob(note);
  }, 60_000);
});

// Last: the version it makes deployable becomes the demo layer's latest, the base later publishes would copy.
describe('a storage account without Shared Key access, end to end', () => {
  it('takes a version from the wizard through Deploy for me and Finalize to deployable, with nothing of the task left', async () => {
    await withStorage({ sharedKey: false }, async () => {
      const before = await ui.control.inventory();
      const v = await ui.createThroughWizard('no-keys-1');
      await ui.deploy(v);
      await ui.until('the packaging machine to run', async () => ((await ui.vm(v))?.powerState === 'running' ? true : undefined), 30_000);
      await ui.click(ADMIN, v, TASK_ACTIONS.finalize);
      await ui.waitForMessage(v, (json) => DEPLOYABLE.test(json), 90_000);
      expect((await t.bot.services.repos.versions.get(v.versionId))?.status).toBe('deployable');
      expect(await ui.resourcesOf(v)).toEqual([]);
      expect((await ui.control.inventory()).map((r) => r.id).sort()).toEqual(before.map((r) => r.id).sort());
    });
  }, 240_000);
});
