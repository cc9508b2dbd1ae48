import type { Agenda, Job } from 'agenda';
import type { Services } from '../src/services.js';
import { AUTOPILOT_SCHEDULE_JOB, fireSchedule, type AutopilotScheduleJobData } from '../src/workflow/autopilot-schedule.js';

/** A layer's autopilot schedule coming due (src/workflow/autopilot-schedule.ts): one per layer, rescheduled by each firing. */
export function defineAutopilotScheduleJob(agenda: Agenda, services: Services): void {
  agenda.define(AUTOPILOT_SCHEDULE_JOB, (job: Job<AutopilotScheduleJobData>) => fireSchedule(services, job));
}
