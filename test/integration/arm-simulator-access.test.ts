import { NetworkManagementClient } from '@azure/arm-network';
import { TEST_RUN_COMMAND_MS } from '../support/bot.js';
import { ResourceManagementClient } from '@azure/arm-resources';
import { StorageManagementClient } from '@azure/arm-storage';
import { ComputeManagementClient } from '@azure/arm-compute';
import { ClientSecretCredential } from '@azure/identity';
import { SignJWT, createLocalJWKSet, decodeJwt, decodeProtectedHeader, generateKeyPair, jwtVerify, type JSONWebKeySet } from 'jose';
import { OTHER_TENANT_ID } from '../../src/sandbox/azure/entra.js';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { AZURITE_KEY } from '../../src/sandbox/azure/azurite.js';
import { startArmSimulator, type RunningArmSimulator } from '../../src/sandbox/azure/index.js';
import { simulatorClientOptions, simulatorCredentialOptions } from '../../src/sandbox/azure/client-options.js';
import { SimulatorControl, type RawAnswer } from '../../src/sandbox/azure/control-client.js';
import { blobEndpoint, trustingSimulator, withExtraRoles } from '../support/stand-ins.js';

/*
 * How a client reaches the simulator (the SDK refuses bearer tokens over plain HTTP, and the
 * simulator's certificate is made at start, so it must be trusted explicitly):
 *
 *   const credential = new ClientSecretCredential(sim.tenantId, sim.clientId, sim.clientSecret, {
 *     authorityHost: sim.armEndpoint,      // the Entra ID stand-in lives on the same server
 *     disableInstanceDiscovery: true,      // else MSAL asks the public cloud about the authority
 *     tlsOptions: { ca: sim.caCertPem },   // token requests go through the identity pipeline too
 *   });                                    // = simulatorCredentialOptions(sim)
 *   new ComputeManagementClient(credential, sim.subscriptionId, {
 *     endpoint: sim.armEndpoint, tlsOptions: { ca: sim.caCertPem }, retryOptions: { ... },
 *   });                                    // = simulatorClientOptions(sim)
 *
 * `tlsOptions` (a PipelineOptions field) works for modular and older clients alike: the
 * pipeline's TLS policy sets request.tlsSettings and the HTTP client caches one agent for it.
 */

let sim: RunningArmSimulator;
let control: SimulatorControl;
let credential: ClientSecretCredential;

beforeAll(async () => {
  sim = await startArmSimulator({ blobEndpoint: blobEndpoint(), blobAccountKey: AZURITE_KEY });
  control = new SimulatorControl(sim);
  await control.settings({ runCommandMs: TEST_RUN_COMMAND_MS });
  credential = new ClientSecretCredential(sim.tenantId, sim.clientId, sim.clientSecret, simulatorCredentialOptions(sim));
});

afterAll(async () => {
  await sim?.stop();
});

afterEach(async () => {
  await control.setFaults([]);
});

describe('Entra ID stand-in', () => {
  it('gives a real ClientSecretCredential a bearer token that ARM accepts', async () => {
    const resources = new ResourceManagementClient(credential, sim.subscriptionId, simulatorClientOptions(sim));
    const group = await resources.resourceGroups.get(sim.resourceGroup);
    expect(group).toMatchObject({ name: sim.resourceGroup, location: sim.location });
  });

  it('refuses a wrong client secret with AADSTS7000215', async () => {
    const wrong = new ClientSecretCredential(sim.tenantId, sim.clientId, 'not-the-secret', simulatorCredentialOptions(sim));
    await expect(wrong.getToken('https://management.azure.com/.default')).rejects.toThrow(/AADSTS7000215/);
  });

  it('answers ARM calls without a valid bearer token with 401', async () => {
    const path = `/subscriptions/${sim.subscriptionId}/resourcegroups/${sim.resourceGroup}?api-version=2021-04-01`;
    const forged = await control.request('GET', path, { bearer: 'made-up-token' });
    expect(forged.status).toBe(401);
    expect(forged.body).toMatchObject({ error: { code: 'InvalidAuthenticationToken' } });
    const missing = await control.request('GET', path);
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ error: { code: 'AuthenticationFailed' } });
  });

  it("issues tokens as Entra ID does: a JWT for the scope's resource, from the tenant's v1 issuer, naming the app's service principal", async () => {
    const { token } = await credential.getToken('https://storage.azure.com/.default');
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ aud: 'https://storage.azure.com', iss: `https://sts.windows.net/${sim.tenantId}/`, tid: sim.tenantId, appid: sim.clientId });
    expect(claims.oid).toMatch(/^[0-9a-f-]{36}$/);
    expect(claims.exp! - claims.iat!).toBeGreaterThan(3000);
  });

  it('signs tokens RS256 with a key its OpenID metadata lists at jwks_uri, and marks them app-only with a client secret', async () => {
    const { token } = await credential.getToken('https://management.azure.com/.default');
    const header = decodeProtectedHeader(token);
    expect(header).toMatchObject({ alg: 'RS256', typ: 'JWT', kid: expect.any(String) });
    expect(decodeJwt(token)).toMatchObject({ idtyp: 'app', appidacr: '1' });
    const metadata = await control.request('GET', `/${sim.tenantId}/v2.0/.well-known/openid-configuration`);
    const jwksUri = (metadata.body as { jwks_uri: string }).jwks_uri;
    expect(jwksUri).toBe(`${sim.armEndpoint}/${sim.tenantId}/discovery/v2.0/keys`);
    const jwks = (await control.request('GET', jwksUri)).body as JSONWebKeySet;
    expect(jwks.keys.map((key) => key.kid)).toContain(header.kid);
    // Anyone holding the published key can check the signature, as any resource does.
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { algorithms: ['RS256'] });
    expect(payload.tid).toBe(sim.tenantId);
  });

  it('refuses at ARM a token signed by a key not at the jwks_uri, even with the right kid', async () => {
    const { token } = await credential.getToken('https://management.azure.com/.default');
    const { privateKey } = await generateKeyPair('RS256');
    const impostor = await new SignJWT(decodeJwt(token)).setProtectedHeader(decodeProtectedHeader(token) as { alg: string }).sign(privateKey);
    const answer = await control.request('GET', `/subscriptions/${sim.subscriptionId}/resourcegroups/${sim.resourceGroup}?api-version=2021-04-01`, { bearer: impostor });
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ error: { code: 'InvalidAuthenticationToken' } });
  });

  it("refuses at ARM a genuine token from another tenant with InvalidAuthenticationTokenTenant, in ARM's words", async () => {
    const elsewhere = new ClientSecretCredential(OTHER_TENANT_ID, sim.clientId, sim.clientSecret, simulatorCredentialOptions(sim));
    const { token } = await elsewhere.getToken('https://management.azure.com/.default');
    expect(decodeJwt(token)).toMatchObject({ tid: OTHER_TENANT_ID, iss: `https://sts.windows.net/${OTHER_TENANT_ID}/` });
    const answer = await control.request('GET', `/subscriptions/${sim.subscriptionId}/resourcegroups/${sim.resourceGroup}?api-version=2021-04-01`, { bearer: token });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({
      error: {
        code: 'InvalidAuthenticationTokenTenant',
        message: `The access token is from the wrong issuer 'https://sts.windows.net/${OTHER_TENANT_ID}/'. It must match the tenant 'https://sts.windows.net/${sim.tenantId}/' associated with this subscription. Please use the authority (URL) 'https://login.windows.net/${sim.tenantId}' to get the token. Note, if the subscription is transferred to another tenant there is no impact to the services, but information about new tenant could take time to propagate (up to an hour). If you just transferred your subscription and see this error message, please try back later.`,
      },
    });
  });

  it('refuses at ARM a token meant for storage, as ARM refuses a token for another audience', async () => {
    const { token } = await credential.getToken('https://storage.azure.com/.default');
    const answer = await control.request('GET', `/subscriptions/${sim.subscriptionId}/resourcegroups/${sim.resourceGroup}?api-version=2021-04-01`, { bearer: token });
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ error: { code: 'InvalidAuthenticationTokenAudience' } });
    expect(JSON.stringify(answer.body)).toContain("obtained for wrong audience or resource 'https://storage.azure.com'");
  });

  it('refuses at the storage account a token it did not issue, with the challenge Azure Storage sends', async () => {
    const { token } = await credential.getToken('https://storage.azure.com/.default');
    const [header, payload] = token.split('.');
    const forged = `${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`;
    const answer = await control.request('GET', `${sim.storageBlobEndpoint}?comp=list`, { bearer: forged, headers: { 'x-ms-version': '2025-11-05' } });
    expect(answer.status).toBe(401);
    expect(answer.headers['x-ms-error-code']).toBe('InvalidAuthenticationInfo');
    expect(answer.headers['www-authenticate']).toBe(`Bearer authorization_uri=https://login.microsoftonline.com/${sim.tenantId}/oauth2/authorize resource_id=https://storage.azure.com`);
    const genuine = await control.request('GET', `${sim.storageBlobEndpoint}?comp=list`, { bearer: token, headers: { 'x-ms-version': '2025-11-05' } });
    expect(genuine.status).toBe(200);
  });
});

describe('what a connector Test checks', () => {
  it('shows the storage account with Azurite (behind the Shared Key gateway) as blob endpoint, and listKeys returns a key Azurite accepts', async () => {
    const storage = new StorageManagementClient(credential, sim.subscriptionId, simulatorClientOptions(sim));
    const account = await storage.storageAccounts.getProperties(sim.resourceGroup, sim.storageAccount);
    expect(account.location).toBe(sim.location);
    expect(account.kind).toBe('StorageV2');
    expect(account.primaryEndpoints?.blob).toBe(`${sim.storageBlobEndpoint}/`);
    expect(account.allowSharedKeyAccess).toBeUndefined();

    const { keys } = await storage.storageAccounts.listKeys(sim.resourceGroup, sim.storageAccount);
    const key1 = keys?.find((key) => key.keyName === 'key1');
    expect(key1?.permissions).toBe('FULL');
    const blobs = new BlobServiceClient(account.primaryEndpoints!.blob!, new StorageSharedKeyCredential(sim.storageAccount, key1!.value!), trustingSimulator(sim));
    await expect(blobs.getProperties()).resolves.toBeDefined();
  });

  it('has the packaging subnet under Microsoft.Network', async () => {
    const network = new NetworkManagementClient(credential, sim.subscriptionId, simulatorClientOptions(sim));
    const subnet = await network.subnets.get(sim.resourceGroup, 'oslayer-vnet', 'packaging');
    expect(subnet.id).toBe(sim.subnetId);
    expect(subnet.addressPrefix).toMatch(/^10\./);
  });

  it('lists VM sizes with their vCPUs for the region only', async () => {
    const compute = new ComputeManagementClient(credential, sim.subscriptionId, simulatorClientOptions(sim));
    const vcpus = new Map<string, string | undefined>();
    for await (const sku of compute.resourceSkus.list({ filter: `location eq '${sim.location}'` })) {
      vcpus.set(sku.name!, sku.capabilities?.find((capability) => capability.name === 'vCPUs')?.value);
    }
    expect(Object.fromEntries(vcpus)).toEqual({
      Standard_A1_v2: '1',
      Standard_A2_v2: '2',
      Standard_D2s_v3: '2',
      Standard_D4s_v5: '4',
    });
    const elsewhere = [];
    for await (const sku of compute.resourceSkus.list({ filter: "location eq 'westeurope'" })) elsewhere.push(sku);
    expect(elsewhere).toEqual([]);
  });

  it('creates, finds and reports resource groups, and says which do not exist', async () => {
    const resources = new ResourceManagementClient(credential, sim.subscriptionId, simulatorClientOptions(sim));
    // Creating a resource group takes rights the app is not given (Reader on the subscription): an admin's.
    await withExtraRoles(control, sim.clientId, [{ role: 'Contributor', scope: `/subscriptions/${sim.subscriptionId}` }], async () => {
      await resources.resourceGroups.createOrUpdate('oslayer-extra', { location: sim.location, tags: { purpose: 'test' } });
    });
    expect((await resources.resourceGroups.checkExistence('oslayer-extra')).body).toBe(true);
    expect((await resources.resourceGroups.checkExistence('no-such-group')).body).toBe(false);
    await expect(resources.resourceGroups.get('no-such-group')).rejects.toMatchObject({
      statusCode: 404,
      code: 'ResourceGroupNotFound',
    });
    expect(sim.inventory()).toContainEqual(
      expect.objectContaining({ type: 'Microsoft.Resources/resourceGroups', name: 'oslayer-extra', tags: { purpose: 'test' } }),
    );
  });
});

describe('injected faults', () => {
  const groupPath = () => `/subscriptions/${sim.subscriptionId}/resourcegroups/${sim.resourceGroup}$`;

  it('a 429 with Retry-After is retried by the SDK and the call succeeds', async () => {
    await control.setFaults([{ method: 'GET', pathPattern: groupPath(), status: 429, retryAfterSeconds: 1 }]);
    const resources = new ResourceManagementClient(credential, sim.subscriptionId, simulatorClientOptions(sim));
    await expect(resources.resourceGroups.get(sim.resourceGroup)).resolves.toMatchObject({ name: sim.resourceGroup });
    expect(await control.faults()).toEqual([]);
  });

  it('a 500 twice, then the call succeeds on the third try', async () => {
    await control.setFaults([{ pathPattern: groupPath(), status: 500, times: 2 }]);
    const compute = new ResourceManagementClient(credential, sim.subscriptionId, simulatorClientOptions(sim));
    await expect(compute.resourceGroups.get(sim.resourceGroup)).resolves.toMatchObject({ name: sim.resourceGroup });
    expect(await control.faults()).toEqual([]);
  });

  it('answers faulted requests in ARM shape and keeps what is not used up', async () => {
    await control.setFaults([
      { pathPattern: '/resourcegroups/', status: 503, code: 'ServiceUnavailable', times: 2 },
      { method: 'DELETE', pathPattern: '.', status: 409 },
    ]);
    const token = (await credential.getToken('https://management.azure.com/.default')).token;
    const answer = await control.request('GET', `${groupPath().slice(0, -1)}?api-version=2021-04-01`, { bearer: token });
    expect(answer.status).toBe(503);
    expect(answer.body).toEqual({ error: { code: 'ServiceUnavailable', message: expect.any(String) } });
    expect(await control.faults()).toEqual([
      expect.objectContaining({ pathPattern: '/resourcegroups/', times: 1 }),
      expect.objectContaining({ method: 'DELETE', times: 1 }),
    ]);
  });

  it('rejects a fault list it cannot use', async () => {
    const answer = await control.request('PUT', '/_simulator/faults', { body: { faults: [{ pathPattern: '(', status: 429 }] } });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: { code: 'InvalidParameter' } });
  });
});

describe('guest control', () => {
  it('remembers flags by VM name before the VM exists and keeps omitted flags', async () => {
    await control.setGuest('future-vm', { ngenQueued: true });
    const flags = await control.setGuest('future-vm', { msiInProgress: true });
    expect(flags).toEqual({
      driverRebootPending: false,
      deviceRestartPending: false,
      rebootPending: false,
      windowsUpdateRebootRequired: false,
      updateAgentRebootRequired: false,
      fileRenamesPending: false,
      computerRenamePending: false,
      domainJoinPending: false,
      msiInProgress: true,
      installerInProgress: false,
      ngenInProgress: false,
      ngenQueued: true,
      ngenTasksDisabled: false,
      powershell32bit: false,
      runOnce: [],
      smsCfgPresent: false,
      ngenOutlastsBudget: false,
      failProbe: null,
      emitWarning: false,
      bom: false,
      // A new guest's Windows Update: nothing pending or installed, a couple of programs, never booted.
      pendingUpdates: [],
      installedUpdates: [],
      updateHistory: [],
      installedDrivers: [],
      installedPrograms: [
        { name: 'Microsoft Edge', version: '127.0.2651.98', publisher: 'Microsoft Corporation' },
        { name: 'Microsoft Update Health Tools', version: '5.72.0.0', publisher: 'Microsoft Corporation' },
      ],
      boots: 0,
      agentBootMs: 0,
      searchError: null,
      language: 'en-US',
    });
  });

  it('keeps pending updates apart from the flags, and refuses a malformed one', async () => {
    const update = { kb: 'KB5041578', title: 'Cumulative Update', classification: 'Security Updates' as const, rebootRequired: true, appearsAfterRestart: true };
    const guest = await control.setGuest('update-vm', { pendingUpdates: [update], rebootPending: true });
    expect(guest.pendingUpdates).toEqual([{ ...update, browseOnly: false, reappears: false, fails: false, offered: false }]);
    expect(guest.rebootPending).toBe(true);
    const answer = await control.request('PUT', '/_simulator/guest/update-vm', { body: { pendingUpdates: [{ ...update, kb: '5041578' }] } });
    expect(answer.status).toBe(400);
  });

  it('takes guest defaults with the same fields, refusing what a guest refuses, and {} clears them', async () => {
    expect(await control.setGuestDefaults({ language: 'ja-JP', powershell32bit: true })).toEqual({ language: 'ja-JP', powershell32bit: true });
    expect((await control.request('PUT', '/_simulator/guest-defaults', { body: { language: 'xx-XX' } })).status).toBe(400);
    expect((await control.request('PUT', '/_simulator/guest-defaults', { body: { powershell32bit: 'yes' } })).status).toBe(400);
    // A name given its own fields before any VM exists is not touched until a VM of that name is created.
    expect((await control.setGuest('defaults-vm', {})).powershell32bit).toBe(false);
    expect(await control.setGuestDefaults({})).toEqual({});
  });

  it('rejects flags it does not know', async () => {
    const answer = await control.request('PUT', '/_simulator/guest/some-vm', { body: { rebootPending: true, bsod: true } });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: { code: 'InvalidParameter', message: expect.stringContaining('bsod') } });
    const unknownProbe = await control.request('PUT', '/_simulator/guest/some-vm', { body: { failProbe: 'everything' } });
    expect(unknownProbe.status).toBe(400);
  });
});

describe("ARM's per-subscription throttling", () => {
  it('counts down x-ms-ratelimit-remaining-subscription-reads, and writes from their own bucket', async () => {
    const bearer = (await credential.getToken('https://management.azure.com/.default')).token;
    const path = `/subscriptions/${sim.subscriptionId}/resourcegroups/${sim.resourceGroup}?api-version=2025-04-01`;
    const remaining = (answer: RawAnswer) => Number(answer.headers['x-ms-ratelimit-remaining-subscription-reads']);
    const first = await control.request('GET', path, { bearer });
    expect(remaining(first)).toBeLessThanOrEqual(249);
    // A burst at once, so the bucket's refill (25 a second, one per 40 ms) can't keep up on a busy machine.
    const burst = await Promise.all(Array.from({ length: 30 }, () => control.request('GET', path, { bearer })));
    expect(Math.min(...burst.map(remaining))).toBeLessThan(remaining(first));


    // Writes have their own bucket (creating a resource group is an admin's right, not the app's).
    await withExtraRoles(control, sim.clientId, [{ role: 'Contributor', scope: `/subscriptions/${sim.subscriptionId}` }], async () => {
      const write = await control.request('PUT', `/subscriptions/${sim.subscriptionId}/resourcegroups/throttle-test?api-version=2025-04-01`, {
        bearer,
        body: { location: sim.location },
      });
      expect(write.status).toBe(201);
      expect(write.headers['x-ms-ratelimit-remaining-subscription-writes']).toBe('199');
    });
  });
});
