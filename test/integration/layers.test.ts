import type { TestBot } from '../support/bot.js';
import { useTestBot } from '../support/world.js';
import type { SlackClientSim } from '../support/interactions.js';
import { DEMO_LAYER_NAME } from '../../src/sandbox/index.js';
import { buildFixedVhd, MIB } from '../../src/azure/vhd.js';
import type { ConnectorConfig } from '../../src/domain/model.js';
import { ACTION, CALLBACK, IMPORT_FIELD as F } from '../../views/ids.js';
import { checkBlockKitLimits } from '../../views/limits.js';

const ADMIN = 'UADMIN1';
const MANAGER = 'UMANAGER3';
const READER = 'UREADER3';

type Json = Record<string, any>;

let t: TestBot;
let c: SlackClientSim;
let sandbox: ConnectorConfig;

useTestBot(async (w) => {
  ({ t, sim: c } = w);
  await t.bot.services.repos.roles.insert({ _id: MANAGER, role: 'manage-os-layers', assignedBy: ADMIN, at: new Date() });
  sandbox = t.bot.sandbox!.connector;
  const blobs = await t.bot.services.azure.session(sandbox).blobs();
  await blobs.uploadPageBlob({ container: sandbox.container, blob: 'imports/win2019-gold.vhd', data: buildFixedVhd(16 * MIB) });
  // A page blob whose last 512 bytes are not a VHD footer.
  await blobs.uploadPageBlob({ container: sandbox.container, blob: 'imports/not-a-disk.vhd', data: new Uint8Array(MIB).fill(7) });
}, { sandbox: { enabled: true } });

/** Import: acked at once with "Checking…" (the VHD is Azure's to answer); the modal is then updated with the outcome, returned here. */
async function submitImport(form: Record<string, string>): Promise<Record<string, any>> {
  const mark = c.mark();
  const answer = await c.submit(MANAGER, form);
  expect(answer.response_action).toBe('update');
  expect(JSON.stringify(answer.view)).toContain('Checking the VHD');
  return (await c.waitForCallAfter(mark, 'views.update')).args.view as Record<string, any>;
}

function importForm(layerName: string, blobPath: string): Record<string, string> {
  return { [F.layerName]: layerName, [F.layerDescription]: 'Golden image, November', [F.vmGeneration]: 'V2', [F.connectorId]: sandbox._id, [F.blobPath]: blobPath };
}

describe('/oslayer import-layer', () => {
  it('registers a layer from a fixed VHD in the connector container, as its first deployable version', async () => {
    const opened = await c.commandOpening(MANAGER, 'import-layer');
    expect(opened.view.callback_id).toBe(CALLBACK.importLayer);
    const done = await submitImport(importForm('Windows Server 2019', 'imports/win2019-gold.vhd'));
    expect(JSON.stringify(done)).toContain('Imported OS layer “Windows Server 2019”');

    const { repos } = t.bot.services;
    const layer = await repos.layers.findOne({ name: 'Windows Server 2019' });
    expect(layer).toMatchObject({ description: 'Golden image, November', osType: 'Windows', vmGeneration: 'V2', connectorId: sandbox._id, createdBy: MANAGER });
    const version = await repos.versions.get(layer!.latestVersionId!);
    expect(version).toMatchObject({ layerId: layer!._id, name: 'win2019-gold', status: 'deployable', diskUri: 'imports/win2019-gold.vhd', diskSizeBytes: 16 * MIB, connectorId: sandbox._id });
    expect(await repos.audit.findOne({ action: 'layer.import', target: `layer:${layer!._id}` })).toMatchObject({ actor: MANAGER });
  });

  it('refuses a blob that is not there: back to the form as typed, with what Azure said on top', async () => {
    await c.commandOpening(MANAGER, 'import-layer');
    const back = await submitImport(importForm('Missing disk', 'imports/nowhere.vhd'));
    expect(back.callback_id).toBe(CALLBACK.importLayer);
    expect(JSON.stringify(back)).toContain('There is no imports/nowhere.vhd in the container \\"oslayer-layers\\"');
    expect(JSON.stringify(back)).toContain('Missing disk');
    expect(await t.bot.services.repos.layers.findOne({ name: 'Missing disk' })).toBeNull();
  });

  it('refuses a blob that is not a fixed VHD', async () => {
    await c.commandOpening(MANAGER, 'import-layer');
    const back = await submitImport(importForm('Not a disk', 'imports/not-a-disk.vhd'));
    expect(JSON.stringify(back)).toContain('is not a fixed VHD Azure can use');
    expect(await t.bot.services.repos.layers.findOne({ name: 'Not a disk' })).toBeNull();
  });

  it('refuses a layer name that exists (any case) and a path that is not a VHD name', async () => {
    await c.commandOpening(MANAGER, 'import-layer');
    const answer = await c.submit(MANAGER, { ...importForm('windows server 2019', 'imports/win2019-gold.vhd') });
    expect(answer.errors).toEqual({ [F.layerName]: expect.stringContaining('already exists') });
    const badPath = await c.submit(MANAGER, importForm('Another', 'imports/disk.vhdx'));
    expect(badPath.errors).toEqual({ [F.blobPath]: expect.stringContaining('must be a VHD') });
  });

  it('refuses import-layer to a Read Only user', async () => {
    const ack = await c.command(READER, 'import-layer');
    expect(ack.response_type).toBe('ephemeral');
    expect(ack.text).toContain('needs the Manage OS Layers or Administrator role, and you have Read Only');
  });
});

describe('/oslayer layers', () => {
  it('lists layers with their versions and statuses, only to the caller', async () => {
    const ack = await c.command(READER, 'layers');
    expect(ack.response_type).toBe('ephemeral');
    const shown = JSON.stringify(ack.blocks);
    expect(shown).toContain(DEMO_LAYER_NAME.replace(/&/g, '&amp;'));
    expect(shown).toContain('Windows Server 2019');
    expect(shown).toMatch(/win2019-gold\* — Deployable/);
    // Read Only: no Add Version or Import buttons.
    expect(shown).not.toContain(ACTION.layersAddVersion);
    expect(shown).not.toContain(ACTION.layersImport);
  });

  it("opens the wizard for a layer from its Add Version button", async () => {
    const list = await c.command(MANAGER, 'layers');
    const layer = await t.bot.services.repos.layers.findOne({ name: 'Windows Server 2019' });
    const mark = c.mark();
    await c.clickInMessage(MANAGER, list, ACTION.layersAddVersion, { value: layer!._id });
    await c.waitForCallAfter(mark, 'views.open');
    const view = c.topView(MANAGER).view as Json;
    expect(view.callback_id).toBe(CALLBACK.wizardVersionDetails);
    expect(JSON.stringify(view.blocks)).toContain('Adding a version to *Windows Server 2019*');
  });

  it('fits every view and message in Slack’s limits', () => {
    for (const s of c.allSurfaces()) expect({ via: s.via, problems: checkBlockKitLimits(s.surface, s.kind) }).toEqual({ via: s.via, problems: [] });
  });
});
