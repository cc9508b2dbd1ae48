import type { Agenda } from 'agenda';
import type { Services } from '../src/services.js';

/** Every job the bot runs is defined here; each job file exports a define function. */
export function defineJobs(_agenda: Agenda, _services: Services): void {}
