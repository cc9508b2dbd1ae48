/**
 * The Finalize button, both ways it can be clicked. Once the layer is verified and the machine
 * deallocated (Shutdown for Finalize, or an earlier one-click check), it starts the finalize job
 * straight away. Clicked while the version is still Action Required, it is the one-click path:
 * the same job first runs Shutdown for Finalize's check and shutdown (`verifyBeforeFinalize`),
 * and finalizes only if they pass. Either way the version's end claim is taken at the click, so a
 * second click (or Cancel) is answered, never repeated, while the check runs too.
 */
import type { TaskButtonContext } from '../slack/task-actions/guard.js';
import type { Services } from '../services.js';
import { escapeMrkdwn, mention, mrkdwn, type Mrkdwn } from '../../views/blocks.js';
import { IllegalTransitionError, type VersionEvent } from '../domain/version-status.js';
import { recordAudit } from './audit.js';
import { finalizeBlocker } from './finalize.js';
import { endClaimKey, endClaimOwner, FINALIZE_JOB } from './finalize-steps.js';
import { BUSY, performMachineAction, STARTED } from './machine-actions.js';
import { claimMachine, releaseMachine, scheduleWatch } from './machine-jobs.js';
import type { TaskRun } from './task-run.js';
import type { ApprovalPolicy } from '../domain/model.js';

export interface FinalizeJobData {
  taskId: string;
  /** Who clicked Finalize while the version was Action Required: the job checks and shuts the machine down first. */
  checkFirstFor?: string;
  /** Who may promote the image version, when not the layer's policy (an autopilot run's). */
  approval?: ApprovalPolicy;
}

/** After the guard has acked and checked the role: claim the version, then start one of the two paths. */
export async function requestFinalize(services: Services, { run, userId, tell }: TaskButtonContext): Promise<void> {
  const { repos } = services;
  const checkFirst = run.version.status === 'action-required';
  if (!checkFirst) {
    const blocker = await finalizeBlocker(run);
    if (blocker) return tell(blocker);
  }
  const key = endClaimKey(run.version._id);
  if (!(await repos.claims.tryClaim(key, endClaimOwner('finalize', userId)))) {
    const held = await repos.claims.get(key);
    const name = escapeMrkdwn(run.version.name);
    return tell(held?.owner.startsWith('cancel:') ? mrkdwn`Version ${name} is being cancelled; it can't be finalized.` : mrkdwn`Version ${name} is already finalizing.`);
  }
  try {
    if (checkFirst) {
      // Check again, Reboot and Shutdown for Finalize must not run on the machine while Finalize checks it.
      const machine = await claimMachine(repos, run.version._id, 'finalize', userId);
      if (!machine.ok) {
        await repos.claims.remove(key);
        return tell(BUSY[machine.heldFor]);
      }
      await tell(STARTED.finalize);
    } else if (!(await moveOrGiveBack(run, { type: 'finalize-started' }, key, tell))) {
      return;
    }
    await recordAudit(repos, { actor: userId, action: 'version.finalize', target: `version:${run.version._id}` });
    await run.thread(
      checkFirst
        ? mrkdwn`:package: ${mention(userId)} started Finalize: I check the layer first; if nothing is pending, the machine is shut down, its disk copied into the layer store, and the machine deleted.`
        : mrkdwn`:package: ${mention(userId)} started Finalize: the machine's disk is copied into the layer store, then the machine is deleted.`,
    );
    const data: FinalizeJobData = { taskId: run.task._id, ...(checkFirst ? { checkFirstFor: userId } : {}) };
    await services.scheduler.agenda.now(FINALIZE_JOB, data);
  } catch (err) {
    if (checkFirst) await releaseMachine(repos, run.version._id);
    await repos.claims.remove(key);
    throw err;
  }
}

/** The machine changed under us (e.g. it was started again): the claim goes back for a later try. */
async function moveOrGiveBack(run: TaskRun, event: VersionEvent, key: string, tell: (text: Mrkdwn) => Promise<void>): Promise<boolean> {
  try {
    await run.moveVersion(event);
    return true;
  } catch (err) {
    if (!(err instanceof IllegalTransitionError)) throw err;
    await run.services.repos.claims.remove(key);
    await tell(mrkdwn`Version ${escapeMrkdwn(run.version.name)} can't be finalized now: ${escapeMrkdwn(err.message)}.`);
    return false;
  }
}

/** Where a one-click Finalize still has its check (or, after a crash, its move to finalizing) ahead of it. */
export function needsCheckFirst(run: TaskRun, data: FinalizeJobData): data is Required<FinalizeJobData> {
  return data.checkFirstFor !== undefined && ['action-required', 'checking', 'ready-to-finalize'].includes(run.version.status);
}

/**
 * The first half of a one-click Finalize, in the finalize job: find the packaging machine, then
 * Shutdown for Finalize's check and shutdown. Clean → the version moves on to finalizing and the
 * answer is true. Anything else (no machine, something pending, the check failing) leaves the
 * version Action Required with the machine as it was, gives both claims back so a later click
 * starts afresh, and tells the clicker why.
 */
export async function verifyBeforeFinalize(run: TaskRun, userId: string): Promise<boolean> {
  const { repos, notifier } = run.services;
  let ready = false;
  let answer = mrkdwn`Finalize stopped before the machine was shut down; the details are in the bot log.`;
  try {
    answer = await performMachineAction(run, 'finalize', userId);
    if (run.version.status === 'ready-to-finalize') {
      await run.moveVersion({ type: 'finalize-started' });
      ready = true;
    }
  } finally {
    await releaseMachine(repos, run.version._id);
    if (!ready) await repos.claims.remove(endClaimKey(run.version._id));
  }
  if (ready) return true;
  // Only with both claims given back does the task message show why (the move refreshes it): a
  // click on what it shows is then answered afresh, never with "already finalizing".
  if (run.version.status === 'checking') await run.moveVersion({ type: 'check-blocked' });
  // The watch ends when the version leaves Action Required; it resumes now that it is back.
  if (run.version.status === 'action-required') await scheduleWatch(run.services, run.task._id);
  await notifier.tell(run.task._id, userId, answer);
  return false;
}
