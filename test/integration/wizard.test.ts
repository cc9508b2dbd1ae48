import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import type { TestBot } from '../support/bot.js';
import { useTestBot } from '../support/world.js';
import { insertLayerWithBase } from '../support/records.js';
import type { SlackClientSim } from '../support/interactions.js';
import { until } from '../support/waits.js';
import { DEMO_LAYER_NAME } from '../../src/sandbox/index.js';
import { buildFixedVhd, MIB } from '../../src/azure/vhd.js';
import { databaseNameOf } from '../../src/store/database.js';
import type { ConnectorConfig, OsLayer } from '../../src/domain/model.js';
import { ACTION, CALLBACK, fieldOfBlockId, WIZARD_FIELD as F } from '../../views/ids.js';
import { checkBlockKitLimits } from '../../views/limits.js';

const MANAGER = 'UMANAGER1';
const READER = 'UREADER1';
const ADMIN = 'UADMIN1';

let t: TestBot;
let c: SlackClientSim;
let mongo: MongoClient;
let demo: OsLayer;
let sandbox: ConnectorConfig;

useTestBot(async (w) => {
  ({ t, sim: c } = w);
  const { repos, config } = t.bot.services;
  await repos.roles.insert({ _id: MANAGER, role: 'manage-os-layers', assignedBy: ADMIN, at: new Date() });
  demo = (await repos.layers.findOne({ name: DEMO_LAYER_NAME }))!;
  sandbox = t.bot.sandbox!.connector;
  // The channel the wizard is run from; the bot was invited to it.
  t.slack.addConversation({ id: 'CWIZARD1', kind: 'public', name: 'os-layers', botMember: true });
  mongo = new MongoClient(config.mongodbUri!);
  await mongo.connect();
}, { sandbox: { enabled: true } });

afterAll(async () => {
  await mongo?.close();
});


type Json = Record<string, any>;

/** Create Version: acked at once with "Checking…"; the modal is then updated with the outcome, which this returns. */
async function createVersionSubmit(user: string): Promise<Json> {
  const mark = c.mark();
  const answer = await c.submit(user);
  expect(answer.response_action).toBe('update');
  expect(text(answer.view)).toContain('Checking');
  return (await c.waitForCallAfter(mark, 'views.update')).args.view as Json;
}

/** The input block showing `field`, whatever revision its block_id carries (views/ids.ts revisedBlockId). */
function inputBlock(view: Json, field: string): Json | undefined {
  return (view.blocks as Json[]).find((b) => b.type === 'input' && fieldOfBlockId(b.block_id) === field);
}

/** The block_id showing `field` in the user's top modal, which field errors must name. */
function blockIdOf(field: string): string {
  return inputBlock(c.topView(MANAGER).view, field)!.block_id;
}

function text(view: Json): string {
  return JSON.stringify(view.blocks);
}

/** Opens the wizard for the demo layer (named on the command line) and returns the first step. */
async function openForDemo(user = MANAGER): Promise<Json> {
  const { view } = await c.commandOpening(user, `add-version ${DEMO_LAYER_NAME}`);
  expect(view.callback_id).toBe(CALLBACK.wizardVersionDetails);
  return view;
}

/** Steps 1 and 2 with good values, leaving the user on Packaging Disk. */
async function toPackagingDisk(versionName: string, user = MANAGER): Promise<Json> {
  await openForDemo(user);
  expect((await c.submitSettled(user, { [F.versionName]: versionName })).response_action).toBe('update');
  expect((await c.submitSettled(user)).response_action).toBe('update');
  const view = c.topView(user).view;
  expect(view.callback_id).toBe(CALLBACK.wizardPackagingDisk);
  return view;
}

describe('Create OS Version wizard over signed requests', () => {
  it('goes from /oslayer add-version to a posted task message, with the version, task, audit entry and queued job', async () => {
    const mark = c.mark();
    let view: Json = (await c.commandOpening(MANAGER, 'add-version', 'CWIZARD1')).view;
    expect(inputBlock(view, F.layerId)?.label.text).toBe('OS Layer');
    expect(inputBlock(view, F.baseVersionId)).toBeUndefined();

    // Picking the layer rebuilds the step around it (base version, size floor).
    const beforePick = c.mark();
    await c.clickInView(MANAGER, ACTION.wizardLayerSelected, { selected: demo._id, inputs: { [F.versionName]: '2026-11' } });
    await c.waitForCallAfter(beforePick, 'views.update');
    view = c.topView(MANAGER).view;
    expect(inputBlock(view, F.baseVersionId)?.element.initial_option.value).toBe(demo.latestVersionId);
    expect(inputBlock(view, F.versionName)?.element.initial_value).toBe('2026-11');

    let answer = await c.submitSettled(MANAGER, { [F.versionDescription]: 'November cumulative update', [F.maxLayerSizeGb]: '120' });
    expect(answer.response_action).toBe('update');
    view = c.topView(MANAGER).view;
    expect(view.callback_id).toBe(CALLBACK.wizardConnector);
    expect(inputBlock(view, F.connectorId)?.label.text).toBe('Platform Connector Configuration');
    // The layer's own connector is preselected: its disks are already there.
    expect(inputBlock(view, F.connectorId)?.element.initial_option.value).toBe(sandbox._id);

    answer = await c.submitSettled(MANAGER);
    view = c.topView(MANAGER).view;
    expect(view.callback_id).toBe(CALLBACK.wizardPackagingDisk);
    expect(inputBlock(view, F.packagingDiskFilename)?.element.initial_value).toBe('windows-server-2022-demo-2026-11-packaging.vhd');

    answer = await c.submitSettled(MANAGER);
    view = c.topView(MANAGER).view;
    expect(view.callback_id).toBe(CALLBACK.wizardConfirm);
    expect(view.submit.text).toBe('Create Version');
    for (const shown of [DEMO_LAYER_NAME, '2026-11', 'November cumulative update', '120', sandbox.name, 'windows-server-2022-demo-2026-11-packaging.vhd']) {
      expect(text(view)).toContain(shown);
    }

    const created = await createVersionSubmit(MANAGER);
    expect(text(created)).toContain('is being created');
    expect(text(created)).toContain('<#CWIZARD1>');

    const posted = await c.waitForCallAfter(mark, 'chat.postMessage');
    expect(posted.args.channel).toBe('CWIZARD1');
    const { repos } = t.bot.services;
    const version = await repos.versions.findOne({ layerId: demo._id, name: '2026-11' });
    expect(version).toMatchObject({
      status: 'publishing',
      description: 'November cumulative update',
      maxLayerSizeGb: 120,
      connectorId: sandbox._id,
      baseVersionId: demo.latestVersionId,
      packagingDiskFilename: 'windows-server-2022-demo-2026-11-packaging.vhd',
      createdBy: MANAGER,
    });
    const task = await repos.tasks.findOne({ versionId: version!._id });
    expect(task).toMatchObject({ kind: 'add-version', status: 'running', startedBy: MANAGER });
    expect(String(posted.args.text)).toContain('2026-11');
    expect(await repos.audit.findOne({ action: 'version.create', target: `version:${version!._id}` })).toMatchObject({ actor: MANAGER });
    const jobs = await mongo.db(databaseNameOf(t.bot.services.config.mongodbUri!)).collection('jobs').find({ name: 'publish-packaging-disk' }).toArray();
    expect(jobs.map((j) => j.data)).toContainEqual({ taskId: task!._id });
    expect(jobs.every((j) => Object.keys(j.data as object).join() === 'taskId')).toBe(true);
    // The task message records where it is, so jobs can update it in place.
    const where = await until('the task to record its message', async () => (await repos.tasks.get(task!._id))?.slack, 10_000);
    expect(where).toEqual({ channel: 'CWIZARD1', ts: expect.any(String) });

    // …and the publish job takes it to Action Required with the portal link, in the same message.
    const actionRequired = await t.slack.waitForCall(
      'chat.update',
      (call) => call.args.ts === where!.ts && JSON.stringify(call.args.blocks).includes('Create Packaging Machine'),
      20_000,
    );
    expect(JSON.stringify(actionRequired.args.blocks)).toContain('https://portal.azure.com/#create/Microsoft.Template/uri/');
  });

  describe('field errors on the input that is wrong', () => {
    it.each([
      ['empty', null, /Enter a version name/],
      ['too long', 'x'.repeat(65), /at most 64 characters \(this one has 65\)/],
      ['with a control character', 'Nov\tupdates', /one line of text/],
    ])('refuses a version name that is %s', async (_what, name, message) => {
      await openForDemo();
      const answer = await c.submitSettled(MANAGER, { [F.versionName]: name });
      expect(answer.response_action).toBe('errors');
      expect(Object.keys(answer.errors)).toEqual([F.versionName]);
      expect(answer.errors[F.versionName]).toMatch(message);
      expect(c.topView(MANAGER).view.callback_id).toBe(CALLBACK.wizardVersionDetails);
    });

    it.each([
      ['0', /between 1 and 4095/],
      ['4096', /between 1 and 4095/],
      ['12.5', /whole number/],
    ])('refuses Max Layer Size %s', async (size, message) => {
      await openForDemo();
      const answer = await c.submitSettled(MANAGER, { [F.versionName]: 'size-check', [F.maxLayerSizeGb]: size });
      expect(answer).toEqual({ response_action: 'errors', errors: { [blockIdOf(F.maxLayerSizeGb)]: expect.stringMatching(message) } });
    });

    it("refuses a Max Layer Size below the base version's disk", async () => {
      await insertLayerWithBase(t.bot.services.repos, { connectorId: sandbox._id, layerName: 'Big base', baseName: 'base', disk: 'big.vhd', sizeGb: 127 });
      await c.commandOpening(MANAGER, 'add-version big base');
      expect(inputBlock(c.topView(MANAGER).view, F.maxLayerSizeGb)?.element.initial_value).toBe('127');
      const answer = await c.submitSettled(MANAGER, { [F.versionName]: 'v2', [F.maxLayerSizeGb]: '100' });
      expect(answer.errors).toEqual({ [blockIdOf(F.maxLayerSizeGb)]: expect.stringContaining('at least 127') });
    });

    it.each([
      ['with a space', 'my disk.vhd', /A space is not allowed/],
      ['not ending in .vhd', 'disk.vhdx', /must be a VHD/],
      ['with a backslash', 'folder\\disk.vhd', /Use \/ between folders/],
    ])('refuses a packaging disk filename %s', async (_what, name, message) => {
      await toPackagingDisk(`fn-${randomUUID().slice(0, 8)}`);
      const answer = await c.submitSettled(MANAGER, { [F.packagingDiskFilename]: name });
      expect(answer).toEqual({ response_action: 'errors', errors: { [F.packagingDiskFilename]: expect.stringMatching(message) } });
    });

    it("refuses a packaging disk filename that already exists in the connector's container", async () => {
      const blobs = await t.bot.services.azure.session(sandbox).blobs();
      await blobs.uploadPageBlob({ container: sandbox.container, blob: 'taken/existing.vhd', data: buildFixedVhd(MIB) });
      await toPackagingDisk('taken-name-check');
      // Azure's answer comes after the ack: the step again, as typed, with the problem on top.
      await c.submitSettled(MANAGER, { [F.packagingDiskFilename]: 'taken/existing.vhd' });
      const back = c.topView(MANAGER).view;
      expect(back.callback_id).toBe(CALLBACK.wizardPackagingDisk);
      expect(text(back)).toContain('taken/existing.vhd already exists in the container');
      expect(inputBlock(back, F.packagingDiskFilename)?.element.initial_value).toBe('taken/existing.vhd');
    });
  });

  it('refuses a version name the layer already has (any case)', async () => {
    const base = await t.bot.services.repos.versions.get(demo.latestVersionId!);
    await openForDemo();
    const answer = await c.submitSettled(MANAGER, { [F.versionName]: base!.name.toUpperCase() });
    expect(answer.response_action).toBe('errors');
    expect(answer.errors[F.versionName]).toBe(`Version "${base!.name.toUpperCase()}" already exists in layer "${DEMO_LAYER_NAME}". Choose another name.`);
  });

  it('shows the new layer\'s base version and Max Layer Size after a layer change, keeping what was typed elsewhere', async () => {
    // Slack keeps an input's entry across views.update while its block_id and action_id stay the
    // same; the fake does too, so the size typed for the first layer would survive the change.
    const { repos } = t.bot.services;
    const { layer: big, base: bigBase } = await insertLayerWithBase(repos, { connectorId: sandbox._id, layerName: 'Bigger base', baseName: 'big base', disk: 'bigger.vhd', sizeGb: 300 });
    await c.commandOpening(MANAGER, 'add-version', 'CWIZARD1');
    let mark = c.mark();
    await c.clickInView(MANAGER, ACTION.wizardLayerSelected, { selected: demo._id, inputs: { [F.versionName]: 'layer-change' } });
    await c.waitForCallAfter(mark, 'views.update');
    expect(c.shownValue(MANAGER, F.baseVersionId)).toBe(demo.latestVersionId);

    mark = c.mark();
    await c.clickInView(MANAGER, ACTION.wizardLayerSelected, {
      selected: big._id,
      inputs: { [F.versionDescription]: 'typed before the change', [F.maxLayerSizeGb]: '150' },
    });
    await c.waitForCallAfter(mark, 'views.update');
    expect(c.shownValue(MANAGER, F.maxLayerSizeGb)).toBe('300');
    expect(c.shownValue(MANAGER, F.baseVersionId)).toBe(bigBase._id);
    expect(c.shownValue(MANAGER, F.versionName)).toBe('layer-change');
    expect(c.shownValue(MANAGER, F.versionDescription)).toBe('typed before the change');

    // Next takes what is shown.
    expect((await c.submitSettled(MANAGER)).response_action).toBe('update');
    expect(c.topView(MANAGER).view.callback_id).toBe(CALLBACK.wizardConnector);
    const draftId = JSON.parse(c.topView(MANAGER).view.private_metadata as string).draftId as string;
    expect((await repos.drafts.get(draftId))?.values).toMatchObject({
      layerId: big._id,
      baseVersionId: bigBase._id,
      maxLayerSizeGb: 300,
      versionName: 'layer-change',
      versionDescription: 'typed before the change',
    });
  });

  it('keeps every value when going Back and forward again', async () => {
    await openForDemo();
    await c.submitSettled(MANAGER, { [F.versionName]: 'back-and-forth', [F.versionDescription]: 'kept?', [F.maxLayerSizeGb]: '256' });
    await c.submitSettled(MANAGER);
    expect(c.topView(MANAGER).view.callback_id).toBe(CALLBACK.wizardPackagingDisk);

    let mark = c.mark();
    await c.clickInView(MANAGER, ACTION.wizardBack, { inputs: { [F.packagingDiskFilename]: 'custom/typed-before-back.vhd' } });
    await c.waitForCallAfter(mark, 'views.update');
    expect(c.topView(MANAGER).view.callback_id).toBe(CALLBACK.wizardConnector);
    mark = c.mark();
    await c.clickInView(MANAGER, ACTION.wizardBack);
    await c.waitForCallAfter(mark, 'views.update');
    const first = c.topView(MANAGER).view;
    expect(first.callback_id).toBe(CALLBACK.wizardVersionDetails);
    expect(inputBlock(first, F.versionName)?.element.initial_value).toBe('back-and-forth');
    expect(inputBlock(first, F.versionDescription)?.element.initial_value).toBe('kept?');
    expect(inputBlock(first, F.maxLayerSizeGb)?.element.initial_value).toBe('256');

    await c.submitSettled(MANAGER);
    expect(inputBlock(c.topView(MANAGER).view, F.connectorId)?.element.initial_option.value).toBe(sandbox._id);
    await c.submitSettled(MANAGER);
    expect(inputBlock(c.topView(MANAGER).view, F.packagingDiskFilename)?.element.initial_value).toBe('custom/typed-before-back.vhd');
  });

  it('suggests a new packaging disk name after the version is renamed, unless the user typed their own', async () => {
    await toPackagingDisk('first-name');
    let mark = c.mark();
    await c.clickInView(MANAGER, ACTION.wizardBack);
    await c.waitForCallAfter(mark, 'views.update');
    mark = c.mark();
    await c.clickInView(MANAGER, ACTION.wizardBack);
    await c.waitForCallAfter(mark, 'views.update');
    await c.submitSettled(MANAGER, { [F.versionName]: 'second-name' });
    await c.submitSettled(MANAGER);
    expect(inputBlock(c.topView(MANAGER).view, F.packagingDiskFilename)?.element.initial_value).toBe('windows-server-2022-demo-second-name-packaging.vhd');
  });

  it('adds a connector from inside the wizard and comes back to it with the connector selected', async () => {
    const secret = 'Wizard-Secret-Value~7731';
    await openForDemo(ADMIN);
    await c.submitSettled(ADMIN, { [F.versionName]: 'with-new-connector' });
    const wizardViewId = c.topView(ADMIN).id;
    const mark = c.mark();
    await c.clickInView(ADMIN, ACTION.wizardConnectorNew);
    await c.waitForCallAfter(mark, 'views.push');
    expect(c.topView(ADMIN).view.callback_id).toBe(CALLBACK.connector);
    const sub = '11111111-2222-3333-4444-555555555555';
    const answer = await c.submitSettled(ADMIN, {
      connectorName: 'East US production',
      tenantId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      subscriptionId: sub,
      clientId: 'ffffffff-0000-1111-2222-333333333333',
      clientSecret: secret,
      resourceGroup: 'rg-layers',
      storageAccount: 'layerstore01',
      container: 'os-layers',
      location: 'eastus',
      subnetId: `/subscriptions/${sub}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/packaging`,
    });
    expect(answer).toEqual({});
    const update = await c.waitForCallAfter(mark, 'views.update');
    expect(update.args.view_id).toBe(wizardViewId);
    const saved = await t.bot.services.repos.connectors.findOne({ name: 'East US production' });
    expect(saved).not.toBeNull();
    const wizard = c.topView(ADMIN);
    expect(wizard.id).toBe(wizardViewId);
    expect(inputBlock(wizard.view, F.connectorId)?.element.initial_option.value).toBe(saved!._id);
    // …and Next carries the new connector on.
    await c.submitSettled(ADMIN);
    expect(c.topView(ADMIN).view.callback_id).toBe(CALLBACK.wizardPackagingDisk);
    const draftId = JSON.parse(c.topView(ADMIN).view.private_metadata as string).draftId as string;
    expect((await t.bot.services.repos.drafts.get(draftId))?.values[F.connectorId]).toBe(saved!._id);

    // The secret is stored encrypted and never shown or logged.
    expect(JSON.stringify(saved)).not.toContain(secret);
    const everything = JSON.stringify([t.slack.calls.map((call) => call.args), c.responses, c.ackSurfaces]);
    expect(everything).not.toContain(secret);
    expect(t.logLines.filter((l) => l.includes(secret))).toEqual([]);
  });

  it('refuses add-version to a Read Only user, saying which role it needs', async () => {
    const mark = c.mark();
    const ack = await c.command(READER, `add-version ${DEMO_LAYER_NAME}`);
    expect(ack.response_type).toBe('ephemeral');
    expect(ack.text).toContain('Manage OS Layers or Administrator');
    expect(ack.text).toContain('Read Only');
    await new Promise((r) => setTimeout(r, 100));
    expect(t.slack.calls.slice(mark).filter((call) => call.method === 'views.open')).toEqual([]);
  });

  it('refuses New connector inside the wizard to a manager, in a small modal on top', async () => {
    await openForDemo();
    await c.submitSettled(MANAGER, { [F.versionName]: 'manager-new-connector' });
    const mark = c.mark();
    await c.clickInView(MANAGER, ACTION.wizardConnectorNew);
    const push = await c.waitForCallAfter(mark, 'views.push');
    expect(JSON.stringify(push.args.view)).toContain('needs the Administrator role');
  });

  it('tells the user when the draft expired, instead of failing silently', async () => {
    await openForDemo();
    const draftId = JSON.parse(c.topView(MANAGER).view.private_metadata as string).draftId as string;
    await t.bot.services.repos.drafts.update(draftId, { expiresAt: new Date(Date.now() - 1000) });
    const answer = await c.submitSettled(MANAGER, { [F.versionName]: 'too-late' });
    expect(answer.response_action).toBe('update');
    expect(text(answer.view)).toContain('sat open too long');
    expect(answer.view.submit).toBeUndefined();
  });

  it('creates one version when Create Version is submitted twice, and says the second time that it is done', async () => {
    await toPackagingDisk('double-submit');
    await c.submitSettled(MANAGER);
    expect(c.topView(MANAGER).view.callback_id).toBe(CALLBACK.wizardConfirm);
    const payload = c.submission(MANAGER);
    const mark = c.mark();
    const answers = await Promise.all([t.interaction(payload), t.interaction({ ...payload, trigger_id: t.slack.issueTrigger(MANAGER) })]);
    const bodies = answers.map((a) => JSON.parse(a.body) as Json);
    expect(bodies.filter((b) => text(b.view).includes('Checking'))).toHaveLength(1);
    const other = bodies.find((b) => !text(b.view).includes('Checking'))!;
    expect(other.response_action).toBe('update');
    expect(text(other.view)).toContain('already completed');
    // The first goes on after its ack and reports by updating the modal.
    expect(text((await c.waitForCallAfter(mark, 'views.update')).args.view as Json)).toContain('is being created');
    expect(await t.bot.services.repos.versions.list({ layerId: demo._id, name: 'double-submit' })).toHaveLength(1);

    // A later submit of the same (used) draft is answered the same way.
    const again = JSON.parse((await t.interaction({ ...payload, trigger_id: t.slack.issueTrigger(MANAGER) })).body) as Json;
    expect(text(again.view)).toContain('already completed');
  });

  it('sends the user back to the step with the problem when Create Version finds one (name taken meanwhile)', async () => {
    await toPackagingDisk('raced-name');
    await c.submitSettled(MANAGER);
    const { repos } = t.bot.services;
    const now = new Date();
    await repos.versions.insert({
      _id: randomUUID(), layerId: demo._id, name: 'raced-name', description: '', maxLayerSizeGb: 100, connectorId: sandbox._id,
      packagingDiskFilename: 'other.vhd', status: 'cancelled', createdBy: ADMIN, createdAt: now, updatedAt: now,
    });
    const back = await createVersionSubmit(MANAGER);
    expect(back.callback_id).toBe(CALLBACK.wizardVersionDetails);
    expect(text(back)).toContain('already exists');
    // Fixing the name goes through.
    await c.submitSettled(MANAGER, { [F.versionName]: 'raced-name-2' });
    await c.submitSettled(MANAGER);
    await c.submitSettled(MANAGER);
    expect(text(await createVersionSubmit(MANAGER))).toContain('is being created');
  });

  // Last, so it sees every view and message the tests above made the bot send.
  it('passes every view and message it sent through the Block Kit limits check', () => {
    const surfaces = c.allSurfaces();
    expect(surfaces.length).toBeGreaterThan(40);
    for (const s of surfaces) expect({ via: s.via, problems: checkBlockKitLimits(s.surface, s.kind) }).toEqual({ via: s.via, problems: [] });
  });
});
