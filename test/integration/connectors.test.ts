import { randomUUID } from 'node:crypto';
import type { TestBot } from '../support/bot.js';
import { useTestBot } from '../support/world.js';
import type { SlackClientSim } from '../support/interactions.js';
import { simulatedConnector } from '../../src/sandbox/simulated-connector.js';
import { decryptSecret } from '../../src/secrets.js';
import type { ConnectorConfig } from '../../src/domain/model.js';
import { ACTION, CALLBACK, CONNECTOR_FIELD as F } from '../../views/ids.js';
import { checkBlockKitLimits } from '../../views/limits.js';

const ADMIN = 'UADMIN1';
const MANAGER = 'UMANAGER2';
const READER = 'UREADER2';
const SECRET = 'Connector-Secret~Never-Shown-4411';
const SUB = '11111111-2222-3333-4444-555555555555';

type Json = Record<string, any>;

let t: TestBot;
let c: SlackClientSim;
let sandbox: ConnectorConfig;
let tiny: ConnectorConfig;

useTestBot(async (w) => {
  ({ t, sim: c } = w);
  const { repos, secretKey } = t.bot.services;
  await repos.roles.insert({ _id: MANAGER, role: 'manage-os-layers', assignedBy: ADMIN, at: new Date() });
  sandbox = t.bot.sandbox!.connector;
  // The same simulated subscription, with a one-vCPU machine size the VM size check must refuse.
  tiny = simulatedConnector(t.bot.sandbox!.simulator, secretKey, { name: 'Tiny machines', vmSize: 'Standard_A1_v2' });
  await repos.connectors.insert(tiny);
}, { sandbox: { enabled: true } });

function validForm(name: string, secret: string | null = SECRET): Record<string, string | null> {
  return {
    [F.connectorName]: name,
    [F.tenantId]: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    [F.subscriptionId]: SUB,
    [F.clientId]: 'ffffffff-0000-1111-2222-333333333333',
    [F.clientSecret]: secret,
    [F.resourceGroup]: 'rg-layers',
    [F.storageAccount]: 'layerstore01',
    [F.container]: 'os-layers',
    [F.location]: 'eastus',
    [F.subnetId]: `/subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/packaging`,
  };
}

async function list(user: string): Promise<Json> {
  const ack = await c.command(user, 'connectors');
  expect(ack.response_type).toBe('ephemeral');
  return ack;
}

function lastResponse(): Json {
  return c.responses.at(-1)!.body;
}

describe('/oslayer connectors', () => {
  it('lists connectors for everyone; only Administrators get the buttons', async () => {
    const forAdmin = JSON.stringify((await list(ADMIN)).blocks);
    expect(forAdmin).toContain(sandbox.name);
    expect(forAdmin).toContain(ACTION.connectorsEdit);
    expect(forAdmin).toContain(ACTION.connectorsDelete);
    const forReader = JSON.stringify((await list(READER)).blocks);
    expect(forReader).toContain(sandbox.name);
    expect(forReader).not.toContain(ACTION.connectorsEdit);
    expect(forReader).not.toContain(ACTION.connectorsNew);
  });

  it('creates a connector with New, keeping the secret encrypted and out of every message and log line', async () => {
    const mark = c.mark();
    await c.clickInMessage(ADMIN, await list(ADMIN), ACTION.connectorsNew);
    await c.waitForCallAfter(mark, 'views.open');
    expect(c.topView(ADMIN).view.callback_id).toBe(CALLBACK.connector);

    // A bad field comes back on its own input, and nothing is saved.
    const bad = await c.submit(ADMIN, { ...validForm('West Europe'), [F.tenantId]: 'not-a-guid' });
    expect(bad).toEqual({ response_action: 'errors', errors: { [F.tenantId]: expect.stringContaining('GUID') } });

    const answer = await c.submit(ADMIN, validForm('West Europe'));
    expect(answer.response_action).toBe('update');
    expect(JSON.stringify(answer.view)).toContain('Saved connector “West Europe”');
    const saved = await t.bot.services.repos.connectors.findOne({ name: 'West Europe' });
    expect(saved).toMatchObject({ cloud: 'AzureCloud', vmSize: 'Standard_A2_v2', createdBy: ADMIN, auth: { kind: 'client-secret' } });
    expect(JSON.stringify(saved)).not.toContain(SECRET);
    expect(saved!.auth.kind === 'client-secret' && decryptSecret(saved!.auth.clientSecretEncrypted, t.bot.services.secretKey)).toBe(SECRET);
    expect(await t.bot.services.repos.audit.findOne({ action: 'connector.create', target: `connector:${saved!._id}` })).not.toBeNull();

    // A second connector with the same name is refused on the name.
    const again = c.mark();
    await c.clickInMessage(ADMIN, await list(ADMIN), ACTION.connectorsNew);
    await c.waitForCallAfter(again, 'views.open');
    const dup = await c.submit(ADMIN, validForm('West Europe'));
    expect(dup.errors).toEqual({ [F.connectorName]: expect.stringContaining('already exists') });
  });

  it('edits a connector without showing its secret; a blank secret keeps the stored one', async () => {
    const stored = (await t.bot.services.repos.connectors.findOne({ name: 'West Europe' }))!;
    const mark = c.mark();
    await c.clickInMessage(ADMIN, await list(ADMIN), ACTION.connectorsEdit, { value: stored._id });
    const opened = await c.waitForCallAfter(mark, 'views.open');
    const view = opened.args.view as Json;
    expect(view.title.text).toBe('Edit Connector');
    expect(JSON.stringify(view)).not.toContain(SECRET);
    expect(JSON.stringify(view)).not.toContain((stored.auth as { clientSecretEncrypted: string }).clientSecretEncrypted);

    const answer = await c.submit(ADMIN, { [F.clientSecret]: null, [F.location]: 'westeurope' });
    expect(answer.response_action).toBe('update');
    const edited = (await t.bot.services.repos.connectors.get(stored._id))!;
    expect(edited.location).toBe('westeurope');
    expect(edited.auth.kind === 'client-secret' && decryptSecret(edited.auth.clientSecretEncrypted, t.bot.services.secretKey)).toBe(SECRET);
  });

  it('refuses Edit to a Read Only user with an ephemeral message naming the role', async () => {
    const mark = c.mark();
    const before = c.responses.length;
    await c.clickInMessage(READER, await list(ADMIN), ACTION.connectorsEdit, { value: sandbox._id });
    await c.waitForResponses(before + 1);
    expect(lastResponse()).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(lastResponse().text).toContain('needs the Administrator role, and you have Read Only');
    expect(t.slack.calls.slice(mark).filter((call) => call.method === 'views.open')).toEqual([]);
  });

  it('tests a connector and reports each check on its own line', async () => {
    const before = c.responses.length;
    await c.clickInMessage(ADMIN, await list(ADMIN), ACTION.connectorsTest, { value: sandbox._id });
    await c.waitForResponses(before + 2);
    const result = lastResponse();
    expect(result.response_type).toBe('ephemeral');
    const lines = (result.blocks[1].text.text as string).split('\n');
    expect(lines.map((l) => l.slice(0, 1) + l.match(/\*([^*]+)\*/)![1])).toEqual([
      '✅Credentials',
      '✅Storage account',
      '✅Shared Key (account key) access',
      '✅Blob data access (Microsoft Entra ID)',
      '✅User delegation key (SAS links)',
      '✅Location matches the storage account',
      '✅Resource group',
      '✅Subnet',
      '✅Packaging machine access',
      '✅VM size',
      '✅Azure role assignments',
    ]);
  });

  it('shows the VM size check failing for a one-vCPU size', async () => {
    const before = c.responses.length;
    await c.clickInMessage(ADMIN, await list(ADMIN), ACTION.connectorsTest, { value: tiny._id });
    await c.waitForResponses(before + 2);
    const result = lastResponse();
    expect(result.text).toContain('1 of 11 checks failed');
    const lines = (result.blocks[1].text.text as string).split('\n');
    expect(lines).toHaveLength(11);
    expect(lines[9]).toMatch(/^❌ \*VM size\*: Standard_A1_v2 has 1 vCPU/);
    expect([...lines.slice(0, 9), lines[10]].every((l) => l!.startsWith('✅'))).toBe(true);
  });

  it('refuses to delete a connector a layer uses, and one an open task uses; deletes an unused one', async () => {
    const { repos } = t.bot.services;
    let before = c.responses.length;
    await c.clickInMessage(ADMIN, await list(ADMIN), ACTION.connectorsDelete, { value: sandbox._id });
    await c.waitForResponses(before + 1);
    expect(lastResponse().text).toContain('was not deleted: the disks of OS layer "Windows Server 2022 (demo)" live in its storage account');
    expect(await repos.connectors.get(sandbox._id)).not.toBeNull();

    const now = new Date();
    const versionId = randomUUID();
    await repos.versions.insert({
      _id: versionId, layerId: 'some-layer', name: 'in-flight', description: '', maxLayerSizeGb: 100, connectorId: tiny._id,
      packagingDiskFilename: 'in-flight.vhd', status: 'action-required', createdBy: ADMIN, createdAt: now, updatedAt: now,
    });
    const taskId = randomUUID();
    await repos.tasks.insert({ _id: taskId, kind: 'add-version', layerId: 'some-layer', versionId, status: 'action-required', steps: [], startedBy: ADMIN, createdAt: now, updatedAt: now });
    before = c.responses.length;
    await c.clickInMessage(ADMIN, await list(ADMIN), ACTION.connectorsDelete, { value: tiny._id });
    await c.waitForResponses(before + 1);
    expect(lastResponse().text).toContain('1 open task uses it');
    expect(await repos.connectors.get(tiny._id)).not.toBeNull();

    const unused = (await repos.connectors.findOne({ name: 'West Europe' }))!;
    before = c.responses.length;
    await c.clickInMessage(ADMIN, await list(ADMIN), ACTION.connectorsDelete, { value: unused._id });
    await c.waitForResponses(before + 2);
    expect(await repos.connectors.get(unused._id)).toBeNull();
    const [redrawn, note] = c.responses.slice(before).map((r) => r.body);
    expect(redrawn!.replace_original).toBe(true);
    expect(JSON.stringify(redrawn!.blocks)).not.toContain('West Europe');
    expect(note!.text).toContain('Deleted connector “West Europe”');
  });

  it('refuses New to a manager (connectors are for Administrators)', async () => {
    const before = c.responses.length;
    await c.clickInMessage(MANAGER, await list(ADMIN), ACTION.connectorsNew);
    await c.waitForResponses(before + 1);
    expect(lastResponse().text).toContain('needs the Administrator role, and you have Manage OS Layers');
  });

  // Last: everything above, checked for the secret and for Slack's limits.
  it('never put the secret in a Slack call, a response or a log line, and every view and message fits Slack', () => {
    const everything = JSON.stringify([t.slack.calls.map((call) => call.args), c.responses, c.ackSurfaces]);
    expect(everything).not.toContain(SECRET);
    expect(t.logLines.filter((l) => l.includes(SECRET))).toEqual([]);
    for (const s of c.allSurfaces()) expect({ via: s.via, problems: checkBlockKitLimits(s.surface, s.kind) }).toEqual({ via: s.via, problems: [] });
  });
});
