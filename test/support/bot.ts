import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../src/config.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { startBot, type RunningBot } from '../../src/runtime.js';
import { SimulatorControl } from '../../src/sandbox/azure/control-client.js';
import { FakeSlackWebApi } from '../../src/sandbox/slack/web-api.js';
import { commandBody, interactionBody, slackSignatureHeaders } from '../../src/sandbox/slack/signature.js';
import { freshMongoUri } from './stand-ins.js';
import { slashCommand } from './slack-payloads.js';

export const TEST_BOT_TOKEN = 'xoxb-test-0000-oslayer';
export const TEST_SIGNING_SECRET = 'test-signing-secret-5f1c';
/** How long a simulated Run Command takes in tests (set through the simulator's control API). */
export const TEST_RUN_COMMAND_MS = 300;
/**
 * The simulator's pace in tests of the bot: Run Command takes 300 ms instead of Azure's 20 s, and
 * long-running operations say Retry-After: 0, so the SDK polls at the sandbox's 100 ms instead of
 * waiting a second per poll (each Run Command is a PUT, polls and a DELETE).
 */
export const TEST_SIMULATOR_SETTINGS = { runCommandMs: TEST_RUN_COMMAND_MS, retryAfterSeconds: 0 };
export const TEST_CHANNEL = 'CTEST01';

export interface TestBot {
  bot: RunningBot;
  slack: FakeSlackWebApi;
  logLines: string[];
  /** POSTs a body to /slack/events, signed as Slack would (override headers to tamper). */
  post(rawBody: string, headers?: Record<string, string>): Promise<{ status: number; body: string }>;
  /** Sends `/oslayer <text>` from `user` and returns the HTTP answer (the ack body). */
  command(text: string, user?: string, channel?: string): Promise<{ status: number; body: string }>;
  interaction(payload: unknown): Promise<{ status: number; body: string }>;
  stop(): Promise<void>;
}

/** Install updates in tests: the simulated agent is watched closely after a restart. */
export const TEST_UPDATE_SETTINGS: Config['jobs']['updates'] = { rounds: 5, installTimeoutSeconds: 600, searchTimeoutSeconds: 600, agentPollMs: 100, agentWaitMs: 20_000 };

/** A bot configuration on the test run's stand-ins: a fresh database, free port, fast job polling. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    slack: { botToken: TEST_BOT_TOKEN, signingSecret: TEST_SIGNING_SECRET },
    port: 0,
    admins: ['UADMIN1'],
    mongodbUri: freshMongoUri(),
    // Its own, so a sandbox's saved Azure never leaks from one test bot into another.
    dataDir: mkdtempSync(join(tmpdir(), 'oslayer-bot-')),
    sandbox: { enabled: false },
    logLevel: 'debug',
    logFormat: 'json',
    jobs: {
      publish: { templateSasDays: 7, copyPollIntervalMs: 50 },
      // Tests look at the machine far more often than production may (≥ 30 s); reminders stay out of the way.
      watch: { intervalMs: 500, runningReminderMs: 8 * 3_600_000, noMachineReminderMs: 24 * 3_600_000, agentReportTimeoutMs: 3_600_000 },
      updates: TEST_UPDATE_SETTINGS,
      // Short enough that a takeover test finishes in seconds, long enough for a loaded CI machine.
      lockLifetimeMs: 10_000,
    },
    retention: { taskDays: 180, auditDays: 365 },
    // Jobs wait for the message to show each step; production's 3 s pace would make every step a test's slowest part.
    messageUpdateIntervalMs: 300,
    // Tests wait on each step's message; production's 40 a minute would make long workflows slow. The fake
    // still holds the bot to Slack's tiers, so a test that goes over them meets 429s the budget waits out.
    slackBackgroundBudget: { perMinute: 300, burst: 30 },
    ...overrides,
  };
}

/** The real bot (Bolt HTTP receiver, store, scheduler) against the stand-ins and a fake Slack Web API. */
export async function startTestBot(overrides: Partial<Config> = {}, opts: { slack?: { api: FakeSlackWebApi; url: string } } = {}): Promise<TestBot> {
  // A Slack passed in outlives this bot (a restart test's second bot finds the first one's messages).
  const slack = opts.slack?.api ?? new FakeSlackWebApi(TEST_BOT_TOKEN);
  const apiUrl = opts.slack?.url ?? (await slack.listen());
  // The channel commands come from and the ones task messages go to; the bot was invited to each.
  // Tests that need others (private, not joined, DMs) add them; a Slack shared across restarts keeps them.
  for (const [id, name] of [[TEST_CHANNEL, 'oslayer-test'], ['COSLAYER', 'os-layers'], ['CNOTIFY1', 'os-layer-tasks']] as const) {
    if (!slack.conversation(id)) slack.addConversation({ id, kind: 'public', name, botMember: true });
  }
  const logLines: string[] = [];
  const logger: Logger = createLogger('debug', (line) => logLines.push(line));
  const config = testConfig({ slack: { botToken: TEST_BOT_TOKEN, signingSecret: TEST_SIGNING_SECRET, apiUrl }, ...overrides });
  const bot = await startBot(config, logger);
  // Run Command takes about 20 s on Azure and in the simulator; tests don't wait that long.
  if (bot.sandbox) await new SimulatorControl(bot.sandbox.simulator).settings(TEST_SIMULATOR_SETTINGS);
  const url = `http://127.0.0.1:${bot.port}/slack/events`;

  const post = async (rawBody: string, headers: Record<string, string> = {}) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...slackSignatureHeaders(TEST_SIGNING_SECRET, rawBody),
        ...headers,
      },
      body: rawBody,
    });
    return { status: res.status, body: await res.text() };
  };

  return {
    bot,
    slack,
    logLines,
    post,
    command: (text, user = 'UADMIN1', channel = TEST_CHANNEL) =>
      post(
        commandBody(slashCommand(user, text, channel, { responseUrl: 'https://hooks.slack.invalid/commands/T/1/x', triggerId: slack.issueTrigger() })),
      ),
    interaction: (payload) => post(interactionBody(payload)),
    stop: async () => {
      await bot.stop();
      if (!opts.slack) await slack.close();
    },
  };
}
