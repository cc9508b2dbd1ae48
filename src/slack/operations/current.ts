import type { Services } from '../../services.js';
import type { Message } from '../../../views/blocks.js';
import { operationsMessage } from '../../../views/operations.js';
import { listJobs } from '../../workflow/job-queue.js';

export const OPERATIONS_TITLE = 'Operations';

/** The job queue as it is now, with each job's usual run time from this process's metrics. */
export async function currentOperations(services: Pick<Services, 'scheduler' | 'metrics'>): Promise<Message> {
  const [jobs, usualSeconds] = await Promise.all([listJobs(services.scheduler.agenda), services.metrics.usualJobSeconds()]);
  return operationsMessage({ jobs, usualSeconds, now: new Date() });
}
