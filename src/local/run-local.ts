import { randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { startBot, type RunningBot } from '../runtime.js';
import { FakeSlackWebApi } from '../sandbox/slack/web-api.js';
import { readAppManifest } from '../sandbox/slack/manifest.js';
import { BotEndpoint } from './workspace/bot-endpoint.js';
import { LOCAL_CHANNEL, LOCAL_USERS, type LocalUser } from './workspace/directory.js';
import { seedLocalRoles } from './workspace/local-roles.js';
import { startWorkspaceServer, type WorkspaceServer } from './workspace/server.js';

export interface LocalRun {
  /** The workspace page. */
  url: string;
  bot: RunningBot;
  fake: FakeSlackWebApi;
  server: WorkspaceServer;
  stop(): Promise<void>;
}

export interface LocalOptions {
  /** The bot's settings; its Slack settings are replaced by this run's own. */
  config: Config;
  logger: Logger;
  /** The workspace page's port on 127.0.0.1 (0: any free one). */
  port: number;
  users?: readonly LocalUser[];
}


/**
 * The whole bot with Slack replaced by the local workspace: a fake Web API, the real bot on
 * fresh credentials (never a real token), the roles the user switcher promises, and the page.
 */
export async function startLocal(opts: LocalOptions): Promise<LocalRun> {
  const users = opts.users ?? LOCAL_USERS;
  const slack = { botToken: `xoxb-local-${randomBytes(12).toString('hex')}`, signingSecret: randomBytes(24).toString('hex') };
  const fake = new FakeSlackWebApi(slack.botToken);
  // The workspace's one channel: the bot was invited to it, as an admin would before using /oslayer there.
  fake.addConversation({ ...LOCAL_CHANNEL, kind: 'public', botMember: true });
  const apiUrl = await fake.listen();
  fake.on('call', (call: { method: string; error?: string }) => {
    if (call.error) opts.logger.warn(`the bot called ${call.method} and Slack would answer "${call.error}"`);
  });
  let bot: RunningBot | undefined;
  try {
    const config: Config = { ...opts.config, slack: { ...slack, apiUrl } };
    bot = await startBot(config, opts.logger);
    await seedLocalRoles(bot.services.repos.roles, users);
    const server = await startWorkspaceServer({
      fake,
      bot: new BotEndpoint(`http://127.0.0.1:${bot.port}/slack/events`, slack.signingSecret),
      users,
      channel: LOCAL_CHANNEL,
      // The slash commands the Slack app declares, so the composer knows the same ones.
      commands: readAppManifest().commands,
      sandbox: { enabled: config.sandbox.enabled, simulator: bot.sandbox?.simulator },
      port: opts.port,
    });
    const running = bot;
    return {
      url: server.url,
      bot: running,
      fake,
      server,
      stop: async () => {
        await server.close();
        await running.stop();
        await fake.close();
      },
    };
  } catch (err) {
    await bot?.stop();
    await fake.close();
    throw err;
  }
}
