/**
 * An autopilot run (the AUTOPILOT_RUN_JOB): the add-version workflow with nobody clicking, up to
 * the approval request. Each step is the one a person's click starts: Create Version, the publish
 * job, the Deploy for me job, Install updates, Check again with Expedite NGen or Reboot machine,
 * Shutdown for Finalize and the finalize job, all called as they are, signed by AUTOPILOT_ACTOR.
 *
 * The run's step is stored before it starts, and every step is skipped when the version is already
 * past it, so a rerun (another process after a crash, under the task's lease) resumes where it was.
 * Anything that goes wrong stops the run: the machine is kept (deallocated when nothing runs inside
 * it), the thread says what failed and why, and the task message offers Retry from that step and
 * Cancel. The run is open, and holds its layer's claim, until it reaches the approval request or
 * is cancelled.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Job } from 'agenda';
import {
  AUTOPILOT_ACTOR,
  AUTOPILOT_STEP_LABEL,
  autopilotRemedy,
  autopilotVersionName,
  stepsFrom,
  WORK_IN_PROGRESS,
  type AutopilotRun,
  type AutopilotStep,
} from '../domain/autopilot.js';
import { suggestPackagingDiskFilename } from '../domain/blob-name.js';
import { isDeployable } from '../domain/version-status.js';
import { UPDATE_MODE_LABEL } from '../domain/windows-update.js';
import type { Services } from '../services.js';
import { escapeMrkdwn, joinMrkdwn, mention, mrkdwn, slackTime, type Mrkdwn } from '../../views/blocks.js';
import { adviceFor } from '../domain/integrity.js';
import { recordAudit } from './audit.js';
import { AUTOPILOT_RUN_JOB, autopilotClaimKey, type AutopilotRunJobData } from './autopilot-start.js';
import { createVersion } from './create-version.js';
import { finalizeBlocker } from './finalize.js';
import type { FinalizeJobData } from './finalize-request.js';
import { endClaimKey, endClaimOwner, FINALIZE_JOB } from './finalize-steps.js';
import { locateMachine, performMachineAction } from './machine-actions.js';
import { claimMachine, DEPLOY_MACHINE_JOB, deployClaimKey, machineClaimKey, releaseMachine, type DeployMachineData, type MachineWork } from './machine-jobs.js';
import { retryPublish } from './publish.js';
import { leaseKey, runTaskJob } from './task-lease.js';
import { TaskRun } from './task-run.js';
import { installWindowsUpdates, newUpdateRunId } from './windows-updates.js';

/** Why a run stops: a sentence for the thread, and whether the machine may be deallocated now. */
class AutopilotStopped extends Error {
  constructor(
    readonly reason: Mrkdwn,
    readonly machineBusy = false,
  ) {
    super(reason);
  }
}

/** The version was cancelled under the run (a person's Cancel): the run just ends. */
class VersionCancelled extends Error {}

/** Safe remedies applied before a run gives up on a blocking condition. */
const REMEDY_ROUNDS = 3;

/** The job: creates the version if this run has none yet, then conducts the rest under the task's lease. */
export async function runAutopilotJob(services: Services, job: Job<AutopilotRunJobData>): Promise<void> {
  const { repos } = services;
  let run = await repos.autopilotRuns.get(job.attrs.data.runId);
  if (!run?.open || run.stoppedAt) return;
  if (!run.taskId) {
    try {
      run = await createRunVersion(services, run);
    } catch (err) {
      if (!(err instanceof AutopilotStopped)) throw err;
      return stopBeforeTask(services, run, err.reason);
    }
  }
  const taskJob = job as unknown as Job<{ taskId: string }>;
  taskJob.attrs.data = { ...job.attrs.data, taskId: run.taskId! };
  await runTaskJob(services, taskJob, {
    accepts: (task) => task.version.status !== 'cancelled',
    work: (task) => conduct(task, job.attrs.data.runId),
    onError: (task, err) => stop(task, job.attrs.data.runId, err),
  });
}

/** Names the version from the date, creates it (which starts publishing) and posts its task message. */
async function createRunVersion(services: Services, run: AutopilotRun): Promise<AutopilotRun> {
  const { repos } = services;
  const layer = await repos.layers.get(run.layerId);
  const base = layer?.latestVersionId ? await repos.versions.get(layer.latestVersionId) : null;
  const connector = base ? await repos.connectors.get(base.connectorId) : null;
  if (!layer || !base?.diskUri || !connector) throw new AutopilotStopped(mrkdwn`the layer has no deployable latest version (with its connector) to build on.`);
  let name = run.versionName;
  if (!name) {
    const timeZone = (await repos.autopilotSchedules.get(run.layerId))?.timeZone ?? 'UTC';
    const taken = (await repos.versions.list({ layerId: layer._id })).map((v) => v.name);
    const free = autopilotVersionName(run.startedAt, timeZone, taken, Boolean(connector.gallery));
    if (!free) throw new AutopilotStopped(mrkdwn`every version name for this month and day is taken in layer ${escapeMrkdwn(layer.name)}; add this version by hand.`);
    // Stored before the version exists: a rerun after a crash finds it rather than making a second one.
    name = free;
    await save(services, run, { versionName: name, step: 'create-version' });
  }
  let version = await repos.versions.findOne({ layerId: layer._id, name });
  if (!version) {
    const onBehalfOf = run.trigger.kind === 'run-now' ? run.trigger.userId : (await repos.autopilotSchedules.get(run.layerId))?.updatedBy;
    const created = await createVersion(services, {
      layerId: layer._id,
      name,
      description: `Autopilot run of ${run.startedAt.toISOString().slice(0, 10)}`,
      baseVersionId: base._id,
      maxLayerSizeGb: base.maxLayerSizeGb,
      connectorId: connector._id,
      packagingDiskFilename: suggestPackagingDiskFilename(layer.name, name),
      requestedBy: AUTOPILOT_ACTOR,
      ...(onBehalfOf ? { onBehalfOf } : {}),
    });
    version = created.ok ? created.version : await repos.versions.findOne({ layerId: layer._id, name });
  }
  const task = version && version.createdBy === AUTOPILOT_ACTOR ? await repos.tasks.findOne({ versionId: version._id }) : null;
  if (!version || !task) throw new AutopilotStopped(mrkdwn`version ${escapeMrkdwn(name)} was taken by someone else meanwhile; start the run again.`);
  const saved = await save(services, run, { taskId: task._id, versionId: version._id, step: 'publish' });
  if (!task.slack) {
    try {
      await services.notifier.post(task._id, run.policy.channelId);
    } catch (err) {
      // The version exists either way and the run goes on; `/oslayer tasks` shows it (as after Create Version).
      services.logger.warn(`autopilot run ${run._id}: could not post the task message in ${run.policy.channelId}: ${(err as Error).message}`);
    }
  }
  const who = run.trigger.kind === 'run-now' ? mrkdwn`${mention(run.trigger.userId)} clicked Run now` : mrkdwn`its schedule came round`;
  await services.notifier.thread(
    task._id,
    mrkdwn`${mention(AUTOPILOT_ACTOR)} started version *${escapeMrkdwn(name)}* (${who}): it publishes, deploys, installs ${escapeMrkdwn(UPDATE_MODE_LABEL[run.policy.updateMode].toLowerCase())}, checks, finalizes and asks for approval by ${slackTime(run.deadline)} (each reader sees their own time). Each step shows here.`,
  );
  return saved;
}

async function save(services: Services, run: AutopilotRun, fields: Partial<AutopilotRun>): Promise<AutopilotRun> {
  await services.repos.autopilotRuns.update(run._id, fields);
  return { ...run, ...fields };
}

/** Every step from the recorded one on, then the end at the approval request. */
async function conduct(task: TaskRun, runId: string): Promise<void> {
  const { repos } = task.services;
  let run = (await repos.autopilotRuns.get(runId))!;
  if (!run.open || run.stoppedAt) return;
  for (const step of stepsFrom(run.step)) {
    if (step === 'create-version') continue;
    // Recorded first: a run stopped by its time limit is retried from the step it did not start.
    run = await save(task.services, run, { step });
    void task.services.notifier.refresh(task.task._id);
    if (await pastDeadline(task.services, run)) {
      throw new AutopilotStopped(mrkdwn`the run's time limit of ${run.policy.maxRunMinutes} minutes passed before *${escapeMrkdwn(AUTOPILOT_STEP_LABEL[step])}*.`);
    }
    if (OWN_TASK_STEPS.has(step)) {
      // The publish job wrote its steps meanwhile: the run's view of them is refreshed before it adds its own.
      task.task = (await repos.tasks.get(task.task._id))!;
      await task.step(AUTOPILOT_STEP_LABEL[step], () => STEPS[step](task, run));
    } else {
      await STEPS[step](task, run);
    }
    task.version = (await repos.versions.get(task.version._id))!;
    if (task.version.status === 'cancelled') throw new VersionCancelled();
  }
  await close(task, run);
}

/** Whether the run's time limit has passed, as stored (a Retry sets a new one). */
async function pastDeadline(services: Services, run: AutopilotRun): Promise<boolean> {
  const deadline = (await services.repos.autopilotRuns.get(run._id))?.deadline ?? run.deadline;
  return Date.now() > deadline.getTime();
}

type StepRunner = (task: TaskRun, run: AutopilotRun) => Promise<void>;

/**
 * The steps recorded among the task's steps (the thread's check marks, the "resuming from" line).
 * Publish and Finalize are their jobs' own steps, recorded by those jobs.
 */
const OWN_TASK_STEPS: ReadonlySet<AutopilotStep> = new Set(['deploy', 'wait-for-agent', 'install-updates', 'integrity', 'shutdown']);

const STEPS: Readonly<Record<Exclude<AutopilotStep, 'create-version'>, StepRunner>> = {
  publish: waitForPublish,
  deploy,
  'wait-for-agent': waitForAgent,
  'install-updates': installUpdates,
  integrity: checkAndRemedy,
  shutdown: shutDown,
  finalize,
};

/**
 * Looks until `done` answers, within the run's time limit: at the copy's pace for the store (the
 * other job's work is written there first), at the agent's pace where each look is an ARM read.
 */
async function until<T>(task: TaskRun, run: AutopilotRun, what: string, done: () => Promise<T | undefined>, readsArm = false): Promise<T> {
  const { jobs } = task.services.config;
  const pollMs = readsArm ? jobs.updates.agentPollMs : jobs.publish.copyPollIntervalMs;
  for (;;) {
    const answer = await done();
    if (answer !== undefined) return answer;
    if (await pastDeadline(task.services, run)) throw new AutopilotStopped(mrkdwn`the run's time limit of ${run.policy.maxRunMinutes} minutes passed while waiting until ${escapeMrkdwn(what)}.`);
    await sleep(pollMs, undefined, task.signal ? { signal: task.signal } : undefined);
  }
}

async function reloadVersion(task: TaskRun) {
  task.version = (await task.services.repos.versions.get(task.version._id))!;
  if (task.version.status === 'cancelled') throw new VersionCancelled();
  return task.version;
}

/** Publishing runs in its own job, started with the version. */
async function waitForPublish(task: TaskRun, run: AutopilotRun): Promise<void> {
  const version = await until(task, run, 'the packaging disk was published', async () => {
    const v = await reloadVersion(task);
    return v.status === 'publishing' ? undefined : v;
  });
  if (version.status === 'failed') {
    const failed = await task.services.repos.tasks.get(task.task._id);
    throw new AutopilotStopped(escapeMrkdwn(failed?.failureReason ?? 'publishing the packaging disk failed.'));
  }
}

/** Deploy for me, as its button starts it. */
async function deploy(task: TaskRun, run: AutopilotRun): Promise<void> {
  const { repos, scheduler } = task.services;
  if (task.version.packagingMachine?.vmId || task.version.status !== 'action-required') return;
  if (await repos.claims.tryClaim(deployClaimKey(task.version._id), AUTOPILOT_ACTOR)) {
    await recordAudit(repos, { actor: AUTOPILOT_ACTOR, action: 'machine.deploy', target: `task:${task.task._id}` });
    const data: DeployMachineData = { taskId: task.task._id, userId: AUTOPILOT_ACTOR };
    await scheduler.agenda.now(DEPLOY_MACHINE_JOB, data);
  }
  // The job records the machine, or gives its claim back after saying in the thread why it failed.
  await until(task, run, 'the packaging machine was created', async () => {
    const v = await reloadVersion(task);
    if (v.packagingMachine?.vmId) return true;
    if (!(await repos.claims.get(deployClaimKey(v._id)))) throw new AutopilotStopped(mrkdwn`creating the packaging machine failed (the reason is above).`);
    return undefined;
  });
}

/** Until the machine runs with its VM agent ready; a machine a stopped run deallocated is started again. */
async function waitForAgent(task: TaskRun, run: AutopilotRun): Promise<void> {
  const azure = task.azure();
  let started = false;
  await until(task, run, "the packaging machine's VM agent reported ready", async () => {
    const vm = await locateMachine(task, azure);
    if (!vm) throw new AutopilotStopped(mrkdwn`the packaging machine is gone (deleted outside oslayer).`);
    if (vm.powerState === 'running' && vm.agentReady) return true;
    if (!started && (vm.powerState === 'deallocated' || vm.powerState === 'stopped')) {
      started = true;
      await task.thread(mrkdwn`${mention(AUTOPILOT_ACTOR)} is starting \`${escapeMrkdwn(vm.name)}\` again.`);
      await azure.machines.startVm(vm);
    }
    return undefined;
  }, true);
}

/**
 * The machine's claim for one piece of work, as a click takes it; waited for while someone (the
 * base inventory read, a person's click) holds it. One left by this run's own crashed attempt is taken over.
 */
async function withMachine<T>(task: TaskRun, run: AutopilotRun, work: MachineWork, act: () => Promise<T>): Promise<T> {
  const { repos } = task.services;
  await until(task, run, 'the packaging machine was busy', async () => {
    const claim = await claimMachine(repos, task.version._id, work, AUTOPILOT_ACTOR);
    if (claim.ok) return true;
    const held = await repos.claims.get(machineClaimKey(task.version._id));
    if (held?.owner.endsWith(`:${AUTOPILOT_ACTOR}`)) await releaseMachine(repos, task.version._id);
    return undefined;
  });
  try {
    return await act();
  } finally {
    await releaseMachine(repos, task.version._id);
    await task.services.notifier.refresh(task.task._id, { immediate: true });
  }
}

/** Install updates in rounds with the run's mode, leaving out its and the layer's Exclude KBs. */
async function installUpdates(task: TaskRun, run: AutopilotRun): Promise<void> {
  if (task.version.status !== 'action-required') return;
  // A retried run finds the machine it deallocated when it stopped.
  await waitForAgent(task, run);
  const current = task.version.windowsUpdates;
  if (run.updateRunId && current?.runId === run.updateRunId && current.status === 'done' && !current.remaining) return;
  const runId = run.updateRunId ?? newUpdateRunId();
  if (!run.updateRunId) run = await save(task.services, run, { updateRunId: runId });
  const excludeKbs = [...new Set([...(task.layer.excludeKbs ?? []), ...run.policy.excludeKbs])];
  if (!current || current.runId !== runId) {
    await recordAudit(task.services.repos, { actor: AUTOPILOT_ACTOR, action: 'machine.install-updates', target: `task:${task.task._id}`, details: { mode: run.policy.updateMode, excludeKbs } });
  }
  const answer = await withMachine(task, run, 'install-updates', () =>
    installWindowsUpdates(task, { mode: run.policy.updateMode, userId: AUTOPILOT_ACTOR, runId, excludeKbs }, task.services.config.jobs.updates),
  );
  const result = (await reloadVersion(task)).windowsUpdates;
  if (result?.runId !== runId) throw new AutopilotStopped(answer);
  if (result.status === 'failed') throw new AutopilotStopped(mrkdwn`installing updates stopped: ${result.failure ?? mrkdwn`no reason was recorded.`}`, !result.stuck);
  if (result.remaining) throw new AutopilotStopped(mrkdwn`${result.remaining} updates were still applicable after ${result.rounds} rounds.`);
}

/** The integrity check, with the safe remedies (Expedite NGen, Reboot machine) applied and checked again. */
async function checkAndRemedy(task: TaskRun, run: AutopilotRun): Promise<void> {
  if (task.version.status !== 'action-required') return;
  await waitForAgent(task, run);
  for (let round = 0; ; round++) {
    await withMachine(task, run, 'check', () => performMachineAction(task, 'check', AUTOPILOT_ACTOR));
    const check = (await reloadVersion(task)).lastIntegrity;
    if (check?.clean) return;
    if (!check || check.failure) throw new AutopilotStopped(mrkdwn`the layer integrity check could not answer: ${escapeMrkdwn(check?.failure ?? 'no result was recorded')}.`);
    const busy = check.blocking.some((c) => WORK_IN_PROGRESS.has(c));
    const needsPerson = check.blocking.filter((c) => !autopilotRemedy(c));
    if (needsPerson.length > 0) throw new AutopilotStopped(mrkdwn`the layer integrity check found what autopilot may not fix (a person must):\n${conditionLines(needsPerson)}`, busy);
    if (round >= REMEDY_ROUNDS) throw new AutopilotStopped(mrkdwn`the layer integrity check still found, after ${REMEDY_ROUNDS} remedies:\n${conditionLines(check.blocking)}`, busy);
    if (await pastDeadline(task.services, run)) throw new AutopilotStopped(mrkdwn`the run's time limit of ${run.policy.maxRunMinutes} minutes passed during the integrity check.`, busy);
    // NGen first: a restart must never interrupt it.
    const remedy = check.blocking.some((c) => autopilotRemedy(c) === 'expedite-ngen') ? 'expedite-ngen' : 'reboot';
    await recordAudit(task.services.repos, { actor: AUTOPILOT_ACTOR, action: `machine.${remedy}`, target: `task:${task.task._id}` });
    await withMachine(task, run, remedy, () => performMachineAction(task, remedy, AUTOPILOT_ACTOR));
    if (remedy === 'reboot') await waitForAgent(task, run);
  }
}

/** Shutdown for Finalize: NGen's queue drained, the check once more, the changelog's inventory, deallocated. */
async function shutDown(task: TaskRun, run: AutopilotRun): Promise<void> {
  if (task.version.status !== 'action-required') return;
  await waitForAgent(task, run);
  await recordAudit(task.services.repos, { actor: AUTOPILOT_ACTOR, action: 'machine.shutdown', target: `task:${task.task._id}` });
  const answer = await withMachine(task, run, 'shutdown', () => performMachineAction(task, 'shutdown', AUTOPILOT_ACTOR));
  const version = await reloadVersion(task);
  if (version.status !== 'ready-to-finalize') throw new AutopilotStopped(answer, version.lastIntegrity?.blocking.some((c) => WORK_IN_PROGRESS.has(c)) ?? true);
}

/** Finalize, as its button starts it once the machine is shut down, with the run's approval policy. */
async function finalize(task: TaskRun, run: AutopilotRun): Promise<void> {
  const { repos, scheduler } = task.services;
  if (task.version.status === 'ready-to-finalize') {
    const blocker = await finalizeBlocker(task);
    if (blocker) throw new AutopilotStopped(blocker);
    if (!(await repos.claims.tryClaim(endClaimKey(task.version._id), endClaimOwner('finalize', AUTOPILOT_ACTOR)))) {
      const held = await repos.claims.get(endClaimKey(task.version._id));
      if (!held?.owner.startsWith('finalize:')) throw new VersionCancelled();
    } else {
      await task.moveVersion({ type: 'finalize-started' });
      await recordAudit(repos, { actor: AUTOPILOT_ACTOR, action: 'version.finalize', target: `version:${task.version._id}` });
      await task.thread(mrkdwn`:package: ${mention(AUTOPILOT_ACTOR)} started Finalize: the machine's disk is copied into the layer store, then the machine is deleted.`);
      const data: FinalizeJobData = { taskId: task.task._id, approval: run.policy.approval };
      await scheduler.agenda.now(FINALIZE_JOB, data);
    }
  }
  // Until the finalize job has let go of the task: its last word (the approval request) is posted by then.
  const ended = await until(task, run, 'the version was finalized', async () => {
    const v = await reloadVersion(task);
    const done = task.connector.gallery ? v.status === 'published' : isDeployable(v.status);
    if (!done && v.status !== 'failed') return undefined;
    return (await repos.claims.leaseHeld(leaseKey(FINALIZE_JOB, task.task._id))) ? undefined : v;
  });
  if (ended.status === 'failed') {
    const failed = await repos.tasks.get(task.task._id);
    throw new AutopilotStopped(escapeMrkdwn(failed?.failureReason ?? 'Finalize failed.'));
  }
}

/** The approval request is posted (Finalize's last word): the run is over and gives its layer back. */
async function close(task: TaskRun, run: AutopilotRun): Promise<void> {
  const awaiting = task.version.status === 'published';
  await closeRun(task.services, run, awaiting ? 'awaiting-approval' : 'finalized');
  await recordAudit(task.services.repos, { actor: AUTOPILOT_ACTOR, action: 'autopilot.finish', target: `version:${task.version._id}`, details: { runId: run._id, outcome: awaiting ? 'awaiting-approval' : 'finalized' } });
  const rule = run.policy.approval === 'two-person' ? mrkdwn`someone with the Approve Versions permission` : mrkdwn`anyone with the Approve Versions permission`;
  await task.thread(
    awaiting
      ? mrkdwn`${mention(AUTOPILOT_ACTOR)} finished: version *${escapeMrkdwn(task.version.name)}* is published to the gallery, excluded from latest, and waits for ${rule} to click *Promote*.`
      : mrkdwn`${mention(AUTOPILOT_ACTOR)} finished: version *${escapeMrkdwn(task.version.name)}* is deployable.`,
  );
}

async function closeRun(services: Services, run: AutopilotRun, outcome: NonNullable<AutopilotRun['outcome']>): Promise<void> {
  await services.repos.autopilotRuns.update(run._id, { open: false, outcome, endedAt: new Date() });
  await services.repos.claims.remove(autopilotClaimKey(run.layerId));
}

/**
 * A step failed: the run stops where it is. The machine is kept, deallocated unless work may still
 * be running inside it, and the task message offers Retry from the step and Cancel.
 */
async function stop(task: TaskRun, runId: string, err: unknown): Promise<void> {
  const { repos, logger } = task.services;
  const run = (await repos.autopilotRuns.get(runId))!;
  if (err instanceof VersionCancelled || (await repos.versions.get(task.version._id))?.status === 'cancelled') return;
  if (!(err instanceof AutopilotStopped)) logger.error(`autopilot run ${runId} (task ${task.task._id}) failed:`, err);
  const reason = err instanceof AutopilotStopped ? err.reason : mrkdwn`an unexpected error occurred; the details are in the bot log.`;
  const step = run.step ?? 'publish';
  await save(task.services, run, { stoppedAt: new Date(), failure: { step, reason } });
  const kept = await keepMachine(task, err instanceof AutopilotStopped && err.machineBusy);
  await recordAudit(repos, { actor: AUTOPILOT_ACTOR, action: 'autopilot.stop', target: `version:${task.version._id}`, details: { runId, step, reason } });
  await task.services.notifier.refresh(task.task._id, { immediate: true });
  await task.thread(
    mrkdwn`:octagonal_sign: ${mention(AUTOPILOT_ACTOR)} stopped at *${escapeMrkdwn(AUTOPILOT_STEP_LABEL[step])}*: ${reason}${kept} Click *Retry from ${escapeMrkdwn(AUTOPILOT_STEP_LABEL[step])}* on the task message once it is fixed, or *Cancel* to delete everything made for this version.`,
  );
}

/** Deallocates the machine so it costs nothing while a person looks, unless something may still run inside it. */
async function keepMachine(task: TaskRun, busy: boolean): Promise<Mrkdwn> {
  const version = await task.services.repos.versions.get(task.version._id);
  if (!version?.packagingMachine || version.status !== 'action-required') return mrkdwn``;
  const azure = task.azure();
  const vm = await locateMachine(task, azure).catch(() => null);
  if (!vm || vm.powerState === 'deallocated') return vm ? mrkdwn` The packaging machine \`${escapeMrkdwn(vm.name)}\` is kept, deallocated.` : mrkdwn``;
  if (busy || version.windowsUpdates?.status === 'running') {
    return mrkdwn` The packaging machine \`${escapeMrkdwn(vm.name)}\` is kept *running*: work may still be under way inside it, and stopping it now could break it.`;
  }
  try {
    await azure.machines.deallocateVm(vm);
    return mrkdwn` The packaging machine \`${escapeMrkdwn(vm.name)}\` is kept, deallocated so it costs nothing meanwhile.`;
  } catch (err) {
    task.services.logger.warn(`autopilot could not deallocate ${vm.name} (task ${task.task._id}): ${(err as Error).message}`);
    return mrkdwn` The packaging machine \`${escapeMrkdwn(vm.name)}\` is kept; I could not deallocate it, so it may still be billed.`;
  }
}

/** Blocking conditions in a person's words. */
function conditionLines(conditions: readonly string[]): Mrkdwn {
  return joinMrkdwn(adviceFor(conditions).map((advice) => mrkdwn`• ${escapeMrkdwn(advice.text)}`));
}

/** A run stopped before it had a task: nothing was made, so it simply ends, and its layer is free again. */
async function stopBeforeTask(services: Services, run: AutopilotRun, reason: Mrkdwn): Promise<void> {
  const { repos } = services;
  await repos.autopilotRuns.update(run._id, { stoppedAt: new Date(), failure: { step: 'create-version', reason } });
  await closeRun(services, run, 'cancelled');
  await recordAudit(repos, { actor: AUTOPILOT_ACTOR, action: 'autopilot.stop', target: `layer:${run.layerId}`, details: { runId: run._id, step: 'create-version', reason } });
  const layer = await repos.layers.get(run.layerId);
  await services.notifier.announce(run.policy.channelId, mrkdwn`:octagonal_sign: ${mention(AUTOPILOT_ACTOR)} could not start a version of *${escapeMrkdwn(layer?.name ?? run.layerId)}*: ${reason}`);
}

/** The open, stopped run of a task, if it has one (the task message's Retry). */
export async function stoppedRunOf(services: Pick<Services, 'repos'>, taskId: string): Promise<AutopilotRun | null> {
  const run = await services.repos.autopilotRuns.findOne({ taskId, open: true });
  return run?.stoppedAt ? run : null;
}

/**
 * Retry from the step the run stopped at (after the listener's role check). The step's own retry is
 * prepared as its button would (a failed publish or finalize is moved back; a new update run), and
 * the run goes on from there. Answers what to tell the person.
 */
export async function retryAutopilotRun(task: TaskRun, userId: string): Promise<Mrkdwn> {
  const { services } = task;
  const run = await stoppedRunOf(services, task.task._id);
  if (!run) return mrkdwn`This task has no stopped autopilot run to retry.`;
  const step = run.failure?.step ?? run.step ?? 'publish';
  const failed = task.version.status === 'failed';
  if (failed && !task.task.retryable) return mrkdwn`The failed step can't simply run again (the reason is in the thread); cancel this version instead.`;
  // One Retry per stop, however many clicks.
  if (!(await services.repos.claims.tryClaim(`autopilot-retry:${run._id}:${run.stoppedAt!.getTime()}`, userId))) return mrkdwn`Autopilot is already retrying.`;
  // A deployment autopilot asked for and never saw end (its process died between claim and job) would hold the version forever.
  if (step === 'deploy' && !task.version.packagingMachine?.vmId && (await services.repos.claims.get(deployClaimKey(task.version._id)))?.owner === AUTOPILOT_ACTOR) {
    await services.repos.claims.remove(deployClaimKey(task.version._id));
  }
  if (failed) {
    if (step === 'publish') await retryPublish(task, userId);
    if (step === 'finalize') {
      await services.repos.claims.remove(endClaimKey(task.version._id));
      await task.moveVersion({ type: 'retry', resumeAt: 'ready-to-finalize' });
    }
  }
  // The time limit counts afresh from the Retry: the person has looked at the run.
  const deadline = new Date(Date.now() + run.policy.maxRunMinutes * 60_000);
  await services.repos.autopilotRuns.update(run._id, { stoppedAt: undefined, failure: undefined, deadline, ...(step === 'install-updates' ? { updateRunId: undefined } : {}) });
  await recordAudit(services.repos, { actor: userId, action: 'autopilot.retry', target: `version:${task.version._id}`, details: { runId: run._id, step } });
  await task.thread(mrkdwn`:repeat: ${mention(userId)} retried autopilot from *${escapeMrkdwn(AUTOPILOT_STEP_LABEL[step])}*.`);
  await services.notifier.refresh(task.task._id, { immediate: true });
  const data: AutopilotRunJobData = { runId: run._id };
  await services.scheduler.agenda.now(AUTOPILOT_RUN_JOB, data);
  return mrkdwn`Autopilot goes on from *${escapeMrkdwn(AUTOPILOT_STEP_LABEL[step])}*; each step shows in the task's thread.`;
}

/** A person cancelled the version: its run (if autopilot made it) ends and gives the layer back. */
export async function endAutopilotRunOfCancelled(services: Services, taskId: string): Promise<void> {
  const run = await services.repos.autopilotRuns.findOne({ taskId, open: true });
  if (run) await closeRun(services, run, 'cancelled');
}
