import type { Agenda } from 'agenda';
import type { Services } from '../src/services.js';
import { enforceRetention } from '../src/workflow/retention.js';

export const RETENTION_JOB = 'enforce-retention';

/**
 * Daily: finished tasks, old audit entries and expired drafts are deleted. `every` keeps one
 * job document per name, so each start (and each of several processes) schedules it only once.
 */
export function defineRetentionJob(agenda: Agenda, services: Services): void {
  const { repos, config, logger } = services;
  agenda.define(RETENTION_JOB, async () => {
    const deleted = await enforceRetention(repos, config.retention);
    logger.info(`retention: deleted ${deleted.tasks} finished tasks, ${deleted.audit} audit entries, ${deleted.drafts} expired drafts`);
  });
  agenda.ready
    .then(() => agenda.every('1 day', RETENTION_JOB))
    .catch((err: Error) => logger.warn(`could not schedule the daily ${RETENTION_JOB} job: ${err.message}`));
}
