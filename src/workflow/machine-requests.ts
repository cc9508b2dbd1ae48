import type { TaskButtonContext } from '../slack/task-actions/guard.js';
import type { Services } from '../services.js';
import { BUSY, notWaitingForMachine, STARTED } from './machine-actions.js';
import { claimMachine, MACHINE_ACTION_JOB, releaseMachine, type MachineAction, type MachineActionData } from './machine-jobs.js';

/**
 * A packaging machine button, after the guard has acked and checked the role: claim the
 * machine (one action at a time), hand the slow part to the job, and say what happens next.
 * The job gives the claim back when it is done.
 */
export async function requestMachineAction(services: Services, { run, userId, tell }: TaskButtonContext, action: MachineAction): Promise<void> {
  if (run.version.status !== 'action-required') return tell(notWaitingForMachine(run.version));
  const claim = await claimMachine(services.repos, run.version._id, action, userId);
  if (!claim.ok) return tell(BUSY[claim.heldFor]);
  try {
    await tell(STARTED[action]);
    const data: MachineActionData = { taskId: run.task._id, action, userId };
    await services.scheduler.agenda.now(MACHINE_ACTION_JOB, data);
  } catch (err) {
    await releaseMachine(services.repos, run.version._id);
    throw err;
  }
}
