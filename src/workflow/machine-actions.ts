/**
 * What the packaging machine's buttons do, run by the packaging-machine-action job: the layer
 * integrity check, restart, Expedite NGen, and Shutdown for Finalize. The clicking user gets
 * the outcome as an ephemeral answer; the thread keeps the history; the task message shows
 * the blocking conditions with their remedies.
 */
import { AzureError, RunCommandBusyError } from '../azure/errors.js';
import type { AzureSession } from '../azure/gateway.js';
import { TASK_TAG } from '../azure/machine-spec.js';
import type { VmStatus } from '../azure/ports.js';
import { EXPEDITE_NGEN_SCRIPT, INTEGRITY_CHECK_SCRIPT } from '../azure/scripts/index.js';
import { CONDITION_ADVICE, readIntegrityOutput, type IntegrityResult } from '../domain/integrity.js';
import type { IntegrityResultSummary, LayerVersion } from '../domain/model.js';
import { VERSION_STATUS_LABEL } from '../domain/version-status.js';
import { escapeMrkdwn } from '../../views/blocks.js';
import type { MachineAction } from './machine-jobs.js';
import type { TaskRun } from './task-run.js';

const VM_TYPE = 'microsoft.compute/virtualmachines';

/** Where a packaging machine is: the portal may have put it in another resource group than the connector's. */
type MachinePlace = Pick<VmStatus, 'name' | 'resourceGroup'>;

/** What a user is told when the machine is already busy with `action`. */
export const BUSY: Readonly<Record<MachineAction, string>> = {
  check: 'A check is already running on the packaging machine; wait for its result, then try again.',
  shutdown: 'A check is already running on the packaging machine (for Shutdown for Finalize); wait for its result.',
  'expedite-ngen': "NGen is already running in the foreground on the packaging machine; wait for it to finish, and don't restart the machine meanwhile.",
  reboot: 'The packaging machine is restarting; wait for it to finish booting, then try again.',
};

/** The listener's immediate answer, before the job has done anything. */
export const STARTED: Readonly<Record<MachineAction, string>> = {
  check: 'Running the layer integrity check on the packaging machine; the result will show in the task message.',
  shutdown: 'Checking the packaging machine before shutting it down; if nothing is pending, I stop and deallocate it.',
  'expedite-ngen': "Running NGen in the foreground on the packaging machine, then checking again. Don't restart the machine while it runs.",
  reboot: 'Restarting the packaging machine.',
};

const VERB: Readonly<Record<MachineAction, string>> = {
  check: 'run the integrity check',
  shutdown: 'shut the packaging machine down',
  'expedite-ngen': 'expedite NGen',
  reboot: 'restart the packaging machine',
};

export function notWaitingForMachine(version: Pick<LayerVersion, 'status'>): string {
  return `This version isn't waiting on its packaging machine any more (it is ${VERSION_STATUS_LABEL[version.status]}).`;
}

const NO_MACHINE = "There's no packaging machine for this version yet. Create it first with *Create Packaging Machine* (Azure portal) or *Deploy for me*.";

/** Why `vm` can't take `action` yet, in words that say what to do; undefined when it can. */
export function notReadyFor(action: MachineAction, vm: VmStatus | null): string | undefined {
  if (!vm) return NO_MACHINE;
  switch (vm.powerState) {
    case 'stopped':
    case 'deallocated':
      return 'The packaging machine is shut down. Start it (Azure portal → the virtual machine → Start), wait for it to finish booting, then try again.';
    case 'stopping':
    case 'deallocating':
      return 'The packaging machine is shutting down. Wait until it has stopped, start it again, and let it finish booting before you try again.';
    case 'running':
      // A restart only needs Azure; everything else runs a script through the VM agent.
      if (action === 'reboot' || vm.agentReady) return undefined;
      return 'The packaging machine is still booting (its VM agent is not ready yet). Wait a minute or two, then try again.';
    default:
      return 'The packaging machine is still starting. Wait for it to finish booting, then try again.';
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
    `:warning: <@${run.task.startedBy}> the packaging machine \`${escapeMrkdwn(found.name)}\` is in resource group *${escapeMrkdwn(found.resourceGroup)}*, not in the connector's resource group *${escapeMrkdwn(run.connector.resourceGroup)}*. I found it by its \`${TASK_TAG}\` tag and will watch, finalize and delete it there.`,
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
  const result = readIntegrityOutput(output.stdout);
  if (result.outcome === 'failed') run.services.logger.warn(`integrity check on ${vm.name} (task ${run.task._id}) failed: ${result.reason}`);
  const lastIntegrity: IntegrityResultSummary = {
    checkedAt: new Date(),
    clean: result.outcome === 'clean',
    blocking: result.outcome === 'blocked' ? result.blocking : [],
    ...(result.outcome === 'failed' ? { failure: result.reason } : {}),
  };
  await saveVersion(run, { lastIntegrity });
  await run.services.notifier.refresh(run.task._id, { immediate: true });
  return result;
}

function summary(result: Exclude<IntegrityResult, { outcome: 'clean' }>): string {
  if (result.outcome === 'failed') return `the check itself failed: ${result.reason}. Nothing was changed; click *Check again*.`;
  return `the layer can't be finalized yet:\n${result.blocking.map((c) => `• ${CONDITION_ADVICE[c].text}`).join('\n')}`;
}

/**
 * Does `action` on the task's packaging machine and answers what to tell the user who asked
 * (the job says it once the machine is free again, so they can click straight away). Never throws.
 */
export async function performMachineAction(run: TaskRun, action: MachineAction, userId: string): Promise<string> {
  try {
    if (run.version.status !== 'action-required') return notWaitingForMachine(run.version);
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
    await run.thread(`:warning: I couldn't ${VERB[action]} for <@${userId}>: ${reason}.`);
    return `I couldn't ${VERB[action]}: ${reason}.`;
  }
}

type ActionRunner = (run: TaskRun, azure: AzureSession, vm: MachinePlace, userId: string) => Promise<string>;

async function check(run: TaskRun, azure: AzureSession, vm: MachinePlace, userId: string): Promise<string> {
  const result = await checkIntegrity(run, azure, vm);
  if (result.outcome === 'clean') {
    await run.thread(`:white_check_mark: <@${userId}> ran the layer integrity check: nothing is pending.`);
    return 'The layer integrity check passed: nothing is pending. When you have finished installing, click *Shutdown for Finalize*.';
  }
  await run.thread(`:mag: <@${userId}> ran the layer integrity check: ${summary(result)}`);
  return `The integrity check found that ${summary(result)}`;
}

async function reboot(run: TaskRun, azure: AzureSession, vm: MachinePlace, userId: string): Promise<string> {
  await run.thread(`:arrows_counterclockwise: <@${userId}> is restarting the packaging machine \`${vm.name}\`.`);
  await azure.machines.restartVm(vm);
  await run.thread(`:white_check_mark: The packaging machine \`${vm.name}\` has restarted. Once it has finished booting, click *Check again*.`);
  return 'The packaging machine has restarted. Give it a minute to finish booting, then click *Check again*.';
}

async function expediteNgen(run: TaskRun, azure: AzureSession, vm: MachinePlace, userId: string): Promise<string> {
  await run.thread(
    `:runner: <@${userId}> is running the queued NGen work in the foreground on \`${vm.name}\`. Never restart the machine to stop NGen: an interrupted run can leave .NET broken.`,
  );
  await azure.machines.runPowerShell(vm, EXPEDITE_NGEN_SCRIPT);
  await run.thread(':white_check_mark: The foreground NGen run has finished; checking the machine again.');
  return check(run, azure, vm, userId);
}

async function shutdown(run: TaskRun, azure: AzureSession, vm: MachinePlace, userId: string): Promise<string> {
  const result = await checkIntegrity(run, azure, vm);
  if (result.outcome !== 'clean') {
    await run.thread(`:no_entry: <@${userId}> asked to shut down for finalize, but ${summary(result)}`);
    return `I didn't shut the packaging machine down: ${summary(result)}`;
  }
  await run.thread(`:white_check_mark: <@${userId}> The layer integrity check passed; stopping and deallocating \`${vm.name}\`.`);
  await azure.machines.powerOffVm(vm);
  await azure.machines.deallocateVm(vm);
  // The watch stops with Action Required; its last word on the machine must be this one.
  const { runningSince: _stopped, ...watched } = run.version.machineWatch ?? { watchingSince: new Date() };
  const machineWatch = { ...watched, state: 'deallocated' as const, agentReady: false, observedAt: new Date() };
  await run.moveVersion({ type: 'shutdown-clean' }, { lastIntegrity: run.version.lastIntegrity, machineWatch });
  await run.thread(`:checkered_flag: \`${vm.name}\` is shut down and deallocated. <@${run.task.startedBy}>, click *Finalize* to turn its disk into version *${run.version.name}*.`);
  return 'The packaging machine passed the check and is shut down and deallocated. Click *Finalize* when you are ready.';
}

const ACTIONS: Readonly<Record<MachineAction, ActionRunner>> = { check, reboot, 'expedite-ngen': expediteNgen, shutdown };
