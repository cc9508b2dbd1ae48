/**
 * A layer's autopilot schedule as one Agenda job: unique per layer (`data.layerId`), due at the
 * schedule's next firing, rescheduled by each firing to the one after. One-shot and rescheduled,
 * for cron as for the Patch Tuesday preset (which no cron expression can say): the firing knows
 * exactly which occurrence it is (`scheduledFor`, which Agenda's own repeating jobs recompute
 * from "now" before the handler runs), and the time the modal shows and the time the job is due
 * come from one function (src/domain/autopilot-timing.ts, on the cron parser Agenda uses).
 *
 * Replicas: Agenda locks a due job for one process, and the run itself starts through
 * startAutopilotRun's claim, so a firing starts at most one run. A firing retried after its
 * process died finds its own run open and says nothing.
 */
import type { Job } from 'agenda';
import type { Services } from '../services.js';
import type { AutopilotRun, AutopilotSchedule } from '../domain/autopilot.js';
import { nextFiring } from '../domain/autopilot-timing.js';
import { startAutopilotRun } from './autopilot-start.js';
import { recordAudit } from './audit.js';
import { skippedFiringNote } from '../../views/autopilot.js';

export const AUTOPILOT_SCHEDULE_JOB = 'autopilot-schedule';

export interface AutopilotScheduleJobData {
  layerId: string;
  /** The firing this job is due for (a Date in the job document). */
  scheduledFor: Date;
}

type ScheduleServices = Pick<Services, 'repos' | 'scheduler'>;

/** A firing whose run could not be started (the store unreachable) is tried again this much later. */
const FIRING_RETRY_MS = 5 * 60_000;

/** The schedule's next firing after `after`, or null when it is off. */
export function nextRunOf(schedule: Pick<AutopilotSchedule, 'enabled' | 'timing' | 'timeZone'> | null, after = new Date()): Date | null {
  return schedule?.enabled ? nextFiring(schedule.timing, schedule.timeZone, after) : null;
}

/** Puts the layer's job at its schedule's next firing, or removes it when the schedule is off or gone; the firing, or null. */
async function syncScheduleJob(services: ScheduleServices, layerId: string, after = new Date()): Promise<Date | null> {
  const next = nextRunOf(await services.repos.autopilotSchedules.get(layerId), after);
  const { agenda } = services.scheduler;
  if (!next) {
    await agenda.cancel({ name: AUTOPILOT_SCHEDULE_JOB, data: { layerId } });
    return null;
  }
  const data: AutopilotScheduleJobData = { layerId, scheduledFor: next };
  await agenda.create(AUTOPILOT_SCHEDULE_JOB, data).unique({ 'data.layerId': layerId }).schedule(next).save();
  return next;
}

/**
 * At start: every enabled schedule whose job is missing, or has no next run (it failed), gets it
 * back at its next firing: an administrator may have cancelled it in Operations, or the store was
 * restored without its jobs. A job that is due is left as it is. Replicas starting together write
 * the same one document (unique per layer).
 */
export async function restoreScheduleJobs(services: ScheduleServices, now = new Date()): Promise<number> {
  const { agenda } = services.scheduler;
  let restored = 0;
  for (const schedule of await services.repos.autopilotSchedules.list({ enabled: true })) {
    const { jobs } = await agenda.queryJobs({ name: AUTOPILOT_SCHEDULE_JOB, data: { layerId: schedule.layerId } });
    if (jobs.some((job) => job.nextRunAt)) continue;
    if (await syncScheduleJob(services, schedule.layerId, now)) restored += 1;
  }
  return restored;
}

/** Saves a layer's schedule (audited) and moves its job; the next firing, or null when it is off. */
export async function saveSchedule(services: ScheduleServices, schedule: AutopilotSchedule): Promise<Date | null> {
  const { repos } = services;
  const existed = await repos.autopilotSchedules.get(schedule.layerId);
  if (existed) await repos.autopilotSchedules.update(schedule.layerId, schedule);
  else await repos.autopilotSchedules.insert({ _id: schedule.layerId, ...schedule });
  await recordAudit(repos, {
    actor: schedule.updatedBy,
    action: 'layer.autopilot-schedule',
    target: `layer:${schedule.layerId}`,
    details: { enabled: schedule.enabled, timing: { ...schedule.timing }, timeZone: schedule.timeZone, policy: { ...schedule.policy } },
  });
  return syncScheduleJob(services, schedule.layerId);
}

/**
 * One firing: start the run, move the job to the next firing, and when a run is still open say
 * so where the team looks (the schedule's channel, and the open run's thread).
 */
export async function fireSchedule(services: Pick<Services, 'repos' | 'scheduler' | 'notifier' | 'logger'>, job: Job<AutopilotScheduleJobData>): Promise<void> {
  const { layerId } = job.attrs.data;
  const scheduledFor = new Date(job.attrs.data.scheduledFor);
  const schedule = await services.repos.autopilotSchedules.get(layerId);
  // Turned off (or removed) as it came due: its job is being removed; nothing to start.
  if (!schedule?.enabled) return;
  let started: Awaited<ReturnType<typeof startAutopilotRun>>;
  try {
    started = await startAutopilotRun(services, layerId, { kind: 'schedule', scheduledFor });
  } catch (err) {
    // Agenda leaves a one-shot job with no next run when it fails: the same firing is tried again shortly instead.
    job.schedule(new Date(Date.now() + FIRING_RETRY_MS));
    await job.save();
    throw err;
  }
  // Read again: an edit saved while the run was starting has moved this same job, and what is saved now must not undo it.
  const current = await services.repos.autopilotSchedules.get(layerId);
  // From the later of now and the firing: a firing late after downtime is followed by the next one ahead, not by a burst of missed ones.
  const next = nextRunOf(current, new Date(Math.max(Date.now(), scheduledFor.getTime())));
  if (next) {
    job.attrs.data = { layerId, scheduledFor: next };
    job.schedule(next);
    await job.save();
  }
  if (started.started || started.reason !== 'run-open' || isThisFiring(started.openRun, scheduledFor)) return;
  const layer = await services.repos.layers.get(layerId);
  const note = skippedFiringNote({ layerName: layer?.name ?? layerId, scheduledFor, openRun: started.openRun, next, timeZone: current?.timeZone ?? schedule.timeZone });
  services.logger.info(`autopilot: skipped the firing of ${scheduledFor.toISOString()} for layer ${layerId}: a run is open`);
  await services.notifier.announce(schedule.policy.channelId, note);
  if (started.openRun?.taskId) await services.notifier.thread(started.openRun.taskId, note);
}

/** The open run is the one this same firing started (its job ran again after a crash): nothing was skipped. */
function isThisFiring(run: AutopilotRun | null, scheduledFor: Date): boolean {
  return run?.trigger.kind === 'schedule' && new Date(run.trigger.scheduledFor).getTime() === scheduledFor.getTime();
}
