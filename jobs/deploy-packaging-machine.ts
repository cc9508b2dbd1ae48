import type { Agenda, Job } from 'agenda';
import { AzureError } from '../src/azure/errors.js';
import type { AzureSession } from '../src/azure/gateway.js';
import { TASK_TAG } from '../src/azure/machine-spec.js';
import { NSG_TYPE } from '../src/azure/network-access.js';
import type { Services } from '../src/services.js';
import { recordMachine } from '../src/workflow/machine-actions.js';
import { DEPLOY_MACHINE_JOB, deployClaimKey, type DeployMachineData } from '../src/workflow/machine-jobs.js';
import { packagingSpecFor } from '../src/workflow/packaging-spec.js';
import { LeaseLost, runTaskJob } from '../src/workflow/task-lease.js';
import type { TaskRun } from '../src/workflow/task-run.js';
import { escapeMrkdwn, mention, mrkdwn } from '../views/blocks.js';

/**
 * Deploy for me: creates the packaging machine from the same spec as the portal template, around
 * the OS disk Publish prepared. On failure, whatever this attempt created is deleted (never that
 * disk, which existed before) and the deploy claim is given back, so the admin can click again;
 * the version stays Action Required.
 */
export function defineDeployMachineJob(agenda: Agenda, services: Services): void {
  agenda.define(
    DEPLOY_MACHINE_JOB,
    (job: Job<DeployMachineData>) =>
      runTaskJob(services, job, {
        // The version's status is looked at inside, where a version that moved on gives the claim back.
        accepts: () => true,
        work: (run) => deployOnce(run, job.attrs.data),
        onError: (_run, err) => Promise.reject(err),
      }),
    // Creating the VM takes minutes: the heartbeat keeps the lock meanwhile.
    { concurrency: 4, lockLifetime: services.config.jobs.lockLifetimeMs, removeOnComplete: true },
  );
}

async function deployOnce(run: TaskRun, { taskId, userId }: DeployMachineData): Promise<void> {
  const { services } = run;
  const claim = deployClaimKey(run.version._id);
  if (run.version.status !== 'action-required') {
    await services.repos.claims.remove(claim);
    return;
  }
  const azure = run.azure();
  // What carries the task's tag before we start (e.g. a disk kept from a machine deleted
  // outside the bot) is never removed by a failed attempt.
  let existedBefore: ReadonlySet<string> | undefined;
  try {
    existedBefore = new Set((await azure.machines.findByTag(TASK_TAG, taskId)).map((r) => r.id));
    await deploy(run, azure, userId);
  } catch (err) {
    // Another process took the task over: what exists is its business now.
    if (err instanceof LeaseLost) throw err;
    const reason = err instanceof AzureError ? err.message : 'an unexpected error occurred; the details are in the bot log';
    if (!(err instanceof AzureError)) services.logger.error(`deploying the packaging machine of task ${taskId} failed:`, err);
    if (existedBefore) await removeWhatThisAttemptMade(run, azure, existedBefore);
    await services.repos.claims.remove(claim);
    const text = mrkdwn`Creating the packaging machine failed: ${escapeMrkdwn(reason)}. Nothing it made was left behind; click *Deploy for me* to try again.`;
    await run.thread(mrkdwn`:x: ${mention(userId)} ${text}`);
    await services.notifier.tell(taskId, userId, text);
  }
}

async function deploy(run: TaskRun, azure: AzureSession, userId: string): Promise<void> {
  const spec = await packagingSpecFor(run, azure);
  const existing = await azure.machines.getVm(spec.vmName);
  if (existing) {
    // Created from the portal link meanwhile: adopt it rather than touch it.
    await recordMachine(run, { name: existing.name, resourceGroup: existing.resourceGroup, vmId: existing.id });
    await run.thread(mrkdwn`:information_source: The packaging machine \`${escapeMrkdwn(spec.vmName)}\` already exists; ${mention(userId)}, use that one.`);
    return;
  }
  const sizeProblem = await azure.probe.vmSizeProblem(spec.vmSize, run.layer.vmGeneration);
  if (sizeProblem) throw new AzureError(`${sizeProblem} (change the connector's VM size)`, { code: 'VmSizeNotSuitable' });
  await run.thread(mrkdwn`:construction: ${mention(userId)} asked me to create the packaging machine \`${escapeMrkdwn(spec.vmName)}\` (${escapeMrkdwn(spec.vmSize)}, ${escapeMrkdwn(spec.location)}); this takes a few minutes.`);
  if (spec.access.mode === 'public') await azure.machines.createNetworkSecurityGroup(spec);
  const vm = await azure.machines.createVm(spec);
  await recordMachine(run, { name: spec.vmName, resourceGroup: run.connector.resourceGroup, vmId: vm.id, diskId: spec.diskId });
  await run.services.notifier.refresh(run.task._id, { immediate: true });
  await run.thread(
    mrkdwn`:white_check_mark: The packaging machine \`${escapeMrkdwn(spec.vmName)}\` is created and starting. ${mention(run.task.startedBy)}, connect to it with the user name and password of the layer's original OS machine.`,
  );
}

/** Deletes the VM, then the disk and NSG, that this attempt created; a disk kept from an earlier machine stays. */
async function removeWhatThisAttemptMade(run: TaskRun, azure: AzureSession, existedBefore: ReadonlySet<string>): Promise<void> {
  try {
    const made = (await azure.machines.findByTag(TASK_TAG, run.task._id)).filter((r) => !existedBefore.has(r.id));
    // The VM first: its NIC and public IP go with it, and the disk can't be deleted while attached.
    for (const vm of made.filter((r) => r.type.toLowerCase() === 'microsoft.compute/virtualmachines')) await azure.machines.deleteVm(vm);
    for (const disk of made.filter((r) => r.type.toLowerCase() === 'microsoft.compute/disks')) await azure.machines.deleteDisk(disk);
    for (const nsg of made.filter((r) => r.type.toLowerCase() === NSG_TYPE.toLowerCase())) await azure.machines.deleteNetworkSecurityGroup(nsg);
  } catch (err) {
    run.services.logger.warn(`cleanup after a failed deployment of task ${run.task._id}: ${(err as Error).message}`);
  }
}
