import { formatConfigProblems, loadConfig, type Config } from '../config.js';
import { LOCAL_CHANNEL, LOCAL_USERS } from './workspace/directory.js';

/** Stand-ins for the Slack settings: startLocal() replaces them with fresh ones for every run. */
const PLACEHOLDER_SLACK = { SLACK_BOT_TOKEN: 'xoxb-local-placeholder', SLACK_SIGNING_SECRET: 'local-placeholder-secret' };

/** How often the packaging machine watch looks, unless OSLAYER_WATCH_INTERVAL_SECONDS says otherwise. */
const LOCAL_WATCH_INTERVAL_MS = 3000;

/**
 * The bot's settings for `npm run local`: the person's own environment for the store (MONGODB_URI)
 * and logging, validated like `npm start`'s; the rest is fixed so every run looks the same:
 * the local Administrator, the local channel for task messages, its own data dir, the sandbox on.
 */
export function localConfig(env: NodeJS.ProcessEnv): Config {
  const { SLACK_APP_TOKEN: _socketMode, SLACK_API_URL: _api, ...rest } = env;
  const admins = LOCAL_USERS.filter((u) => u.role === 'administrator').map((u) => u.id);
  const result = loadConfig({
    ...rest,
    ...PLACEHOLDER_SLACK,
    OSLAYER_ADMINS: admins.join(','),
    OSLAYER_NOTIFY_CHANNEL: LOCAL_CHANNEL.id,
    OSLAYER_DATA_DIR: '.data/local',
    OSLAYER_SANDBOX: '1',
  });
  if (!result.ok) throw new Error(formatConfigProblems(result));
  const { config } = result;
  // Production reads a machine's state at most every 30 s, for ARM's rate limits; the simulated
  // Azure has none, and a person trying the workflow should not wait a minute for "running".
  const watch = env.OSLAYER_WATCH_INTERVAL_SECONDS?.trim() ? config.jobs.watch : { ...config.jobs.watch, intervalMs: LOCAL_WATCH_INTERVAL_MS };
  // The simulated machine is back from a restart at once; look every second, not every 15.
  const updates = { ...config.jobs.updates, agentPollMs: 1000 };
  // The bot's own HTTP port is internal here (only the workspace calls it): any free one.
  return { ...config, port: 0, jobs: { ...config.jobs, watch, updates } };
}
