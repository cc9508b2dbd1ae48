/**
 * The bot against Slack's rules, as the strict fake enforces them: escaping, where task messages
 * may go, no DMs, answers to clicks through the response_url, Azure work after the ack, and a
 * wizard that opens for any imported layer.
 */
import { DEMO_LAYER_NAME } from '../../src/sandbox/index.js';
import type { LayerVersion, OsLayer } from '../../src/domain/model.js';
import { HOME_ACTIONS } from '../../views/home.js';
import { ACTION, CALLBACK, WIZARD_FIELD as F } from '../../views/ids.js';
import { TASK_ACTIONS } from '../../views/task-message.js';
import { clickInHome, insertLayerWithBase, openHome } from '../support/records.js';
import type { TestBot } from '../support/bot.js';
import type { SlackClientSim } from '../support/interactions.js';
import { useSandboxWorld } from '../support/world.js';
import { whenSlackShows } from '../support/waits.js';

type Json = Record<string, any>;
const ADMIN = 'UADMIN1';
const READER = 'UREADER9';

let t: TestBot;
let c: SlackClientSim;
let demo: OsLayer;

useSandboxWorld(
  (w) => {
    ({ t, sim: c, layer: demo } = w);
    t.slack.addConversation({ id: 'GSECRET1', kind: 'private', name: 'secret-ops', botMember: false });
    t.slack.addConversation({ id: 'CNOTJOINED', kind: 'public', name: 'general', botMember: false });
  },
  { [READER]: 'read-only' },
);

const text = (view: Json) => JSON.stringify(view.blocks);

/** The wizard for the demo layer from `channel`, up to Confirm and Complete. */
async function toConfirm(versionName: string, channel: string): Promise<void> {
  await c.commandOpening(ADMIN, `add-version ${DEMO_LAYER_NAME}`, channel);
  await c.submitSettled(ADMIN, { [F.versionName]: versionName });
  await c.submitSettled(ADMIN);
  await c.submitSettled(ADMIN);
  expect(c.topView(ADMIN).view.callback_id).toBe(CALLBACK.wizardConfirm);
}

/** Create Version: the ack says "Checking…"; the outcome arrives as a views.update, returned here. */
async function createVersion(): Promise<Json> {
  const mark = c.mark();
  const ack = await c.submit(ADMIN);
  expect(text(ack.view)).toContain('Checking');
  return (await c.waitForCallAfter(mark, 'views.update')).args.view as Json;
}

async function versionNamed(name: string): Promise<LayerVersion | null> {
  return t.bot.services.repos.versions.findOne({ layerId: demo._id, name });
}

describe('Slack rules the bot meets', () => {
  it('posts a version named <!here> as text, never as a ping', async () => {
    await toConfirm('<!here>', 'CTEST01');
    expect(text(await createVersion())).toContain('is being created');
    // The notification text and every mrkdwn text carry it escaped; the header is plain_text, which Slack never parses.
    const posted = t.slack.messages.find((m) => m.channel === 'CTEST01' && !m.thread_ts && (m.text ?? '').includes('&lt;!here&gt;'));
    expect(posted).toBeDefined();
    const mrkdwn = JSON.stringify(posted!.blocks).match(/"type":"mrkdwn","text":"(?:[^"\\]|\\.)*"/g) ?? [];
    // Slack's date tokens (<!date^…|…>) are the bot's own markup; nothing else may open a `<!`.
    expect(mrkdwn.filter((m) => m.replace(/<!date\^\d+\^[^|<>]+\|[^<>]*>/g, '').includes('<!'))).toEqual([]);
    expect(posted!.text).not.toContain('<!here>');
  });

  it('refuses Create Version, creating nothing, when the bot cannot post in the channel; the confirm step said where it would go', async () => {
    await toConfirm('from-private', 'GSECRET1');
    expect(text(c.topView(ADMIN).view)).toContain('<#GSECRET1>');
    const refused = await createVersion();
    expect(refused.callback_id).toBe(CALLBACK.wizardConfirm);
    expect(text(refused)).toContain('invite @oslayer');
    expect(await versionNamed('from-private')).toBeNull();
    expect(t.slack.calls.filter((call) => call.method === 'chat.postMessage' && call.args.channel === 'GSECRET1')).toEqual([]);
  });

  it('refuses Create Version from App Home when there is no channel for the task message, saying the fix', async () => {
    await openHome(t, ADMIN);
    const mark = c.mark();
    await clickInHome(t, ADMIN, ACTION.layersAddVersion, demo._id);
    await c.waitForCallAfter(mark, 'views.open');
    await c.submitSettled(ADMIN, { [F.versionName]: 'from-home' });
    await c.submitSettled(ADMIN);
    await c.submitSettled(ADMIN);
    expect(text(c.topView(ADMIN).view)).toContain('OSLAYER_NOTIFY_CHANNEL');
    const refused = await createVersion();
    expect(text(refused)).toContain('There is no channel for the task message');
    expect(await versionNamed('from-home')).toBeNull();
  });

  it('answers a click on a task message in a public channel it has not joined through the response_url', async () => {
    await toConfirm('in-general', 'CNOTJOINED');
    expect(text(await createVersion())).toContain('is being created');
    const message = t.slack.messages.find((m) => m.channel === 'CNOTJOINED' && !m.thread_ts)!;
    expect(message).toBeDefined();
    const before = c.responses.length;
    await c.clickInMessage(READER, message, TASK_ACTIONS.cancel, { channel: 'CNOTJOINED' });
    const [answer] = (await c.waitForResponses(before + 1)).slice(before);
    expect(answer!.body).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('Read Only') });
    expect(t.slack.calls.filter((call) => call.method === 'chat.postEphemeral' && call.error)).toEqual([]);
  });

  it('sends no DM: a refusal on App Home is a small modal', async () => {
    await openHome(t, READER);
    const mark = c.mark();
    await clickInHome(t, READER, HOME_ACTIONS.roles);
    const open = await c.waitForCallAfter(mark, 'views.open');
    expect(open.error).toBeUndefined();
    expect(JSON.stringify(open.args.view)).toContain('Administrator');
    expect(t.slack.calls.filter((call) => call.error === 'messages_tab_disabled')).toEqual([]);
  });

  it('retries once on hash_conflict when two clicks on the same view race, so the last one still shows', async () => {
    await c.commandOpening(ADMIN, 'add-version');
    const mark = c.mark();
    // Two picks of the layer from the same view (same hash): the second update to land conflicts.
    await Promise.all([
      c.clickInView(ADMIN, ACTION.wizardLayerSelected, { selected: demo._id }),
      c.clickInView(ADMIN, ACTION.wizardLayerSelected, { selected: demo._id }),
    ]);
    const updates = () => t.slack.callsTo('views.update').filter((call) => t.slack.calls.indexOf(call) >= mark);
    await whenSlackShows(t.slack, 'two views.update that went through', () => (updates().filter((u) => !u.error).length >= 2 ? true : undefined), 2_000);
    const done = updates();
    expect(done.filter((u) => u.error === 'hash_conflict')).toHaveLength(1);
    expect(done.filter((u) => !u.error)).toHaveLength(2);
    expect(t.logLines.filter((l) => /"level":"error"/.test(l) && l.includes('hash_conflict'))).toEqual([]);
  });

  it('opens the wizard for a layer whose base disk is bigger than 2048 GiB', async () => {
    await insertLayerWithBase(t.bot.services.repos, { connectorId: demo.connectorId, layerName: 'Huge disk layer', baseName: 'imported', disk: 'huge.vhd', sizeGb: 3000 });
    const mark = c.mark();
    await c.command(ADMIN, 'add-version Huge disk layer');
    const open = await c.waitForCallAfter(mark, 'views.open');
    expect(open.error).toBeUndefined();
  });
});
