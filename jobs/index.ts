import type { Agenda } from 'agenda';
import type { Services } from '../src/services.js';
import { definePublishJob } from './publish-packaging-disk.js';
import { defineFinalizeJob } from './finalize-version.js';
import { defineCancelJob } from './cancel-task.js';
import { defineDeployMachineJob } from './deploy-packaging-machine.js';
import { defineMachineActionJob } from './packaging-machine-action.js';
import { defineWatchMachineJob } from './watch-packaging-machine.js';
import { defineRetentionJob } from './enforce-retention.js';
import { defineInstallUpdatesJob } from './install-windows-updates.js';
import { defineBaseInventoryJob } from './read-base-inventory.js';

/** Every job the bot runs is defined here; each job file exports a define function. */
export function defineJobs(agenda: Agenda, services: Services): void {
  definePublishJob(agenda, services, services.config.jobs.publish);
  // Copies are polled at the pace configured for publishing (OSLAYER_COPY_POLL_SECONDS).
  defineFinalizeJob(agenda, services, { copyPollIntervalMs: services.config.jobs.publish.copyPollIntervalMs });
  defineCancelJob(agenda, services);
  defineDeployMachineJob(agenda, services);
  defineMachineActionJob(agenda, services);
  defineWatchMachineJob(agenda, services, services.config.jobs.watch);
  defineRetentionJob(agenda, services);
  defineInstallUpdatesJob(agenda, services, services.config.jobs.updates);
  defineBaseInventoryJob(agenda, services);
}
