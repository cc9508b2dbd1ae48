/**
 * What the packaging machine's buttons do, run by the packaging-machine-action job: the layer
 * integrity check, restart, Expedite NGen, and Shutdown for Finalize (which the one-click
 * Finalize runs too, from the finalize job). The clicking user gets
 * the outcome as an ephemeral answer; the thread keeps the history; the task message shows
 * the blocking conditions with their remedies.
 */
import { AzureError, RunCommandBusyError } from '../azure/errors.js';
import type { AzureSession } from '../azure/gateway.js';
import { TASK_TAG } from '../azure/machine-spec.js';
import type { VmStatus } from '../azure/ports.js';
import { EXPEDITE_NGEN_SCRIPT, INTEGRITY_CHECK_SCRIPT, RUNONCE_SCRIPT } from '../azure/scripts/index.js';
import { CONDITION_ADVICE, readIntegrityOutput, runOnceEntrySchema, type IntegrityResult, type RunOnceEntry } from '../domain/integrity.js';
import { readNgenOutput, readRunOnceOutput, runOnceParameters, type RunOnceReport } from '../domain/remedy-reports.js';
import type { ScriptFailure } from '../domain/script-output.js';
import { escapeMrkdwn, joinMrkdwn, mention, mrkdwn, type Mrkdwn } from '../../views/blocks.js';
import type { IntegrityResultSummary, LayerVersion } from '../domain/model.js';
import { VERSION_STATUS_LABEL } from '../domain/version-status.js';
import { AUTOPILOT_ACTOR } from '../domain/autopilot.js';
import { recordVersionInventory } from './inventory.js';
import type { MachineAction, MachineWork } from './machine-jobs.js';
import type { TaskRun } from './task-run.js';

const VM_TYPE = 'microsoft.compute/virtualmachines';

/** Where a packaging machine is: the portal may have put it in another resource group than the connector's. */
export type MachinePlace = Pick<VmStatus, 'name' | 'resourceGroup'>;

/** What a user is told when the machine is already busy with `action`. */
export const BUSY: Readonly<Record<MachineWork, Mrkdwn>> = {
  check: mrkdwn`A check is already running on the packaging machine; wait for its result, then try again.`,
  shutdown: mrkdwn`A check is already running on the packaging machine (for Shutdown for Finalize); wait for its result.`,
  'expedite-ngen': mrkdwn`NGen is already running in the foreground on the packaging machine; wait for it to finish, and don't restart the machine meanwhile.`,
  'ngen-update-force': mrkdwn`NGen is already running in the foreground on the packaging machine; wait for it to finish, and don't restart the machine meanwhile.`,
  'runonce-run': mrkdwn`The RunOnce entries are being run on the packaging machine; wait for the result.`,
  'runonce-remove': mrkdwn`The RunOnce entries are being removed from the packaging machine; wait for the result.`,
  reboot: mrkdwn`The packaging machine is restarting; wait for it to finish booting, then try again.`,
  'install-updates': mrkdwn`Windows updates are being installed on the packaging machine (its progress is on the task message); wait for them to finish, then try again.`,
  inventory: mrkdwn`I'm reading what is installed on the packaging machine (for the changelog); try again in a minute.`,
  finalize: mrkdwn`Finalize is checking the packaging machine before it shuts it down; wait for its result.`,
};

/** The listener's immediate answer, before the job has done anything. */
export const STARTED: Readonly<Record<MachineAction, Mrkdwn>> = {
  check: mrkdwn`Running the layer integrity check on the packaging machine; the result will show in the task message.`,
  shutdown: mrkdwn`Checking the packaging machine before shutting it down; if nothing is pending, I stop and deallocate it.`,
  'expedite-ngen': mrkdwn`Running the queued NGen work in the foreground on the packaging machine, then checking again. Don't restart the machine while it runs.`,
  'ngen-update-force': mrkdwn`Running \`ngen update /force\` on the packaging machine: it recompiles every native image and can take up to an hour. Don't restart the machine while it runs.`,
  'runonce-run': mrkdwn`Running the RunOnce entries once on the packaging machine, then checking again.`,
  'runonce-remove': mrkdwn`Removing the RunOnce entries from the packaging machine, then checking again.`,
  reboot: mrkdwn`Restarting the packaging machine.`,
  finalize:
    mrkdwn`Checking the packaging machine for Finalize: if nothing is pending, I shut it down, copy its disk into the layer store and delete it. Each step shows in the task's thread.`,
};

const VERB: Readonly<Record<MachineAction, string>> = {
  check: 'run the integrity check',
  shutdown: 'shut the packaging machine down',
  'expedite-ngen': 'expedite NGen',
  'ngen-update-force': 'run ngen update /force',
  'runonce-run': 'run the RunOnce entries',
  'runonce-remove': 'remove the RunOnce entries',
  reboot: 'restart the packaging machine',
  finalize: 'check and shut down the packaging machine for Finalize',
};

export function notWaitingForMachine(version: Pick<LayerVersion, 'status'>): Mrkdwn {
  return mrkdwn`This version isn't waiting on its packaging machine any more (it is ${escapeMrkdwn(VERSION_STATUS_LABEL[version.status])}).`;
}

const NO_MACHINE = mrkdwn`There's no packaging machine for this version yet. Create it first with *Create Packaging Machine* (Azure portal) or *Deploy for me*.`;

/** Why `vm` can't take `action` yet, in words that say what to do; undefined when it can. */
export function notReadyFor(action: MachineWork, vm: VmStatus | null): Mrkdwn | undefined {
  if (!vm) return NO_MACHINE;
  switch (vm.powerState) {
    case 'stopped':
    case 'deallocated':
      return mrkdwn`The packaging machine is shut down. Start it (Azure portal → the virtual machine → Start), wait for it to finish booting, then try again.`;
    case 'stopping':
    case 'deallocating':
      return mrkdwn`The packaging machine is shutting down. Wait until it has stopped, start it again, and let it finish booting before you try again.`;
    case 'running':
      // A restart only needs Azure; everything else runs a script through the VM agent.
      if (action === 'reboot' || vm.agentReady) return undefined;
      return mrkdwn`The packaging machine is still booting (its VM agent is not ready yet). Wait a minute or two, then try again.`;
    default:
      return mrkdwn`The packaging machine is still starting. Wait for it to finish booting, then try again.`;
  }
}

/**
 * The machine by its recorded name; if that is gone (the portal lets the admin rename it), by
 * the task tag, recording the name it was found under.
 */
export async function locateMachine(run: TaskRun, azure: AzureSession): Promise<VmStatus | null> {
  const recorded = run.version.packagingMachine;
  const byName = recorded ? await azure.machines.getVm(recorded) : null;
  if (byName) return byName;
  const tagged = (await azure.machines.findByTag(TASK_TAG, run.task._id)).find((r) => r.type.toLowerCase() === VM_TYPE);
  if (!tagged) return null;
  const vm = await azure.machines.getVm(tagged);
  if (vm) await recordMachine(run, { name: vm.name, resourceGroup: vm.resourceGroup, vmId: vm.id });
  return vm;
}

/**
 * Records where the task's machine is. One found outside the connector's resource group (the
 * portal's Custom deployment lets a person pick any) is still watched, finalized and deleted
 * there; the channel is told once, with the resource group it is in.
 */
export async function recordMachine(run: TaskRun, found: { name: string; resourceGroup: string; vmId: string; diskId?: string }): Promise<void> {
  await saveVersion(run, { packagingMachine: { ...run.version.packagingMachine, ...found } });
  const group = found.resourceGroup.toLowerCase();
  if (group === run.connector.resourceGroup.toLowerCase()) return;
  // The watch and a button click may find it at the same moment; the claim lets one of them say it.
  if (!(await run.services.repos.claims.tryClaim(`machine-elsewhere:${run.version._id}:${group}`, run.task._id))) return;
  await run.thread(
    mrkdwn`:warning: ${mention(run.task.startedBy)} the packaging machine \`${escapeMrkdwn(found.name)}\` is in resource group *${escapeMrkdwn(found.resourceGroup)}*, not in the connector's resource group *${escapeMrkdwn(run.connector.resourceGroup)}*. I found it by its \`${escapeMrkdwn(TASK_TAG)}\` tag and will watch, finalize and delete it there.`,
  );
}

/** Reads and records how a person reaches the running machine (its addresses; Bastion when there is one). */
export async function recordAddresses(run: TaskRun, vm: VmStatus): Promise<void> {
  const address = await run.azure().machines.machineAddresses(vm);
  const machine = run.version.packagingMachine;
  if (address && machine) await saveVersion(run, { packagingMachine: { ...machine, address } });
}

async function saveVersion(run: TaskRun, fields: Partial<LayerVersion>): Promise<void> {
  run.version = { ...run.version, ...fields };
  await run.services.repos.versions.update(run.version._id, fields);
}

/** Runs the check script and stores what it found; the check failing is stored as such, never as clean. */
async function checkIntegrity(run: TaskRun, azure: AzureSession, vm: MachinePlace): Promise<IntegrityResult> {
  const output = await azure.machines.runPowerShell(vm, INTEGRITY_CHECK_SCRIPT);
  const result = readIntegrityOutput(output);
  if (result.outcome === 'failed') run.services.logger.warn(`integrity check on ${vm.name} (task ${run.task._id}) failed: ${result.reason}`);
  const runOnce = result.outcome === 'blocked' ? result.report.runOnce : [];
  const hints = result.outcome === 'failed' ? [] : result.hints;
  const lastIntegrity: IntegrityResultSummary = {
    checkedAt: new Date(),
    clean: result.outcome === 'clean',
    blocking: result.outcome === 'blocked' ? result.blocking : [],
    ...(result.outcome === 'failed' ? { failure: result.reason, ...(result.probe ? { failedProbe: result.probe } : {}) } : {}),
    ...(runOnce.length > 0 ? { runOnce } : {}),
    ...(hints.length > 0 ? { hints } : {}),
  };
  await saveVersion(run, { lastIntegrity });
  // A clean result is shown at once (a shutdown may follow). Anything else is shown by the job once
  // it has given the machine back: a click on the remedy it shows must find the machine free.
  if (result.outcome === 'clean') await run.services.notifier.refresh(run.task._id, { immediate: true });
  return result;
}

/** A script failure in the admin's words; Windows' own text is escaped for mrkdwn. */
export function describeScriptFailure(failure: ScriptFailure): Mrkdwn {
  return escapeMrkdwn(failure.reason.replace(/\.$/, ''));
}

function summary(result: Exclude<IntegrityResult, { outcome: 'clean' }>): Mrkdwn {
  if (result.outcome === 'failed') return mrkdwn`the check itself failed: ${describeScriptFailure(result)}. Nothing was changed; click *Check again*.`;
  return mrkdwn`the layer can't be finalized yet:\n${joinMrkdwn(result.blocking.map((c) => mrkdwn`• ${escapeMrkdwn(CONDITION_ADVICE[c].text)}`))}${hintText(result)}`;
}

/** The check's hints (they decide nothing), as lines after its result. */
function hintText(result: IntegrityResult): Mrkdwn {
  if (result.outcome === 'failed' || result.hints.length === 0) return mrkdwn``;
  return mrkdwn`\n${joinMrkdwn(result.hints.map((hint) => mrkdwn`:information_source: ${escapeMrkdwn(hint)}`))}`;
}

/**
 * Does `action` on the task's packaging machine and answers what to tell the user who asked
 * (the job says it once the machine is free again, so they can click straight away). Never throws.
 */
export async function performMachineAction(run: TaskRun, action: MachineAction, userId: string): Promise<Mrkdwn> {
  try {
    // A one-click Finalize taken over after a crash finds its version still Checking the layer.
    const waiting = run.version.status === 'action-required' || (action === 'finalize' && run.version.status === 'checking');
    if (!waiting) return notWaitingForMachine(run.version);
    const azure = run.azure();
    const vm = await locateMachine(run, azure);
    const problem = notReadyFor(action, vm);
    if (problem || !vm) return problem ?? NO_MACHINE;
    return await ACTIONS[action](run, azure, vm, userId);
  } catch (err) {
    // Someone else's Run Command (e.g. from the portal) holds the machine: Azure answers 409.
    if (err instanceof RunCommandBusyError) return BUSY.check;
    if (!(err instanceof AzureError)) run.services.logger.error(`packaging machine ${action} for task ${run.task._id} failed:`, err);
    const reason = err instanceof AzureError ? err.message : 'an unexpected error occurred; the details are in the bot log';
    await run.thread(mrkdwn`:warning: I couldn't ${escapeMrkdwn(VERB[action])} for ${mention(userId)}: ${escapeMrkdwn(reason)}.`);
    return mrkdwn`I couldn't ${escapeMrkdwn(VERB[action])}: ${escapeMrkdwn(reason)}.`;
  }
}

type ActionRunner = (run: TaskRun, azure: AzureSession, vm: MachinePlace, userId: string) => Promise<Mrkdwn>;

async function check(run: TaskRun, azure: AzureSession, vm: MachinePlace, userId: string): Promise<Mrkdwn> {
  const result = await checkIntegrity(run, azure, vm);
  if (result.outcome === 'clean') {
    await run.thread(mrkdwn`:white_check_mark: ${mention(userId)} ran the layer integrity check: nothing is pending.${hintText(result)}`);
    return mrkdwn`The layer integrity check passed: nothing is pending. When you have finished installing, click *Shutdown for Finalize*.`;
  }
  await run.thread(mrkdwn`:mag: ${mention(userId)} ran the layer integrity check: ${summary(result)}`);
  return mrkdwn`The integrity check found that ${summary(result)}`;
}

async function reboot(run: TaskRun, azure: AzureSession, vm: MachinePlace, userId: string): Promise<Mrkdwn> {
  await run.thread(mrkdwn`:arrows_counterclockwise: ${mention(userId)} is restarting the packaging machine \`${escapeMrkdwn(vm.name)}\`.`);
  await azure.machines.restartVm(vm);
  await run.thread(mrkdwn`:white_check_mark: The packaging machine \`${escapeMrkdwn(vm.name)}\` has restarted. Once it has finished booting, click *Check again*.`);
  return mrkdwn`The packaging machine has restarted. Give it a minute to finish booting, then click *Check again*.`;
}

/**
 * Azure ends a managed Run Command at this timeout, killing its script; expedite-ngen.ps1 stops
 * waiting for ngen after 50 minutes (and leaves it running), so Azure never has to. Both stay
 * well inside the 90 minutes a Run Command may take.
 */
export const NGEN_RUN_TIMEOUT_SECONDS = 60 * 60;

/** NGen outlasted the wait: it must be left to finish, never interrupted. */
function ngenStillRunning(step?: string): Mrkdwn {
  const where = step ? mrkdwn` (still on ${escapeMrkdwn(step)})` : mrkdwn``;
  return mrkdwn`NGen is still running on the packaging machine${where}. Let it finish: don't restart or shut down the machine, because an interrupted NGen run can leave .NET broken. Click *Check again* later; once NGen is done the check passes.`;
}

async function runNgen(run: TaskRun, azure: AzureSession, vm: MachinePlace, userId: string, mode: 'queued' | 'update-force'): Promise<Mrkdwn> {
  const what = mode === 'queued' ? mrkdwn`the queued NGen work (\`ngen executeQueuedItems\`)` : mrkdwn`\`ngen update /force\`, which recompiles every native image,`;
  await run.thread(
    mrkdwn`:runner: ${mention(userId)} is running ${what} in the foreground on \`${escapeMrkdwn(vm.name)}\`. Never restart the machine to stop NGen: an interrupted run can leave .NET broken.`,
  );
  const result = await azure.machines.runManagedPowerShell(vm, {
    name: mode === 'queued' ? 'oslayer-expedite-ngen' : 'oslayer-ngen-update-force',
    script: EXPEDITE_NGEN_SCRIPT,
    parameters: { Mode: mode },
    timeoutSeconds: NGEN_RUN_TIMEOUT_SECONDS,
    tags: { [TASK_TAG]: run.task._id },
  });
  const reading = result.state === 'timed-out' || result.state === 'running' ? undefined : readNgenOutput(result.output);
  if (!reading || (reading.ok && !reading.value.finished)) {
    await run.thread(mrkdwn`:hourglass_flowing_sand: ${ngenStillRunning(reading?.ok ? (reading.value.running ?? undefined) : undefined)}`);
    return ngenStillRunning();
  }
  if (!reading.ok) {
    const why = describeScriptFailure(reading.failure);
    await run.thread(mrkdwn`:warning: NGen could not be run in the foreground: ${why}. Nothing was stopped; click *Check again*.`);
    return mrkdwn`NGen could not be run in the foreground: ${why}. Nothing was stopped; click *Check again*.`;
  }
  await run.thread(mrkdwn`:white_check_mark: The foreground NGen run has finished; checking the machine again.`);
  return check(run, azure, vm, userId);
}

const expediteNgen: ActionRunner = (run, azure, vm, userId) => runNgen(run, azure, vm, userId, 'queued');
const ngenUpdateForce: ActionRunner = (run, azure, vm, userId) => runNgen(run, azure, vm, userId, 'update-force');

const RUNONCE_OUTCOME: Readonly<Record<RunOnceReport['results'][number]['outcome'], string>> = {
  ran: 'ran',
  removed: 'removed',
  missing: 'was already gone',
  'still-running': 'is still running (left alone)',
};

export function runOnceEntryLabel(entry: RunOnceEntry): Mrkdwn {
  return mrkdwn`${entry.view === '32' ? mrkdwn`32-bit ` : mrkdwn``}${escapeMrkdwn(entry.key)} \u203a ${escapeMrkdwn(entry.name)}`;
}

/** Runs once, or removes, the RunOnce entries the last check listed (the ones the admin confirmed), then checks again. */
async function runOnceRemedy(run: TaskRun, azure: AzureSession, vm: MachinePlace, userId: string, action: 'run' | 'remove'): Promise<Mrkdwn> {
  const listed = runOnceEntrySchema.array().max(64).safeParse(run.version.lastIntegrity?.runOnce ?? []);
  if (!listed.success || listed.data.length === 0) return mrkdwn`The last check listed no RunOnce entries. Click *Check again* to look once more.`;
  const verb = action === 'run' ? 'running once' : 'removing';
  await run.thread(mrkdwn`:gear: ${mention(userId)} is ${escapeMrkdwn(verb)} ${listed.data.length} RunOnce ${listed.data.length === 1 ? mrkdwn`entry` : mrkdwn`entries`} on \`${escapeMrkdwn(vm.name)}\`.`);
  // The names travel as data in a Run Command parameter, never inside the script.
  const reading = readRunOnceOutput(await azure.machines.runPowerShell(vm, RUNONCE_SCRIPT, { parameters: runOnceParameters(action, listed.data) }));
  if (!reading.ok) {
    const why = describeScriptFailure(reading.failure);
    await run.thread(mrkdwn`:warning: The RunOnce entries could not be ${action === 'run' ? mrkdwn`run` : mrkdwn`removed`}: ${why}.`);
    return mrkdwn`The RunOnce entries could not be ${action === 'run' ? mrkdwn`run` : mrkdwn`removed`}: ${why}. Click *Check again* to see where things stand.`;
  }
  const lines = reading.value.results.map((r) => mrkdwn`• ${runOnceEntryLabel(r)} ${escapeMrkdwn(RUNONCE_OUTCOME[r.outcome])}${r.exitCode ? mrkdwn` (exit code ${r.exitCode})` : mrkdwn``}`);
  await run.thread(mrkdwn`:white_check_mark: RunOnce on \`${escapeMrkdwn(vm.name)}\`:\n${joinMrkdwn(lines)}`);
  return check(run, azure, vm, userId);
}

const runOnceRun: ActionRunner = (run, azure, vm, userId) => runOnceRemedy(run, azure, vm, userId, 'run');
const runOnceRemove: ActionRunner = (run, azure, vm, userId) => runOnceRemedy(run, azure, vm, userId, 'remove');

/**
 * Shutdown for Finalize's first step: runs NGen's queue (`ngen executeQueuedItems` for each
 * installed .NET Framework and bitness) as a managed Run Command, quick when nothing is queued.
 * The check cannot see the queue (the scheduled tasks' state is only a hint), so this is what
 * makes "no NGen work left" true. Answers why the machine must not be shut down, if it must not.
 */
async function drainNgen(run: TaskRun, azure: AzureSession, vm: MachinePlace): Promise<Mrkdwn | undefined> {
  const result = await azure.machines.runManagedPowerShell(vm, {
    name: 'oslayer-drain-ngen',
    script: EXPEDITE_NGEN_SCRIPT,
    parameters: { Mode: 'queued' },
    timeoutSeconds: NGEN_RUN_TIMEOUT_SECONDS,
    tags: { [TASK_TAG]: run.task._id },
  });
  const reading = result.state === 'timed-out' || result.state === 'running' ? undefined : readNgenOutput(result.output);
  if (!reading || (reading.ok && !reading.value.finished)) return ngenStillRunning(reading?.ok ? (reading.value.running ?? undefined) : undefined);
  if (!reading.ok) return mrkdwn`NGen's queue could not be run first: ${describeScriptFailure(reading.failure)}.`;
  const ran = reading.value.ran.length ? joinMrkdwn(reading.value.ran.map((item) => escapeMrkdwn(item)), mrkdwn`, `) : mrkdwn`no .NET Framework with ngen found`;
  await run.thread(mrkdwn`:white_check_mark: NGen's queue is drained on \`${escapeMrkdwn(vm.name)}\` (${ran}); checking the layer now.`);
  return undefined;
}

/**
 * Shutdown for Finalize's work, shared with the one-click Finalize: NGen's queue drained, the
 * integrity check, and only when it is clean, the version's inventory for the changelog (only a
 * running machine can report it), then stop + deallocate → Ready to Finalize. Answers why not
 * otherwise, naming the button (`button`) that tries again.
 */
async function shutDownIfClean(run: TaskRun, azure: AzureSession, vm: MachinePlace, userId: string, asked: string, button: string): Promise<Mrkdwn | undefined> {
  const ngen = await drainNgen(run, azure, vm);
  // Checked even when NGen still runs, so the task message shows what blocks and its remedies.
  const result = await checkIntegrity(run, azure, vm);
  if (ngen || result.outcome !== 'clean') {
    const why = result.outcome === 'clean' ? ngen! : mrkdwn`${summary(result)}${ngen ? mrkdwn`\n:hourglass_flowing_sand: ${ngen}` : mrkdwn``}`;
    await run.thread(mrkdwn`:no_entry: ${mention(userId)} asked to ${escapeMrkdwn(asked)}, but ${why}`);
    return mrkdwn`I didn't shut the packaging machine down: ${why}`;
  }
  const inventory = await recordVersionInventory(run, azure, vm);
  if (!inventory.ok) {
    const why = mrkdwn`I couldn't read what is installed on it for the changelog: ${describeScriptFailure(inventory.failure)}. Nothing was changed; click *${escapeMrkdwn(button)}* again.`;
    await run.thread(mrkdwn`:no_entry: ${mention(userId)} asked to ${escapeMrkdwn(asked)}, but ${why}`);
    return mrkdwn`I didn't shut the packaging machine down: ${why}`;
  }
  await run.thread(mrkdwn`:white_check_mark: ${mention(userId)} The layer integrity check passed; stopping and deallocating \`${escapeMrkdwn(vm.name)}\`.${hintText(result)}`);
  await azure.machines.powerOffVm(vm);
  await azure.machines.deallocateVm(vm);
  // The watch stops with Action Required; its last word on the machine must be this one.
  const { runningSince: _stopped, ...watched } = run.version.machineWatch ?? { watchingSince: new Date() };
  const machineWatch = { ...watched, state: 'deallocated' as const, agentReady: false, observedAt: new Date() };
  await run.moveVersion({ type: 'shutdown-clean' }, { lastIntegrity: run.version.lastIntegrity, machineWatch });
  return undefined;
}

async function shutdown(run: TaskRun, azure: AzureSession, vm: MachinePlace, userId: string): Promise<Mrkdwn> {
  const blocked = await shutDownIfClean(run, azure, vm, userId, 'shut down for finalize', 'Shutdown for Finalize');
  if (blocked) return blocked;
  // Autopilot finalizes by itself next: nobody is asked to click.
  const next =
    userId === AUTOPILOT_ACTOR
      ? mrkdwn`Finalize follows, turning its disk into version *${escapeMrkdwn(run.version.name)}*.`
      : mrkdwn`${mention(run.task.startedBy)}, click *Finalize* to turn its disk into version *${escapeMrkdwn(run.version.name)}*.`;
  await run.thread(mrkdwn`:checkered_flag: \`${escapeMrkdwn(vm.name)}\` is shut down and deallocated. ${next}`);
  return mrkdwn`The packaging machine passed the check and is shut down and deallocated. Click *Finalize* when you are ready.`;
}

/** The one-click Finalize's first half: the version reads Checking the layer while Shutdown for Finalize's work runs. */
async function finalizeCheck(run: TaskRun, azure: AzureSession, vm: MachinePlace, userId: string): Promise<Mrkdwn> {
  if (run.version.status === 'action-required') await run.moveVersion({ type: 'check-started' });
  await run.thread(mrkdwn`:mag: Checking the layer on \`${escapeMrkdwn(vm.name)}\` for the Finalize ${mention(userId)} clicked.`);
  const blocked = await shutDownIfClean(run, azure, vm, userId, 'finalize', 'Finalize');
  if (blocked) return blocked;
  await run.thread(mrkdwn`:checkered_flag: \`${escapeMrkdwn(vm.name)}\` is shut down and deallocated; finalizing version *${escapeMrkdwn(run.version.name)}* now.`);
  return mrkdwn`The packaging machine passed the check and is shut down; finalizing now.`;
}

const ACTIONS: Readonly<Record<MachineAction, ActionRunner>> = {
  check,
  reboot,
  'expedite-ngen': expediteNgen,
  'ngen-update-force': ngenUpdateForce,
  'runonce-run': runOnceRun,
  'runonce-remove': runOnceRemove,
  shutdown,
  finalize: finalizeCheck,
};
