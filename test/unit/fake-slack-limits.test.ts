/**
 * What a call carries as a whole, refused by the fake Web API as Slack refuses it (sources in
 * views/limits.ts): top-level `text` over the method's limit is `msg_too_long`, a view over
 * 250 kB is `view_too_large`, a confirm dialog written in mrkdwn is `invalid_blocks`.
 */
import { FakeSlackWebApi } from '../../src/sandbox/slack/web-api.js';

const TOKEN = 'xoxb-fake-limits';
let fake: FakeSlackWebApi;
let base: string;

async function call(method: string, args: Record<string, unknown>): Promise<Record<string, any>> {
  const res = await fetch(`${base}${method}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(args) });
  return (await res.json()) as Record<string, any>;
}

const pt = (text: string) => ({ type: 'plain_text', text });
const modalOf = (sections: number, size: number) => ({
  type: 'modal',
  title: pt('T'),
  close: pt('Close'),
  blocks: Array.from({ length: sections }, () => ({ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(size) } })),
});

beforeAll(async () => {
  fake = new FakeSlackWebApi(TOKEN);
  base = await fake.listen();
  // One channel per kind of check: chat.postMessage's per-channel rate (about one a second after a
  // short burst) is Slack's too, and is not what these tests are about.
  for (const id of ['CJOINED', 'CCONFIRM', 'CFILES']) fake.addConversation({ id, kind: 'public', botMember: true });
});
afterAll(() => fake.close());

describe('message text limits', () => {
  it('chat.update takes 4,000 characters of text and refuses 4,001 with msg_too_long', async () => {
    const posted = await call('chat.postMessage', { channel: 'CJOINED', text: 'first' });
    expect(await call('chat.update', { channel: 'CJOINED', ts: posted.ts, text: 'x'.repeat(4000) })).toMatchObject({ ok: true });
    expect(await call('chat.update', { channel: 'CJOINED', ts: posted.ts, text: 'x'.repeat(4001) })).toEqual({ ok: false, error: 'msg_too_long' });
    expect(fake.messages.find((m) => m.ts === posted.ts)?.text).toHaveLength(4000);
  });

  it('chat.postMessage takes 40,000 characters and refuses 40,001 with msg_too_long', async () => {
    expect(await call('chat.postMessage', { channel: 'CJOINED', text: 'x'.repeat(40_000) })).toMatchObject({ ok: true });
    expect(await call('chat.postMessage', { channel: 'CJOINED', text: 'x'.repeat(40_001) })).toEqual({ ok: false, error: 'msg_too_long' });
  });
});

describe('view size', () => {
  it('opens a view under 250 kB and refuses one over it with view_too_large', async () => {
    // Sections of 2,900 characters, every block within its own limits: 80 weigh about 240 kB, 90 about 270 kB.
    expect(await call('views.open', { trigger_id: fake.issueTrigger('UALICE1'), view: modalOf(80, 2900) })).toMatchObject({ ok: true });
    expect(await call('views.open', { trigger_id: fake.issueTrigger('UALICE1'), view: modalOf(90, 2900) })).toEqual({ ok: false, error: 'view_too_large' });
    expect(await call('views.publish', { user_id: 'UALICE1', view: { ...modalOf(90, 2900), type: 'home', title: undefined, close: undefined } })).toEqual({ ok: false, error: 'view_too_large' });
  });
});

describe('confirm dialogs', () => {
  it('refuses a confirm text in mrkdwn: Slack would show its asterisks as typed', async () => {
    const confirm = { title: pt('Sure?'), text: { type: 'mrkdwn', text: 'It is *gone*' }, confirm: pt('Yes'), deny: pt('No') };
    const answer = await call('chat.postMessage', { channel: 'CCONFIRM', text: 'x', blocks: [{ type: 'actions', elements: [{ type: 'button', action_id: 'a', text: pt('Go'), confirm }] }] });
    expect(answer).toMatchObject({ ok: false, error: 'invalid_blocks', response_metadata: { messages: ['[ERROR] A confirm dialog text must be plain_text [json-pointer:/blocks/0/elements/0/confirm/text/type]'] } });
  });
});

describe('files.uploadV2', () => {
  it('uploads through getUploadURLExternal, the upload URL and completeUploadExternal, and shares the file in the thread', async () => {
    const { WebClient } = await import('@slack/web-api');
    const client = new WebClient(TOKEN, { slackApiUrl: base });
    const parent = await call('chat.postMessage', { channel: 'CFILES', text: 'task' });
    await client.filesUploadV2({ channel_id: 'CFILES', thread_ts: parent.ts, filename: 'changelog.md', title: 'Changelog', content: '# Changelog\n- KB1\n', initial_comment: 'Attached' });
    expect(fake.callsTo('files.getUploadURLExternal')).toHaveLength(1);
    expect(fake.callsTo('files.completeUploadExternal')).toHaveLength(1);
    const shared = fake.messages.find((m) => m.thread_ts === parent.ts && m.files);
    expect(shared).toMatchObject({ text: 'Attached', files: [{ name: 'changelog.md', title: 'Changelog' }] });
    expect(fake.files.get(shared!.files![0]!.id)?.content).toBe('# Changelog\n- KB1\n');
  });

  it('refuses what Slack refuses: no files:write, a zero length, a file never uploaded, a channel the bot may not post in', async () => {
    const noScope = new FakeSlackWebApi(TOKEN, { manifest: { messagesTabEnabled: false, botScopes: ['chat:write'] } });
    const noScopeBase = await noScope.listen();
    const res = await fetch(`${noScopeBase}files.getUploadURLExternal`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ filename: 'a.md', length: 3 }) });
    expect(await res.json()).toMatchObject({ ok: false, error: 'missing_scope', needed: 'files:write' });
    await noScope.close();

    expect(await call('files.getUploadURLExternal', { filename: 'a.md', length: 0 })).toEqual({ ok: false, error: 'missing_argument' });
    const started = await call('files.getUploadURLExternal', { filename: 'a.md', length: 3 });
    expect(await call('files.completeUploadExternal', { files: [{ id: started.file_id }], channel_id: 'CJOINED' })).toEqual({ ok: false, error: 'file_not_found' });
    await fetch(started.upload_url, { method: 'POST', body: 'abc' });
    expect(await call('files.completeUploadExternal', { files: [{ id: started.file_id }], channel_id: 'CNOWHERE' })).toEqual({ ok: false, error: 'invalid_channel' });
  });
});
