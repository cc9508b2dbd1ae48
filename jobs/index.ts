import type { Agenda } from 'agenda';
import type { Services } from '../src/services.js';
import { definePublishJob } from './publish-packaging-disk.js';

/** Every job the bot runs is defined here; each job file exports a define function. */
export function defineJobs(agenda: Agenda, services: Services): void {
  definePublishJob(agenda, services, services.config.jobs.publish);
}
