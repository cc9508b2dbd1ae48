import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Repositories } from './store/repositories.js';
import type { Scheduler } from './scheduler.js';

/** What listeners and jobs are given: the composition root builds it once. */
export interface Services {
  config: Config;
  logger: Logger;
  repos: Repositories;
  scheduler: Scheduler;
}
