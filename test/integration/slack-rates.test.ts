/**
 * The bot under Slack's rate limits, against the fake Web API with limits lowered so 429s come
 * within seconds: background traffic converges and honours every Retry-After, a click is answered
 * while background traffic waits, App Home follows the tasks for whoever has it open.
 */
import { startTestBot, type TestBot } from '../support/bot.js';
import { clickInHome, grantRoles, openHome, seedTask, USERS } from '../support/records.js';
import { TaskRun } from '../../src/workflow/task-run.js';
import { FakeSlackWebApi, type RateLimitedCall } from '../../src/sandbox/slack/web-api.js';
import { SLACK_RATE_LIMITS, type RateLimits } from '../../src/sandbox/slack/rate-limits.js';
import { TEST_BOT_TOKEN } from '../support/bot.js';
import { TASK_VIEW_IDS } from '../../views/tasks.js';

const STARTER = USERS['manage-os-layers'];

/** Slack's limits, with chat.update (Tier 3) and chat.postMessage per channel lowered to `count` a `windowMs`. */
function lowered(count: number, windowMs: number): RateLimits {
  return { tiers: { ...SLACK_RATE_LIMITS.tiers, 3: { count, windowMs } }, postMessagePerChannel: { count, windowMs } };
}

async function botOn(limits: RateLimits): Promise<TestBot> {
  const api = new FakeSlackWebApi(TEST_BOT_TOKEN, { rateLimits: limits });
  const t = await startTestBot({}, { slack: { api, url: await api.listen() } });
  const stop = t.stop;
  return { ...t, stop: async () => (await stop(), await api.close()) };
}

async function postedTask(t: TestBot, versionName: string) {
  const { repos, notifier } = t.bot.services;
  const { task } = await seedTask(repos, { version: { name: versionName, status: 'publishing' }, task: { status: 'running', startedBy: STARTER } });
  const where = await notifier.post(task._id, 'CNOTIFY1');
  const run = (await TaskRun.load(t.bot.services, task._id))!;
  const shown = () => JSON.stringify(t.slack.messages.find((m) => m.ts === where.ts)?.blocks);
  const thread = () => t.slack.messages.filter((m) => m.thread_ts === where.ts).map((m) => m.text);
  return { run, where, shown, thread };
}

describe('under forced 429s', () => {
  let t: TestBot;
  beforeAll(async () => {
    // Two chat.update calls and two posts per channel at once, then one a second.
    t = await botOn(lowered(2, 2000));
  });
  afterAll(() => t.stop());

  it('brings every task message to its final state and its thread to every line, never calling inside a Retry-After', async () => {
    const tasks = await Promise.all(['v-one', 'v-two', 'v-three'].map((name) => postedTask(t, name)));
    await Promise.all(
      tasks.map(async ({ run }) => {
        for (let percent = 10; percent < 100; percent += 15) await run.progress(percent, `${percent}% copied`);
        await run.step('Copied the base version disk', async () => undefined);
        await run.moveVersion({ type: 'published' });
      }),
    );
    expect(t.slack.rateLimited.length).toBeGreaterThan(0);
    for (const { shown, thread } of tasks) {
      expect(shown()).toContain('Action Required');
      expect(thread()).toEqual([':white_check_mark: Copied the base version disk']);
    }
    expect(t.slack.callsInsideRetryAfter()).toEqual([]);
    expect(t.bot.services.notifier.budget.rateLimited.length).toBeGreaterThan(0);
  });

  it('sends no update when the message would show what it shows', async () => {
    const { notifier } = t.bot.services;
    const { run, where } = await postedTask(t, 'v-same');
    const updates = () => t.slack.callsTo('chat.update').filter((c) => c.args.ts === where.ts).length;
    await run.progress(40, '40% copied');
    // progress() asks for a refresh without waiting for it; this one joins it.
    await notifier.refresh(run.task._id);
    const sent = updates();
    expect(sent).toBe(1);
    // The next copy poll finds the same percent; refreshes render what Slack already shows.
    await run.progress(40, '40% copied');
    await notifier.refresh(run.task._id);
    await notifier.refresh(run.task._id, { immediate: true });
    expect(updates()).toBe(sent);
  });
});

describe('a click while background traffic waits out a 429', () => {
  let t: TestBot;
  beforeAll(async () => {
    // Retry-After 10 s: far longer than a loaded machine takes to serve the click.
    await grantRoles((t = await botOn(lowered(1, 10_000))).bot.services.repos);
  });
  afterAll(() => t.stop());

  it("opens the click's modal inside the Retry-After that holds the task message back", async () => {
    const { run, shown } = await postedTask(t, 'v-click');
    const refused = new Promise<RateLimitedCall>((resolve) => t.slack.once('ratelimited', resolve));
    // The first update spends Tier 3's one call; the second is refused and waits 10 s.
    await run.progress(10, '10% copied');
    await t.bot.services.notifier.refresh(run.task._id, { immediate: true });
    const moved = run.moveVersion({ type: 'published' });
    const wait = await refused;
    expect(wait).toMatchObject({ method: 'chat.update', retryAfterSeconds: 10 });

    const reader = USERS['read-only'];
    await openHome(t, reader);
    await clickInHome(t, reader, TASK_VIEW_IDS.view, run.task._id);
    const open = await t.slack.waitForCall('views.open', (c) => c.at > wait.at);
    expect(open.error).toBeUndefined();
    // Served while the background client was still told to wait, and before the held update went out.
    expect(open.at).toBeLessThan(wait.at + wait.retryAfterSeconds * 1000);
    expect(t.slack.callsTo('chat.update').filter((c) => c.at > wait.at && c.at < open.at)).toEqual([]);

    await moved;
    expect(shown()).toContain('Action Required');
    expect(t.slack.callsInsideRetryAfter()).toEqual([]);
  });
});

describe('App Home while a person has it open', () => {
  let t: TestBot;
  beforeAll(async () => {
    t = await botOn(SLACK_RATE_LIMITS);
  });
  afterAll(() => t.stop());

  it('is re-published when a task it shows changes', async () => {
    const reader = USERS['read-only'];
    const { run } = await postedTask(t, 'v-home');
    const before = JSON.stringify((await openHome(t, reader)).blocks);
    expect(before).toContain('v-home — Publishing');
    const since = t.slack.calls.length;
    await run.moveVersion({ type: 'published' });
    const republished = await t.slack.waitForCall('views.publish', (c) => c.args.user_id === reader && t.slack.calls.indexOf(c) >= since);
    expect(JSON.stringify((republished.args.view as { blocks: unknown[] }).blocks)).toContain('v-home — Action Required');
  });
});
