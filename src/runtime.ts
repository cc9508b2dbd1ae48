import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { App } from '@slack/bolt';
import { secretsOf, type Config } from './config.js';
import type { Logger } from './logger.js';
import { createSlackApp, registerListeners } from './app.js';
import { createMetrics } from './metrics.js';
import { serveOpsRoutes } from './ops-routes.js';
import { loadOrCreateSecretKey } from './secrets.js';
import { keySource, verifySecretKey } from './workflow/key-rotation.js';
import { createAzureGateway } from './azure/gateway.js';
import { TaskNotifier } from './slack/task-notifier.js';
import { backgroundClient } from './slack/clients.js';
import { BACKGROUND_BUDGET } from './slack/background-budget.js';
import { homeRenderer } from './slack/home/home-view.js';
import { taskRenderer } from './workflow/render-task.js';
import type { RunningSandbox } from './sandbox/index.js';
import { connectDatabase, type Database } from './store/database.js';
import { startEmbeddedFerretdb, type EmbeddedMongo } from './store/embedded-ferretdb.js';
import { createRepositories } from './store/repositories.js';
import { Scheduler } from './scheduler.js';
import { defineJobs } from '../jobs/index.js';
import { restoreScheduleJobs } from './workflow/autopilot-schedule.js';
import type { Services } from './services.js';

export interface RunningBot {
  app: App;
  services: Services;
  /** HTTP port in HTTP mode; undefined in Socket Mode. */
  port?: number;
  sandbox?: RunningSandbox;
  stop(): Promise<void>;
}

const DRAIN_TIMEOUT_MS = 30_000;

/**
 * Starts everything in order (store, scheduler, Slack) and returns one stop() that undoes it
 * in reverse: stop taking work, drain running jobs, close Slack, close the store, stop FerretDB.
 */
export async function startBot(config: Config, logger: Logger): Promise<RunningBot> {
  logger.addSecrets(secretsOf(config));
  const cleanups: Array<() => Promise<void>> = [];
  const stop = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse().splice(0)) {
      try {
        await cleanup();
      } catch (err) {
        logger.warn('while stopping:', (err as Error).message);
      }
    }
  };

  try {
    let uri = config.mongodbUri;
    if (!uri) {
      logger.info(`MONGODB_URI is not set: starting the embedded FerretDB with data in ${config.dataDir}`);
      const embedded: EmbeddedMongo = await startEmbeddedFerretdb(config.dataDir, (line) => logger.info(line));
      cleanups.push(() => embedded.stop());
      uri = embedded.uri;
      logger.info(`embedded FerretDB is serving (pid ${embedded.pid})`);
    }
    const database: Database = await connectDatabase(uri);
    cleanups.push(() => database.close());

    const secretKey = await loadOrCreateSecretKey(config.dataDir, config.secretKey);
    logger.addSecrets([secretKey.toString('base64')]);
    const repos = createRepositories(database.db);
    // A wrong key must stop the start with a clear sentence, not surface later as failing Azure calls.
    await verifySecretKey(repos, secretKey, keySource({ fromEnv: config.secretKey !== undefined, dataDir: config.dataDir }));
    const scheduler = new Scheduler(database.db, logger.child('jobs'), { lockLifetimeMs: config.jobs.lockLifetimeMs });
    let sandbox: RunningSandbox | undefined;
    const metrics = createMetrics(database.db);
    const { app, opsRoutes } = createSlackApp(
      { config, logger, scheduler, metrics },
      {
        ping: database.ping,
        healthExtras: () => (sandbox ? { sandbox: { armEndpoint: sandbox.armEndpoint, blobEndpoint: sandbox.blobEndpoint } } : {}),
      },
    );
    const services: Services = {
      config,
      logger,
      repos,
      scheduler,
      secretKey,
      azure: createAzureGateway({ secretKey, observer: metrics.azure }),
      metrics,
      notifier: new TaskNotifier(
        // app.client answers people (the error handler, a job's ephemeral); listeners get Bolt's own client per token.
        { background: backgroundClient(config.slack, logger.child('slack-background'), metrics.slackFetch), interactive: app.client },
        repos,
        taskRenderer(repos),
        homeRenderer(repos, config.admins),
        logger.child('notify'),
        { minIntervalMs: config.messageUpdateIntervalMs, budget: config.slackBackgroundBudget ?? BACKGROUND_BUDGET },
      ),
    };
    if (config.sandbox.enabled) {
      // Loaded only when asked for: the sandbox brings Azurite, the ARM simulator and the storage SDK.
      const { startSandbox } = await import('./sandbox/index.js');
      sandbox = await startSandbox(services);
      cleanups.push(() => sandbox!.stop());
    }
    registerListeners(app, services);
    defineJobs(scheduler.agenda, services);
    const restored = await restoreScheduleJobs(services);
    if (restored > 0) logger.info(`autopilot: restored the job of ${restored} schedule(s) that had none`);
    await scheduler.start();
    cleanups.push(() => scheduler.drain(DRAIN_TIMEOUT_MS));

    const server = (config.slack.appToken ? await app.start() : await app.start(config.port)) as Server | undefined;
    cleanups.push(async () => {
      await app.stop();
    });
    const port = config.slack.appToken ? undefined : (server?.address() as AddressInfo | null)?.port;
    if (config.slack.appToken && config.metricsPort !== undefined) {
      const opsServer = await serveOpsRoutes(opsRoutes, config.metricsPort);
      cleanups.push(() => new Promise<void>((resolve) => opsServer.close(() => resolve())));
      logger.info(`GET /metrics, /healthz and /readyz on port ${config.metricsPort}`);
    }
    logger.info(
      config.slack.appToken
        ? 'oslayer is connected to Slack (Socket Mode)'
        : `oslayer is listening on port ${port}: POST /slack/events, GET /healthz, /readyz, /metrics`,
    );
    return { app, services, port, sandbox, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
