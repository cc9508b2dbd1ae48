import { startTestBot, type TestBot } from '../support/bot.js';
import { DEMO_LAYER_NAME } from '../../src/sandbox/index.js';
import { createVersion } from '../../src/workflow/create-version.js';
import { GIB } from '../../src/azure/vhd.js';
import { TASK_TAG } from '../../src/azure/machine-spec.js';
import { encryptSecret } from '../../src/secrets.js';
import { SimulatorControl } from '../../src/sandbox/azure/control-client.js';
import { SlackClientSim } from '../support/interactions.js';
import { TASK_ACTIONS } from '../../views/task-message.js';
import type { RecordedCall } from '../../src/sandbox/slack/web-api.js';
import type { LayerVersion, OsLayer } from '../../src/domain/model.js';

let t: TestBot;
let layer: OsLayer;
let base: LayerVersion;
beforeAll(async () => {
  t = await startTestBot({ sandbox: { enabled: true } });
  layer = (await t.bot.services.repos.layers.findOne({ name: DEMO_LAYER_NAME }))!;
  base = (await t.bot.services.repos.versions.get(layer.latestVersionId!))!;
});
afterAll(async () => {
  await t.stop();
});

interface Button {
  text: { text: string };
  url?: string;
  action_id: string;
  confirm?: { text: { text: string } };
}

function buttonsOf(call: RecordedCall): Button[] {
  const blocks = call.args.blocks as Array<{ type: string; elements?: Button[] }>;
  return blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []);
}

function textOf(call: RecordedCall): string {
  return JSON.stringify(call.args.blocks);
}

async function startVersion(name: string, overrides: Partial<Parameters<typeof createVersion>[1]> = {}) {
  const { services } = t.bot;
  const result = await createVersion(services, {
    layerId: layer._id,
    name,
    description: 'November cumulative update',
    baseVersionId: base._id,
    maxLayerSizeGb: 2,
    connectorId: layer.connectorId,
    packagingDiskFilename: `${name}-packaging.vhd`,
    requestedBy: 'UADMIN1',
    ...overrides,
  });
  if (!result.ok) throw new Error(result.message);
  const where = await services.notifier.post(result.task._id, 'COSLAYER');
  return { ...result, where };
}

function updatesOf(ts: string) {
  return (c: RecordedCall) => c.args.ts === ts;
}

describe('publish-packaging-disk', () => {
  it('publishes the packaging disk and posts Action Required with a working portal link', async () => {
    const { version, task, where } = await startVersion('2026-11');
    const update = await t.slack.waitForCall('chat.update', (c) => updatesOf(where.ts)(c) && textOf(c).includes('Action Required'), 20_000);

    const buttons = buttonsOf(update);
    expect(buttons.map((b) => b.text.text)).toEqual(['Create Packaging Machine', 'Finalize', 'Deploy for me', 'Shutdown for Finalize', 'Cancel']);
    const link = buttons[0]!.url!;
    const prefix = 'https://portal.azure.com/#create/Microsoft.Template/uri/';
    expect(link.startsWith(prefix)).toBe(true);
    const templateUrl = decodeURIComponent(link.slice(prefix.length));
    expect(templateUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\/oslayer-templates\/.+\.json\?.*sig=/);
    // A user delegation SAS (signed with a key from Microsoft Entra ID, not the account key), read-only, over HTTPS only.
    const sas = new URL(templateUrl).searchParams;
    expect(sas.get('skoid')).toBeTruthy();
    expect([sas.get('sp'), sas.get('spr')]).toEqual(['r', 'https']);
    expect(textOf(update)).toContain('<@UADMIN1>');
    expect(textOf(update)).toContain("original OS machine");
    expect(textOf(update)).toContain('simulated Azure');

    // The portal fetches the template from the browser: CORS must let it.
    const res = await new SimulatorControl(t.bot.sandbox!.simulator).request('GET', templateUrl, { headers: { Origin: 'https://portal.azure.com' } });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toMatch(/^(https:\/\/portal\.azure\.com|\*)$/);
    const template = res.body as { $schema: string; resources: Array<{ type: string; tags: Record<string, string> }> };
    // Resource-group scope by default (the connector's Portal template scope): the machine's resources themselves.
    expect(template.$schema).toContain('/deploymentTemplate.json');
    const machine = template.resources;
    expect(machine.map((r) => r.type)).toEqual(['Microsoft.Compute/virtualMachines']);
    for (const resource of machine) expect(resource.tags[TASK_TAG]).toBe(task._id);

    // The machine's OS disk is already uploaded, tagged, and waits Unattached for either path to attach it.
    const { repos, azure } = t.bot.services;
    const connector = (await repos.connectors.get(version.connectorId))!;
    const session = azure.session(connector);
    expect(await session.machines.diskState('2026-11-packaging-osdisk')).toBe('Unattached');
    expect(await session.machines.findByTag(TASK_TAG, task._id)).toEqual([expect.objectContaining({ type: 'Microsoft.Compute/disks', name: '2026-11-packaging-osdisk' })]);

    // The packaging disk reports the Max Layer Size; the base VHD is untouched.
    const blobs = await azure.session(connector).blobs();
    const packaging = await blobs.readVhdFooter({ container: connector.container, blob: version.packagingDiskFilename });
    expect(packaging.currentSize).toBe(2 * GIB);
    const baseFooter = await blobs.readVhdFooter({ container: connector.container, blob: base.diskUri! });
    expect(baseFooter.currentSize).toBe(base.diskSizeBytes);

    const stored = await repos.versions.get(version._id);
    expect(stored?.status).toBe('action-required');
    // The button goes when the link stops working: the SAS's own end, within a user delegation key's 7 days.
    expect(stored?.portalLink?.expiresAt.getTime()).toBe(Date.parse(sas.get('se')!));
    expect(stored!.portalLink!.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 7 * 24 * 3600_000);
    const storedTask = await repos.tasks.get(task._id);
    expect(storedTask?.status).toBe('action-required');
    expect(storedTask?.steps.map((s) => s.status)).toEqual(storedTask?.steps.map(() => 'done'));
    expect(stored?.packagingMachine?.name).toBe('2026-11-packaging');
    // History lines go out at Slack's pace of about one a second per channel, so the last may follow the update.
    await t.slack.waitForCall('chat.postMessage', (c) => c.args.thread_ts === where.ts && String(c.args.text).includes('Action Required'));
    const thread = t.slack.callsTo('chat.postMessage').filter((c) => c.args.thread_ts === where.ts).map((c) => String(c.args.text));
    expect(thread).toEqual(expect.arrayContaining([expect.stringContaining('Copied the base version disk'), expect.stringContaining('Action Required')]));
  });

  it('fails with a readable reason and nothing left behind when the base VHD is missing (no Retry: it would fail again)', async () => {
    const { repos, azure } = t.bot.services;
    const now = new Date();
    const orphan: LayerVersion = { ...base, _id: 'orphan-base', name: 'orphan', diskUri: 'demo/does-not-exist.vhd', createdAt: now, updatedAt: now };
    await repos.versions.insert(orphan);
    const { version, where } = await startVersion('2026-12', { baseVersionId: orphan._id });
    const update = await t.slack.waitForCall('chat.update', (c) => updatesOf(where.ts)(c) && textOf(c).includes('Failed'), 20_000);
    expect(textOf(update)).toContain("the base version's VHD oslayer-layers/demo/does-not-exist.vhd is missing");
    expect(buttonsOf(update).map((b) => b.text.text)).toEqual(['Cancel']);
    const connector = (await repos.connectors.get(version.connectorId))!;
    const blobs = await azure.session(connector).blobs();
    expect(await blobs.blobProperties({ container: connector.container, blob: version.packagingDiskFilename })).toEqual({ exists: false });
    expect((await repos.versions.get(version._id))?.status).toBe('failed');
  });

  it('fails with the connector error in plain words and offers Retry when Azure refuses the credentials', async () => {
    const { repos, secretKey } = t.bot.services;
    const good = (await repos.connectors.get(layer.connectorId))!;
    const wrongSecret = 'not-the-client-secret-9f2';
    const refused = {
      ...good,
      _id: 'connector-wrong-secret',
      name: 'Sandbox with a stale secret',
      auth: { kind: 'client-secret' as const, clientId: (good.auth as { clientId: string }).clientId, clientSecretEncrypted: encryptSecret(wrongSecret, secretKey) },
    };
    await repos.connectors.insert(refused);
    const { where } = await startVersion('2027-01', { connectorId: refused._id });
    const update = await t.slack.waitForCall('chat.update', (c) => updatesOf(where.ts)(c) && textOf(c).includes('Failed'), 20_000);
    expect(textOf(update)).toContain("the connector's credentials were refused");
    expect(buttonsOf(update).map((b) => b.text.text)).toEqual(['Retry', 'Cancel']);
    expect(textOf(update)).not.toContain(wrongSecret);
    expect(t.logLines.join('\n')).not.toContain(wrongSecret);

    // The admin fixes the secret and clicks Retry: publishing runs again to Action Required.
    await repos.connectors.update(refused._id, { auth: good.auth });
    const clicks = new SlackClientSim(t);
    await clicks.start();
    try {
      await clicks.clickInMessage('UADMIN1', { blocks: update.args.blocks }, TASK_ACTIONS.retry, { channel: 'COSLAYER' });
      await t.slack.waitForCall('chat.update', (c) => updatesOf(where.ts)(c) && textOf(c).includes('Create Packaging Machine'), 20_000);
    } finally {
      await clicks.stop();
    }
  });
});
