import type { IncomingMessage, ServerResponse } from 'node:http';
import { App, LogLevel } from '@slack/bolt';
import type { Services } from './services.js';
import { installErrorHandler } from './slack/error-handler.js';
import { register as registerCommands } from '../commands/index.js';
import { register as registerActions } from './slack/actions/index.js';
import { register as registerViewSubmissions } from './slack/submissions/index.js';
import { register as registerTaskActions } from './slack/task-actions/index.js';
import { register as registerTaskViews } from './slack/task-views/index.js';
import { register as registerEvents } from './slack/events/index.js';
import { register as registerHome } from './slack/home/index.js';
import { register as registerRoles } from './slack/roles/index.js';

export interface HealthReport {
  ok: boolean;
  store: 'ok' | 'down';
  scheduler: 'running' | 'stopped';
  [extra: string]: unknown;
}

export interface SlackAppOptions {
  /** Extra fields for /healthz (e.g. the sandbox's endpoints). */
  healthExtras?: () => Record<string, unknown>;
  ping: () => Promise<boolean>;
}

/**
 * The Bolt app: Socket Mode with an app token, otherwise HTTP with POST /slack/events
 * (signatures and timestamps verified by Bolt's receiver) and GET /healthz.
 */
export function createSlackApp(services: Pick<Services, 'config' | 'logger' | 'scheduler'>, opts: SlackAppOptions): App {
  const { config, logger } = services;
  const health = async (): Promise<HealthReport> => {
    const store = (await opts.ping()) ? 'ok' : 'down';
    const scheduler = services.scheduler.isProcessing() ? 'running' : 'stopped';
    return { ok: store === 'ok' && scheduler === 'running', store, scheduler, ...opts.healthExtras?.() };
  };
  const app = new App({
    token: config.slack.botToken,
    signingSecret: config.slack.signingSecret,
    logger: logger.child('bolt'),
    logLevel: config.logLevel as LogLevel,
    clientOptions: config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {},
    extendedErrorHandler: true,
    ...(config.slack.appToken
      ? { socketMode: true, appToken: config.slack.appToken }
      : {
          endpoints: '/slack/events',
          customRoutes: [
            {
              path: '/healthz',
              method: ['GET'],
              handler: (_req: IncomingMessage, res: ServerResponse) => {
                void health().then((report) => {
                  res.writeHead(report.ok ? 200 : 503, { 'content-type': 'application/json' });
                  res.end(JSON.stringify(report));
                });
              },
            },
          ],
        }),
  });
  installErrorHandler(app, logger);
  return app;
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
}
