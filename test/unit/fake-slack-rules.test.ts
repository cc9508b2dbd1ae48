/**
 * The fake Web API refuses what Slack refuses (src/sandbox/slack/web-api.ts names the sources), so
 * every test and the local workspace meet Slack's rules rather than a forgiving stand-in.
 */
import { FakeSlackWebApi, ResponseUrlBudget, TRIGGER_LIFETIME_MS } from '../../src/sandbox/slack/web-api.js';
import { readAppManifest } from '../../src/sandbox/slack/manifest.js';

const TOKEN = 'xoxb-fake-rules';
let fake: FakeSlackWebApi;
let base: string;

async function call(method: string, args: Record<string, unknown>): Promise<Record<string, any>> {
  const res = await fetch(`${base}${method}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(args) });
  return (await res.json()) as Record<string, any>;
}

const modal = (blocks: unknown[] = [{ type: 'section', text: { type: 'mrkdwn', text: 'hi' } }]) => ({ type: 'modal', title: { type: 'plain_text', text: 'T' }, close: { type: 'plain_text', text: 'Close' }, blocks });

beforeAll(async () => {
  fake = new FakeSlackWebApi(TOKEN);
  base = await fake.listen();
  fake.addConversation({ id: 'CJOINED', kind: 'public', botMember: true });
  fake.addConversation({ id: 'CPUBLIC', kind: 'public', botMember: false });
  fake.addConversation({ id: 'GPRIVATE', kind: 'private', botMember: false });
  fake.addConversation({ id: 'DOTHERS', kind: 'im', botMember: false });
  fake.addConversation({ id: 'GGROUPDM', kind: 'mpim', botMember: false });
});
afterAll(() => fake.close());

describe('the fake Slack Web API', () => {
  it('reads the Messages tab and the scopes from manifest.yml', () => {
    expect(readAppManifest()).toMatchObject({ commands: ['/oslayer'], messagesTabEnabled: false, botScopes: expect.arrayContaining(['chat:write', 'chat:write.public']) });
  });

  it.each([
    ['a DM to a user while the Messages tab is off', 'chat.postMessage', 'UALICE1', 'messages_tab_disabled'],
    ['an ephemeral in a user DM while the Messages tab is off', 'chat.postEphemeral', 'UALICE1', 'messages_tab_disabled'],
    ['an unknown conversation', 'chat.postMessage', 'CNOWHERE', 'channel_not_found'],
    ['a private channel the bot is not in', 'chat.postMessage', 'GPRIVATE', 'channel_not_found'],
    ['a DM between people', 'chat.postMessage', 'DOTHERS', 'channel_not_found'],
    ['a group DM without the bot', 'chat.postMessage', 'GGROUPDM', 'channel_not_found'],
    ['an ephemeral in a public channel the bot has not joined', 'chat.postEphemeral', 'CPUBLIC', 'not_in_channel'],
  ])('refuses %s', async (_what, method, channel, error) => {
    expect(await call(method, { channel, user: 'UALICE1', text: 'hello' })).toMatchObject({ ok: false, error });
  });

  it('lets the bot post in a public channel it has not joined (chat:write.public) and where it is a member', async () => {
    expect(await call('chat.postMessage', { channel: 'CPUBLIC', text: 'hello' })).toMatchObject({ ok: true });
    expect(await call('chat.postEphemeral', { channel: 'CJOINED', user: 'UALICE1', text: 'hello' })).toMatchObject({ ok: true });
  });

  it('follows the manifest: without chat:write.public an unjoined public channel is not_in_channel; with the Messages tab on, DMs go through', async () => {
    const strict = new FakeSlackWebApi(TOKEN, { manifest: { messagesTabEnabled: true, botScopes: ['chat:write'] } });
    strict.addConversation({ id: 'CPUBLIC', kind: 'public', botMember: false });
    expect(strict.refusalFor('CPUBLIC', 'message')).toBe('not_in_channel');
    expect(strict.refusalFor('UALICE1', 'message')).toBeUndefined();
  });

  it('answers invalid_blocks with Slack-style messages for blocks Slack would refuse', async () => {
    const answer = await call('chat.postMessage', { channel: 'CJOINED', text: 'x', blocks: [{ type: 'header', text: { type: 'mrkdwn', text: 'h' } }] });
    expect(answer).toMatchObject({ ok: false, error: 'invalid_blocks' });
    expect(answer.response_metadata.messages).toEqual(['[ERROR] Header text must be plain_text [json-pointer:/blocks/0/text/type]']);
  });

  it('refuses a view whose number input has min above max', async () => {
    const view = modal([{ type: 'input', label: { type: 'plain_text', text: 'GB' }, element: { type: 'number_input', is_decimal_allowed: false, min_value: '3000', max_value: '2048' } }]);
    const answer = await call('views.open', { trigger_id: fake.issueTrigger('UALICE1'), view: { ...view, submit: { type: 'plain_text', text: 'Next' } } });
    expect(answer).toMatchObject({ ok: false, error: 'invalid_arguments' });
  });

  it('takes a trigger_id once and for 3 seconds', async () => {
    const trigger = fake.issueTrigger('UBOB1');
    expect(await call('views.open', { trigger_id: trigger, view: modal() })).toMatchObject({ ok: true });
    expect(await call('views.open', { trigger_id: trigger, view: modal() })).toMatchObject({ ok: false, error: 'exchanged_trigger_id' });
    const old = fake.issueTrigger('UBOB1', Date.now() - TRIGGER_LIFETIME_MS - 1);
    expect(await call('views.open', { trigger_id: old, view: modal() })).toMatchObject({ ok: false, error: 'expired_trigger_id' });
  });

  it('pushes a view only onto an open modal', async () => {
    expect(await call('views.push', { trigger_id: fake.issueTrigger('UCAROL1'), view: modal() })).toMatchObject({ ok: false, error: 'invalid_arguments' });
    await call('views.open', { trigger_id: fake.issueTrigger('UCAROL1'), view: modal() });
    expect(await call('views.push', { trigger_id: fake.issueTrigger('UCAROL1'), view: modal() })).toMatchObject({ ok: true });
  });

  it('takes five posts on a response_url within 30 minutes', () => {
    let now = 0;
    const budget = new ResponseUrlBudget(() => now);
    budget.issue('/a');
    for (let i = 0; i < 5; i++) expect(budget.use('/a')).toBeUndefined();
    expect(budget.use('/a')).toBe('used_url');
    budget.issue('/b');
    now = ResponseUrlBudget.LIFETIME_MS + 1;
    expect(budget.use('/b')).toBe('expired_url');
  });
});
