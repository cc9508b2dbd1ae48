/**
 * The packaging machine's jobs as listeners and other jobs see them: names, payloads, and the
 * claims that keep work on one machine from overlapping. Listeners only claim and enqueue; the
 * jobs in jobs/ do the slow Azure work.
 */
import type { Repositories } from '../store/repositories.js';
import type { Services } from '../services.js';
import type { UpdateMode } from '../domain/windows-update.js';

export const DEPLOY_MACHINE_JOB = 'deploy-packaging-machine';
export const MACHINE_ACTION_JOB = 'packaging-machine-action';
export const WATCH_MACHINE_JOB = 'watch-packaging-machine';
export const INSTALL_UPDATES_JOB = 'install-windows-updates';
export const BASE_INVENTORY_JOB = 'read-base-inventory';

/** What the buttons next to the packaging machine ask for; `finalize` is Finalize clicked before the layer was verified. */
export type MachineAction = 'check' | 'reboot' | 'expedite-ngen' | 'ngen-update-force' | 'runonce-run' | 'runonce-remove' | 'shutdown' | 'finalize';
/** Everything that holds the machine's claim: the buttons' actions, an update run, reading the inventory. */
export type MachineWork = MachineAction | 'install-updates' | 'inventory';

export interface MachineActionData {
  taskId: string;
  action: MachineAction;
  userId: string;
}

export interface InstallUpdatesData {
  taskId: string;
  userId: string;
  mode: UpdateMode;
  /** One run: a job taken over after a crash carries the same id and continues it. */
  runId: string;
  /** The layer's Exclude KBs and the optional updates named, as KB numbers. */
  excludeKbs?: string[];
  includeKbs?: string[];
}

export interface DeployMachineData {
  taskId: string;
  userId: string;
}

/** One deployment per version, ever (a failed one gives its claim back). */
export const deployClaimKey = (versionId: string): string => `deploy:${versionId}`;
/** Run Command runs one script at a time per VM, and a restart in the middle would garble a check. */
export const machineClaimKey = (versionId: string): string => `runcommand:${versionId}`;

/**
 * Longer than any action takes (Run Command gives up after 90 minutes): a claim this old was
 * left by a process that stopped mid-action, and may be taken over.
 */
const STALE_MACHINE_CLAIM_MS = 2 * 60 * 60 * 1000;

export type MachineClaim = { ok: true } | { ok: false; heldFor: MachineWork };

/** Claims the machine for `action`, or says which action holds it. */
export async function claimMachine(repos: Repositories, versionId: string, action: MachineWork, userId: string): Promise<MachineClaim> {
  const key = machineClaimKey(versionId);
  const owner = `${action}:${userId}`;
  if (await repos.claims.tryClaim(key, owner)) return { ok: true };
  const held = await repos.claims.get(key);
  if (held && Date.now() - held.at.getTime() > STALE_MACHINE_CLAIM_MS) {
    await repos.claims.remove(key);
    if (await repos.claims.tryClaim(key, owner)) return { ok: true };
  }
  const heldFor = (held?.owner.split(':')[0] ?? 'check') as MachineWork;
  return { ok: false, heldFor };
}

export async function releaseMachine(repos: Repositories, versionId: string): Promise<void> {
  await repos.claims.remove(machineClaimKey(versionId));
}

/**
 * Starts watching a version's packaging machine now (publishing calls it on success). One watch
 * job per task: an existing one is left as it is, so calling this again never doubles the reads.
 */
export function scheduleWatch(services: Pick<Services, 'scheduler'>, taskId: string): Promise<void> {
  return scheduleOncePerTask(services, WATCH_MACHINE_JOB, taskId);
}

/** Reads the base inventory once the machine is first ready; a job already queued for the task is left as it is. */
export function scheduleBaseInventory(services: Pick<Services, 'scheduler'>, taskId: string): Promise<void> {
  return scheduleOncePerTask(services, BASE_INVENTORY_JOB, taskId);
}

/** Runs `job` for the task now, unless one is already queued for it (unique on the task id, insert only). */
async function scheduleOncePerTask(services: Pick<Services, 'scheduler'>, job: string, taskId: string): Promise<void> {
  await services.scheduler.agenda.create(job, { taskId }).unique({ 'data.taskId': taskId }, { insertOnly: true }).schedule(new Date()).save();
}
