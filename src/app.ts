import { App, LogLevel } from '@slack/bolt';
import type { Services } from './services.js';
import { installErrorHandler } from './slack/error-handler.js';
import { opsRoutes, type OpsRoute } from './ops-routes.js';
import { register as registerCommands } from '../commands/index.js';
import { register as registerActions } from './slack/actions/index.js';
import { register as registerViewSubmissions } from './slack/submissions/index.js';
import { register as registerTaskActions } from './slack/task-actions/index.js';
import { register as registerTaskViews } from './slack/task-views/index.js';
import { register as registerEvents } from './slack/events/index.js';
import { register as registerHome } from './slack/home/index.js';
import { register as registerRoles } from './slack/roles/index.js';
import { register as registerOperations } from './slack/operations/index.js';

export interface SlackAppOptions {
  /** Extra fields for /healthz (e.g. the sandbox's endpoints). */
  healthExtras?: () => Record<string, unknown>;
  ping: () => Promise<boolean>;
}

export interface SlackApp {
  app: App;
  /** /healthz, /readyz and /metrics: Bolt serves them in HTTP mode; Socket Mode needs METRICS_PORT. */
  opsRoutes: OpsRoute[];
}

/**
 * The Bolt app: Socket Mode with an app token, otherwise HTTP with POST /slack/events
 * (signatures and timestamps verified by Bolt's receiver) and the operations routes.
 */
export function createSlackApp(services: Pick<Services, 'config' | 'logger' | 'scheduler' | 'metrics'>, opts: SlackAppOptions): SlackApp {
  const { config, logger, metrics } = services;
  const routes = opsRoutes({
    // Informative only: a draining scheduler (SIGTERM) is still a live process.
    liveness: () => ({ scheduler: services.scheduler.isProcessing() ? 'running' : 'stopped', ...opts.healthExtras?.() }),
    storeUp: opts.ping,
    slackUp: async () => (await app.client.auth.test()).ok === true,
    registry: metrics.registry,
  });
  const app: App = new App({
    token: config.slack.botToken,
    signingSecret: config.slack.signingSecret,
    logger: logger.child('bolt'),
    logLevel: config.logLevel as LogLevel,
    // Every WebClient Bolt makes fetches through the metrics' counter (calls by method, 429s).
    clientOptions: { ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}), fetch: metrics.slackFetch },
    extendedErrorHandler: true,
    ...(config.slack.appToken
      ? { socketMode: true, appToken: config.slack.appToken }
      : { endpoints: '/slack/events', customRoutes: routes }),
  });
  installErrorHandler(app, logger);
  return { app, opsRoutes: routes };
}

/** Every listener, once the services exist (they need the app's Web API client). */
export function registerListeners(app: App, services: Services): void {
  registerCommands(app, services);
  registerActions(app, services);
  registerViewSubmissions(app, services);
  registerTaskActions(app, services);
  registerTaskViews(app, services);
  registerEvents(app, services);
  registerHome(app, services);
  registerRoles(app, services);
  registerOperations(app, services);
}
