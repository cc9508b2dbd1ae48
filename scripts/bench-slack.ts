/**
 * Part of `npm run bench` (BENCH_PHASE=slack-rates): the bot under Slack's rate limits. The sandbox
 * bot runs in-process with the production pace (one update per task message every 3 s at most, the
 * background budget's 40 calls a minute); 20 tasks in one channel copy a disk for minutes, reporting
 * progress at the production copy poll (5 s) and a history line when the copy is done; meanwhile a
 * person opens App Home and clicks a task's View every few seconds. Run twice: with the fake Web API
 * at Slack's published limits (target: no 429, every message in its final state, every modal open
 * within 1 s of its click), then with chat.update and per-channel posts lowered to force 429s
 * (target: every message still converges, no call inside a Retry-After, every modal within 3 s).
 *
 * The copies report progress through TaskRun as publish's copy loop does, paced here: the sandbox's
 * Azurite finishes a copy at once, and what is measured is the Slack side of a long copy.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { startBot, type RunningBot } from '../src/runtime.js';
import { DEMO_LAYER_NAME } from '../src/sandbox/index.js';
import { FakeSlackWebApi } from '../src/sandbox/slack/web-api.js';
import { SLACK_RATE_LIMITS, type RateLimits } from '../src/sandbox/slack/rate-limits.js';
import { interactionBody, slackSignatureHeaders } from '../src/sandbox/slack/signature.js';
import { TaskRun } from '../src/workflow/task-run.js';
import { TASK_VIEW_IDS } from '../views/tasks.js';
import { taskRecord, versionRecord } from '../test/support/records.js';
import { interactionSender } from '../test/support/slack-payloads.js';

const TOKEN = 'xoxb-bench-slack';
const SECRET = 'bench-slack-signing-secret';
const CHANNEL = 'CBENCHRATES';
const USER = 'UBENCH';
const TASKS = Number(process.env.BENCH_SLACK_TASKS ?? 20);
/** How long each copy takes; many times the update interval, short enough for a bench of a few minutes. */
const COPY_MS = Number(process.env.BENCH_COPY_SECONDS ?? 75) * 1000;
/** publish's copy poll in production (OSLAYER_COPY_POLL_SECONDS). */
const COPY_POLL_MS = 5000;
const CLICK_EVERY_MS = 4000;
/** After the last copy, how long the messages may take to show the final state. */
const CONVERGE_TIMEOUT_MS = 180_000;
const COPIED = 'Copied the base version disk';

/** Slack's limits with chat.update (Tier 3) at 30 a minute, under the bot's budget of 40, and one post every 3 s per channel. */
const FORCED_429S: RateLimits = {
  tiers: { ...SLACK_RATE_LIMITS.tiers, 3: { count: 10, windowMs: 20_000 } },
  postMessagePerChannel: { count: 1, windowMs: 3000 },
};

export interface SlackRatesResult {
  limits: string;
  tasks: number;
  '429s': number;
  /** What the 429s were for (method, and channel for chat.postMessage). */
  'refused calls': string;
  'calls inside Retry-After': number;
  'messages in final state': string;
  'converged after last copy (s)': number;
  clicks: number;
  'modal p50 ms': number;
  'modal max ms': number;
  'target modal ms': number;
  'background calls': number;
  pass: boolean;
}

function config(apiUrl: string, mongodbUri: string): Config {
  return {
    slack: { botToken: TOKEN, signingSecret: SECRET, apiUrl },
    port: 0,
    admins: [USER],
    mongodbUri,
    dataDir: mkdtempSync(join(tmpdir(), 'oslayer-bench-slack-')),
    sandbox: { enabled: true },
    logLevel: 'error',
    logFormat: 'json',
    jobs: {
      publish: { templateSasDays: 7, copyPollIntervalMs: COPY_POLL_MS },
      watch: { intervalMs: 60_000, runningReminderMs: 8 * 3_600_000, noMachineReminderMs: 24 * 3_600_000, agentReportTimeoutMs: 15 * 60_000 },
      updates: { rounds: 5, installTimeoutSeconds: 90 * 60, searchTimeoutSeconds: 30 * 60, agentPollMs: 15_000, agentWaitMs: 20 * 60_000 },
      lockLifetimeMs: 30_000,
    },
    retention: { taskDays: 180, auditDays: 365 },
    messageUpdateIntervalMs: 3000,
  };
}

/** Signs and posts a body to the bot as Slack would. */
async function toBot(bot: RunningBot, body: string, contentType = 'application/x-www-form-urlencoded'): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${bot.port}/slack/events`, { method: 'POST', headers: { 'content-type': contentType, ...slackSignatureHeaders(SECRET, body) }, body });
  if (!res.ok) throw new Error(`the bot answered HTTP ${res.status}`);
}

/** Opens App Home and clicks View on `taskId`: answers how long after the click Slack served the modal's views.open. */
async function clickView(bot: RunningBot, slack: FakeSlackWebApi, taskId: string): Promise<number> {
  const since = Date.now();
  const published = slack.waitForCall('views.publish', (c) => c.args.user_id === USER && c.at >= since, 30_000);
  const event = { type: 'event_callback', team_id: 'TLOCAL', api_app_id: 'AOSLAYER', event: { type: 'app_home_opened', user: USER, channel: `D${USER}`, tab: 'home', event_ts: `${Date.now() / 1000}` }, event_id: `Ev${randomUUID().slice(0, 8)}`, event_time: Math.floor(Date.now() / 1000) };
  await toBot(bot, JSON.stringify(event), 'application/json');
  await published;
  const home = slack.homeView(USER)!;
  const clickedAt = Date.now();
  const trigger = slack.issueTrigger(USER, clickedAt);
  const opened = slack.waitForCall('views.open', (c) => c.args.trigger_id === trigger, 30_000);
  await toBot(
    bot,
    interactionBody({
      type: 'block_actions',
      ...interactionSender(USER, trigger),
      container: { type: 'view', view_id: home.id },
      view: home.view,
      actions: [{ type: 'button', action_id: TASK_VIEW_IDS.view, block_id: 'b', value: taskId, action_ts: `${clickedAt / 1000}` }],
    }),
  );
  const call = await opened;
  if (call.error) throw new Error(`views.open answered ${call.error}`);
  return call.at - clickedAt;
}

async function runPhase(mongodbUri: string, label: string, limits: RateLimits, targetModalMs: number): Promise<SlackRatesResult> {
  const slack = new FakeSlackWebApi(TOKEN, { rateLimits: limits });
  slack.addConversation({ id: CHANNEL, kind: 'public', name: 'bench-rates', botMember: true });
  const bot = await startBot(config(await slack.listen(), mongodbUri), createLogger('error', () => undefined));
  try {
    const { repos, notifier } = bot.services;
    const layer = (await repos.layers.findOne({ name: DEMO_LAYER_NAME }))!;
    const tasks = await Promise.all(
      Array.from({ length: TASKS }, async (_, i) => {
        const version = versionRecord({ layerId: layer._id, connectorId: layer.connectorId, name: `bench-rates-${i}`, status: 'publishing', createdBy: USER });
        await repos.versions.insert(version);
        const task = taskRecord({ layerId: layer._id, versionId: version._id, status: 'running', startedBy: USER });
        await repos.tasks.insert(task);
        await notifier.post(task._id, CHANNEL);
        return task._id;
      }),
    );

    const copies = Promise.all(
      tasks.map(async (taskId, i) => {
        const run = (await TaskRun.load(bot.services, taskId))!;
        // Staggered starts, as tasks started by different people would be.
        await sleep((i * COPY_POLL_MS) / TASKS);
        await run.step(COPIED, async () => {
          for (let elapsed = 0; elapsed < COPY_MS; elapsed += COPY_POLL_MS) {
            const percent = Math.floor((elapsed * 100) / COPY_MS);
            await run.progress(percent, `${percent}% copied`);
            await sleep(COPY_POLL_MS);
          }
        });
        await run.moveVersion({ type: 'published' });
      }),
    );
    let copying = true;
    void copies.finally(() => (copying = false));
    const latencies: number[] = [];
    while (copying) {
      latencies.push(await clickView(bot, slack, tasks[latencies.length % tasks.length]!));
      await sleep(CLICK_EVERY_MS);
    }
    await copies;
    const copiedAt = Date.now();

    const finalMessage = (taskId: string) => async () => {
      const task = await repos.tasks.get(taskId);
      const shown = slack.messages.find((m) => m.ts === task?.slack?.ts);
      const thread = slack.messages.filter((m) => m.thread_ts === task?.slack?.ts).map((m) => m.text ?? '');
      return JSON.stringify(shown?.blocks).includes('Action Required') && thread.some((line) => line.includes(COPIED));
    };
    const deadline = copiedAt + CONVERGE_TIMEOUT_MS;
    let final = 0;
    while (Date.now() < deadline) {
      final = (await Promise.all(tasks.map((id) => finalMessage(id)()))).filter(Boolean).length;
      if (final === tasks.length) break;
      await sleep(500);
    }
    latencies.sort((a, b) => a - b);
    const inside = slack.callsInsideRetryAfter().length;
    const maxModal = latencies.at(-1) ?? NaN;
    const published = limits === SLACK_RATE_LIMITS;
    return {
      limits: label,
      tasks: tasks.length,
      '429s': slack.rateLimited.length,
      'refused calls': countsOf(slack.rateLimited.map((r) => r.method)),
      'calls inside Retry-After': inside,
      'messages in final state': `${final}/${tasks.length}`,
      'converged after last copy (s)': +((Date.now() - copiedAt) / 1000).toFixed(1),
      clicks: latencies.length,
      'modal p50 ms': latencies[Math.floor(latencies.length / 2)] ?? NaN,
      'modal max ms': maxModal,
      'target modal ms': targetModalMs,
      'background calls': slack.calls.filter((c) => ['chat.update', 'chat.postMessage', 'views.publish'].includes(c.method)).length,
      pass: final === tasks.length && inside === 0 && maxModal <= targetModalMs && (!published || slack.rateLimited.length === 0),
    };
  } finally {
    await bot.stop();
    await slack.close();
  }
}

function countsOf(names: string[]): string {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  return [...counts].map(([name, n]) => `${name} ×${n}`).join(', ') || 'none';
}

/** Both runs, each on its own database. */
export async function benchSlackRates(ferretUri: string): Promise<SlackRatesResult[]> {
  return [
    await runPhase(`${ferretUri}benchslackpublished`, "Slack's published", SLACK_RATE_LIMITS, 1000),
    await runPhase(`${ferretUri}benchslacklowered`, 'lowered (chat.update 30/min, 1 post/3 s per channel)', FORCED_429S, 3000),
  ];
}
