import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Repositories } from './store/repositories.js';
import type { Scheduler } from './scheduler.js';
import type { AzureGateway } from './azure/gateway.js';
import type { TaskNotifier } from './slack/task-notifier.js';
import type { Metrics } from './metrics.js';

/** What listeners and jobs are given: the composition root builds it once. */
export interface Services {
  config: Config;
  logger: Logger;
  repos: Repositories;
  scheduler: Scheduler;
  /** Encrypts connector secrets at rest (OSLAYER_SECRET_KEY or the data dir's key file). */
  secretKey: Buffer;
  azure: AzureGateway;
  notifier: TaskNotifier;
  metrics: Metrics;
}
