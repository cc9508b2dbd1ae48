/**
 * The fake Web API limits each method's rate as Slack does (src/sandbox/slack/rate-limits.ts names
 * the sources): per method per workspace by tier, chat.postMessage per channel, and over the limit
 * HTTP 429 with Retry-After and `ratelimited`.
 */
import { FakeSlackWebApi } from '../../src/sandbox/slack/web-api.js';
import { METHOD_TIERS, SLACK_RATE_LIMITS, type RateLimits } from '../../src/sandbox/slack/rate-limits.js';

const TOKEN = 'xoxb-fake-rates';
let fake: FakeSlackWebApi;
let base: string;

async function call(method: string, args: Record<string, unknown>): Promise<{ status: number; retryAfter: string | null; body: Record<string, unknown> }> {
  const res = await fetch(`${base}${method}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(args) });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Record<string, unknown> };
}

/** `count` calls a `windowMs`, for every tier and per channel. */
const lowered = (count: number, windowMs: number): RateLimits => ({
  tiers: { 1: { count, windowMs }, 2: { count, windowMs }, 3: { count, windowMs }, 4: { count, windowMs } },
  postMessagePerChannel: { count, windowMs },
});

const RATELIMITED = { status: 429, body: { ok: false, error: 'ratelimited' } };

beforeAll(async () => {
  fake = new FakeSlackWebApi(TOKEN);
  base = await fake.listen();
  for (const id of ['CONE', 'CTWO']) fake.addConversation({ id, kind: 'public', botMember: true });
});
afterAll(() => fake.close());
beforeEach(() => fake.setRateLimits(SLACK_RATE_LIMITS));

describe('the fake Slack Web API rate limits', () => {
  it("carries Slack's tier for every method the bot calls", () => {
    expect(METHOD_TIERS).toMatchObject({ 'chat.update': 3, 'chat.postEphemeral': 4, 'views.open': 4, 'views.push': 4, 'views.update': 4, 'views.publish': 4, 'conversations.info': 3, 'chat.postMessage': 'per-channel' });
  });

  it('serves a burst of 50 chat.update calls (Tier 3: 50 a minute) and answers the 51st with HTTP 429, Retry-After and ratelimited', async () => {
    expect(SLACK_RATE_LIMITS.tiers[3]).toEqual({ count: 50, windowMs: 60_000 });
    // The same 50 over an hour, so a slow machine refills nothing while the 51 calls go out.
    fake.setRateLimits({ ...SLACK_RATE_LIMITS, tiers: { ...SLACK_RATE_LIMITS.tiers, 3: { count: 50, windowMs: 3_600_000 } } });
    const posted = await call('chat.postMessage', { channel: 'CONE', text: 'task' });
    const ts = posted.body.ts as string;
    for (let i = 0; i < 50; i++) expect((await call('chat.update', { channel: 'CONE', ts, text: `update ${i}` })).body).toMatchObject({ ok: true });
    const refused = await call('chat.update', { channel: 'CONE', ts, text: 'one too many' });
    expect(refused).toMatchObject(RATELIMITED);
    // One call comes back every 72 s.
    expect(refused.retryAfter).toBe('72');
    expect(fake.rateLimited.at(-1)).toMatchObject({ method: 'chat.update', rateKey: 'chat.update', retryAfterSeconds: 72 });
    expect(fake.messages.find((m) => m.ts === ts)?.text).toBe('update 49');
  });

  it('counts each method on its own: views.publish (Tier 4) goes through while chat.update is refused', async () => {
    fake.setRateLimits(lowered(1, 60_000));
    const ts = (await call('chat.postMessage', { channel: 'CONE', text: 'task' })).body.ts as string;
    await call('chat.update', { channel: 'CONE', ts, text: 'first' });
    expect(await call('chat.update', { channel: 'CONE', ts, text: 'second' })).toMatchObject({ ...RATELIMITED, retryAfter: '60' });
    expect((await call('views.publish', { user_id: 'UALICE1', view: { type: 'home', blocks: [] } })).body).toMatchObject({ ok: true });
  });

  it('lets chat.postMessage burst in a channel, then about one a second, each channel on its own', async () => {
    const burst = SLACK_RATE_LIMITS.postMessagePerChannel.count;
    for (let i = 0; i < burst; i++) expect((await call('chat.postMessage', { channel: 'CTWO', text: `line ${i}` })).body).toMatchObject({ ok: true });
    expect(await call('chat.postMessage', { channel: 'CTWO', text: 'one too many' })).toMatchObject({ ...RATELIMITED, retryAfter: '1' });
    expect((await call('chat.postMessage', { channel: 'CONE', text: 'another channel' })).body).toMatchObject({ ok: true });
    expect(fake.messages.some((m) => m.text === 'one too many')).toBe(false);
  });

  it('serves the call again once Retry-After has passed, and lists a call made inside the wait', async () => {
    // A Slack of its own, so the waits told in the tests above do not count here.
    await fake.close();
    fake = new FakeSlackWebApi(TOKEN, { rateLimits: lowered(1, 1000) });
    base = await fake.listen();
    fake.addConversation({ id: 'CONE', kind: 'public', botMember: true });
    const ts = (await call('chat.postMessage', { channel: 'CONE', text: 'task' })).body.ts as string;
    await call('chat.update', { channel: 'CONE', ts, text: 'first' });
    const refused = await call('chat.update', { channel: 'CONE', ts, text: 'too soon' });
    expect(refused).toMatchObject({ ...RATELIMITED, retryAfter: '1' });
    // A client that does not wait is refused again and counted as ignoring the Retry-After.
    expect(await call('chat.update', { channel: 'CONE', ts, text: 'ignoring the wait' })).toMatchObject(RATELIMITED);
    expect(fake.callsInsideRetryAfter().length).toBe(1);
    // The last refusal said 1 s too: wait past it.
    await new Promise((r) => setTimeout(r, 1100));
    expect((await call('chat.update', { channel: 'CONE', ts, text: 'after the wait' })).body).toMatchObject({ ok: true });
    expect(fake.callsInsideRetryAfter().length).toBe(1);
  });
});
