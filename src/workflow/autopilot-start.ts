/**
 * Starting an autopilot run, whoever asks (the layer's schedule, Run now, `/oslayer autopilot
 * run-now`): one open run per layer, held by a claim so two replicas firing the same schedule
 * start it once. The run itself is the AUTOPILOT_RUN_JOB (jobs/autopilot-run.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Services } from '../services.js';
import type { AutopilotRun, AutopilotTrigger } from '../domain/autopilot.js';

export const AUTOPILOT_RUN_JOB = 'autopilot-run';

export interface AutopilotRunJobData {
  runId: string;
}

/** Held from a run's start until it is no longer open (awaiting approval, or cancelled). */
export const autopilotClaimKey = (layerId: string): string => `autopilot:${layerId}`;

export type AutopilotStart =
  | { started: true; run: AutopilotRun }
  | { started: false; reason: 'no-schedule' }
  | { started: false; reason: 'run-open'; openRun: AutopilotRun | null }
  /** This schedule firing started a run already (its job ran again after a crash), however that run ended. */
  | { started: false; reason: 'fired-before'; run: AutopilotRun };

/** Starts a run of the layer's autopilot with the policy its schedule has now. */
export async function startAutopilotRun(services: Pick<Services, 'repos' | 'scheduler'>, layerId: string, trigger: AutopilotTrigger): Promise<AutopilotStart> {
  const { repos } = services;
  const schedule = await repos.autopilotSchedules.get(layerId);
  if (!schedule) return { started: false, reason: 'no-schedule' };
  // A firing starts one run, ever: one that ended within moments (it could not name its version)
  // must not be followed by a second when the firing's job runs again.
  if (trigger.kind === 'schedule') {
    const fired = await repos.autopilotRuns.findOne({ layerId, 'trigger.kind': 'schedule', 'trigger.scheduledFor': trigger.scheduledFor });
    if (fired) return { started: false, reason: 'fired-before', run: fired };
  }
  const runId = randomUUID();
  if (!(await repos.claims.tryClaim(autopilotClaimKey(layerId), runId))) {
    return { started: false, reason: 'run-open', openRun: await repos.autopilotRuns.findOne({ layerId, open: true }) };
  }
  const startedAt = new Date();
  const run: AutopilotRun = {
    _id: runId,
    layerId,
    trigger,
    policy: schedule.policy,
    open: true,
    startedAt,
    deadline: new Date(startedAt.getTime() + schedule.policy.maxRunMinutes * 60_000),
  };
  try {
    await repos.autopilotRuns.insert(run);
    const data: AutopilotRunJobData = { runId };
    await services.scheduler.agenda.now(AUTOPILOT_RUN_JOB, data);
  } catch (err) {
    await repos.claims.remove(autopilotClaimKey(layerId));
    throw err;
  }
  return { started: true, run };
}
