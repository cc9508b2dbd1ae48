import type { TaskButtonContext } from '../slack/task-actions/guard.js';
import type { Services } from '../services.js';
import { UPDATE_MODE_LABEL, type UpdateMode } from '../domain/windows-update.js';
import { recordAudit } from './audit.js';
import { BUSY, notWaitingForMachine, STARTED } from './machine-actions.js';
import {
  claimMachine,
  INSTALL_UPDATES_JOB,
  MACHINE_ACTION_JOB,
  releaseMachine,
  type InstallUpdatesData,
  type MachineAction,
  type MachineActionData,
  type MachineWork,
} from './machine-jobs.js';
import { newUpdateRunId } from './windows-updates.js';
import { escapeMrkdwn, type Mrkdwn, mrkdwn } from '../../views/blocks.js';

/**
 * Claims the machine (one piece of work at a time), says what happens next, and hands the slow
 * part to a job, which gives the claim back when it is done.
 */
async function claimAndStart(services: Services, { run, userId, tell }: TaskButtonContext, work: MachineWork, started: Mrkdwn, start: () => Promise<unknown>): Promise<void> {
  if (run.version.status !== 'action-required') return tell(notWaitingForMachine(run.version));
  const claim = await claimMachine(services.repos, run.version._id, work, userId);
  if (!claim.ok) return tell(BUSY[claim.heldFor]);
  try {
    await tell(started);
    await start();
  } catch (err) {
    await releaseMachine(services.repos, run.version._id);
    throw err;
  }
}

/** A packaging machine button, after the guard has acked and checked the role. */
export async function requestMachineAction(services: Services, ctx: TaskButtonContext, action: MachineAction): Promise<void> {
  const data: MachineActionData = { taskId: ctx.run.task._id, action, userId: ctx.userId };
  await claimAndStart(services, ctx, action, STARTED[action], () => services.scheduler.agenda.now(MACHINE_ACTION_JOB, data));
}

/**
 * Install updates (from its modal), Retry updates, or Exclude KB and continue: a new update run in
 * `mode`, leaving out the layer's Exclude KBs (`excludeKbs`, stored on the layer first) and
 * installing the optional updates named (`includeKbs`).
 */
export async function requestUpdateRun(services: Services, ctx: TaskButtonContext, mode: UpdateMode, kbs: { excludeKbs: string[]; includeKbs: string[] }): Promise<void> {
  const { excludeKbs, includeKbs } = kbs;
  const data: InstallUpdatesData = { taskId: ctx.run.task._id, userId: ctx.userId, mode, runId: newUpdateRunId(), excludeKbs, includeKbs };
  const started = mrkdwn`Installing ${escapeMrkdwn(UPDATE_MODE_LABEL[mode].toLowerCase())} on the packaging machine. Progress shows on the task message, each round's results in its thread; I restart the machine through Azure when an update needs it.`;
  await claimAndStart(services, ctx, 'install-updates', started, async () => {
    // Remembered for the layer: its next runs start from this list.
    await services.repos.layers.update(ctx.run.layer._id, { excludeKbs });
    await recordAudit(services.repos, { actor: ctx.userId, action: 'machine.install-updates', target: `task:${ctx.run.task._id}`, details: { mode, excludeKbs, includeKbs } });
    await services.scheduler.agenda.now(INSTALL_UPDATES_JOB, data);
  });
}
