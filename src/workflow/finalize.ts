/**
 * Finalize (DESIGN §5): the packaging machine's OS disk becomes the new version's fixed VHD in
 * the layer store, and the machine and everything made for it are deleted. Each stage is a
 * TaskRun step, so a restarted job skips what is done; the copy, the one long stage, is
 * picked up rather than restarted (Azure keeps copying while the bot is down).
 */
import { AzureError, BlobCopyError, PermissionError } from '../azure/errors.js';
import type { BlobRef } from '../azure/blob-disks.js';
import { parseResourceId } from '../azure/arm/resource-id.js';
import { TASK_TAG } from '../azure/machine-spec.js';
import { VHD_FOOTER_SIZE, VhdFormatError } from '../azure/vhd.js';
import { VERSION_STATUS_LABEL } from '../domain/version-status.js';
import { galleryVersionName, policyLabel } from '../domain/gallery.js';
import type { ApprovalPolicy } from '../domain/model.js';
import { GalleryRefused, imageVersionTaken, publishToGallery, removeHalfMadeImageVersion } from './gallery-publish.js';
import { deleteTaskDisksAndBlobs, deleteTaskMachines, taggedLeftovers, VM_TYPE } from './cleanup.js';
import { FINALIZE_STEP, GALLERY_STEP, versionVhdBlob } from './finalize-steps.js';
import { postWithChangelog } from './changelog.js';
import type { TaskRun } from './task-run.js';
import { escapeMrkdwn, gib, joinMrkdwn, mention, mrkdwn, type Mrkdwn } from '../../views/blocks.js';

/** Replication takes minutes to hours: its reads are spaced wider than the copy's (ARM reads are throttled per subscription). */
const REPLICATION_POLLS_PER_COPY_POLL = 6;

/** Long enough for a 2 TB copy; the SAS is revoked as soon as the copy is verified. */
const EXPORT_SAS_SECONDS = 24 * 60 * 60;

export interface FinalizeOptions {
  copyPollIntervalMs: number;
  /** Who may promote the image version, when not the layer's policy (an autopilot run's). */
  approval?: ApprovalPolicy;
}

/** The admin must act before Finalize can work (as opposed to Azure being briefly unwell). */
export class FinalizeRefused extends Error {}

export interface PackagingMachineState {
  vmName: string;
  /** The machine's OS disk, in whichever resource group it was created. */
  disk: { name: string; resourceGroup: string };
  powerState: string;
}

/** The task's machine, found by its tag (the portal lets an admin rename it), with its OS disk. */
export async function findPackagingMachine(run: TaskRun): Promise<PackagingMachineState> {
  const { machines } = run.azure();
  const vms = (await machines.findByTag(TASK_TAG, run.task._id)).filter((r) => r.type.toLowerCase() === VM_TYPE.toLowerCase());
  const where = `subscription ${run.connector.subscriptionId} (tag ${TASK_TAG}=${run.task._id})`;
  if (vms.length === 0) throw new FinalizeRefused(`I can't find the packaging machine in ${where}.`);
  if (vms.length > 1) {
    throw new FinalizeRefused(`there is more than one packaging machine in ${where}: ${vms.map((v) => v.name).join(', ')}. Delete the extra ones first.`);
  }
  const vm = await machines.getVm(vms[0]!);
  if (!vm) throw new FinalizeRefused(`the packaging machine ${vms[0]!.name} has just been deleted.`);
  const disk = vm.osDiskId ? parseResourceId(vm.osDiskId) : null;
  if (!disk?.names[0]) throw new FinalizeRefused(`the packaging machine ${vm.name} has no managed OS disk.`);
  return { vmName: vm.name, disk: { name: disk.names[0], resourceGroup: disk.resourceGroup }, powerState: vm.powerState };
}

/**
 * What stands between a version past Action Required and Finalize, in a sentence for the person
 * who clicked; null when it may start. Reads the machine from Azure, so call it after ack.
 */
export async function finalizeBlocker(run: TaskRun): Promise<Mrkdwn | null> {
  const { version } = run;
  // Names and Azure's words go back through response_url as mrkdwn: escaped, every one of them.
  const name = escapeMrkdwn(version.name);
  switch (version.status) {
    case 'ready-to-finalize':
      break;
    case 'checking':
      return mrkdwn`Version ${name} is already finalizing: its layer is being checked first.`;
    case 'finalizing':
      return mrkdwn`Version ${name} is already finalizing.`;
    case 'publishing':
      return mrkdwn`Version ${name} can't be finalized yet: its packaging disk is still being published.`;
    default:
      return mrkdwn`Version ${name} is ${escapeMrkdwn(VERSION_STATUS_LABEL[version.status].toLowerCase())}; only a version that is ready to finalize can be finalized.`;
  }
  const imageVersion = run.connector.gallery ? galleryVersionName(version.name) : undefined;
  if (imageVersion && !imageVersion.ok) {
    return mrkdwn`Version ${name} can't be finalized here: its connector publishes to a Compute Gallery, and ${escapeMrkdwn(imageVersion.error)}`;
  }
  if (!version.lastIntegrity) return mrkdwn`Version ${name} can't be finalized yet: no layer integrity check has run. Click *Shutdown for Finalize*.`;
  if (!version.lastIntegrity.clean) {
    return mrkdwn`Version ${name} can't be finalized yet: the last integrity check found ${escapeMrkdwn(version.lastIntegrity.blocking.join('; '))}. Fix that, then click *Shutdown for Finalize* again.`;
  }
  try {
    const machine = await findPackagingMachine(run);
    if (machine.powerState !== 'deallocated') {
      return mrkdwn`Version ${name} can't be finalized yet: the packaging machine ${escapeMrkdwn(machine.vmName)} is ${escapeMrkdwn(machine.powerState)}, not deallocated. Click *Shutdown for Finalize* to check it and shut it down.`;
    }
  } catch (err) {
    if (err instanceof FinalizeRefused) return mrkdwn`Version ${name} can't be finalized: ${escapeMrkdwn(err.message)}`;
    throw err;
  }
  if (imageVersion?.ok) {
    const taken = await imageVersionTaken(run, imageVersion.value);
    if (taken) return mrkdwn`Version ${escapeMrkdwn(version.name)} can't be finalized here: ${escapeMrkdwn(taken)}`;
  }
  return null;
}

/** Runs (or resumes) Finalize up to a deployable version that is the layer's latest. */
export async function finalizeVersion(run: TaskRun, opts: FinalizeOptions): Promise<void> {
  const azure = run.azure();
  const blobs = await azure.blobs();
  const target: BlobRef = { container: run.connector.container, blob: versionVhdBlob(run.layer, run.version) };
  const targetPath = `${target.container}/${target.blob}`;
  // The SAS is a secret and is never stored: a resumed run that still needs it asks again.
  let sasUrl: string | undefined;
  const grantAccess = async (): Promise<string> => {
    const machine = await findPackagingMachine(run);
    if (machine.powerState !== 'deallocated') {
      throw new FinalizeRefused(`the packaging machine ${machine.vmName} is ${machine.powerState}; it must stay deallocated while its disk is copied. Click *Shutdown for Finalize* again.`);
    }
    return azure.machines.grantDiskReadAccess(machine.disk, EXPORT_SAS_SECONDS);
  };

  await run.step(FINALIZE_STEP.grant, async () => {
    // Checked once, before anything is written: after this step any blob at the target is ours.
    if ((await blobs.blobProperties(target)).exists) {
      throw new FinalizeRefused(`${targetPath} already exists in the layer store. Move or delete it, or add the version again under another name.`);
    }
    await blobs.ensureContainer({ container: target.container });
    sasUrl = await grantAccess();
  });

  await run.step(FINALIZE_STEP.copy, async () => {
    const existing = await blobs.blobProperties(target);
    const state = existing.exists ? (await blobs.copyStatus(target)).state : undefined;
    // A copy a previous run started is waited for, a finished one kept; only a missing or failed one is (re)started.
    if (state !== 'pending' && state !== 'success') {
      await blobs.startCopy({ ...target, sourceUrl: sasUrl ?? (await grantAccess()), tags: { [TASK_TAG]: run.task._id } });
    }
    await blobs.waitForCopy({
      ...target,
      pollIntervalMs: opts.copyPollIntervalMs,
      signal: run.signal,
      onProgress: (status) => void run.progress(status.percent, `${status.percent}% copied`),
    });
  });

  const verified = await run.step(FINALIZE_STEP.verify, () => verifyCopy(run, target));
  const diskSizeBytes = verified ?? (await blobs.readVhdFooter(target)).currentSize;

  await run.step(FINALIZE_STEP.revoke, async () => {
    const machine = await findPackagingMachine(run);
    await azure.machines.revokeDiskAccess(machine.disk);
  });
  if (run.connector.gallery) {
    // Made from the managed OS disk, so it must run before the disk is deleted.
    await run.step(GALLERY_STEP, async () => {
      const machine = await findPackagingMachine(run);
      const galleryImage = await publishToGallery(run, machine.disk, { pollIntervalMs: opts.copyPollIntervalMs * REPLICATION_POLLS_PER_COPY_POLL, approval: opts.approval });
      await run.services.repos.versions.update(run.version._id, { galleryImage });
      run.version = { ...run.version, galleryImage };
    });
  }
  const machineName = run.version.packagingMachine?.name;
  await run.step(FINALIZE_STEP.deleteMachine, () => deleteTaskMachines(run));
  await run.step(FINALIZE_STEP.deleteDisks, () => deleteTaskDisksAndBlobs(run));

  const galleryImage = run.version.galleryImage;
  const left = await taggedLeftovers(run, galleryImage ? [galleryImage.id] : []);
  // The layer first: if the process stops between the two writes, the resumed job still finds the version finalizing.
  await run.services.repos.layers.update(run.layer._id, { latestVersionId: run.version._id });
  await run.moveVersion(
    { type: 'finalized' },
    { diskUri: target.blob, diskSizeBytes, packagingMachine: undefined, templateBlob: undefined, portalLink: undefined },
  );
  if (galleryImage) await run.moveVersion({ type: 'gallery-replicated' });
  const machine = machineName ? mrkdwn` ${escapeMrkdwn(machineName)}` : mrkdwn``;
  const lines = [
    mrkdwn`:tada: ${mention(run.task.startedBy)} version *${escapeMrkdwn(run.version.name)}* of *${escapeMrkdwn(run.layer.name)}* is deployable and is now the layer's latest version.`,
    mrkdwn`*Created:* \`${escapeMrkdwn(targetPath)}\` (fixed VHD, ${escapeMrkdwn(gib(diskSizeBytes))})`,
    mrkdwn`*Deleted:* the packaging machine${machine} with its network interface and public IP (if it had one), its OS disk, the packaging disk \`${escapeMrkdwn(run.version.packagingDiskFilename)}\` and the machine template.`,
    left.length > 0 && mrkdwn`:warning: Still in Azure with this task's tag, delete it in the portal: ${escapeMrkdwn(left.join(', '))}.`,
  ];
  if (galleryImage) {
    lines.push(
      mrkdwn`*Gallery:* image version \`${escapeMrkdwn(galleryImage.versionName)}\` (from version name \`${escapeMrkdwn(run.version.name)}\`), replicated to ${escapeMrkdwn(galleryImage.regions.map((r) => r.region).join(', '))}, *excluded from latest* until promoted. Approval: ${escapeMrkdwn(policyLabel(galleryImage.policy))}; the request expires ${escapeMrkdwn(galleryImage.approvalExpiresAt?.toISOString().slice(0, 10) ?? 'never')}.`,
    );
  }
  await postWithChangelog(run, joinMrkdwn(lines));
}

/** The copy is a fixed VHD whose footer states exactly the size Azure reported for the disk it read. */
async function verifyCopy(run: TaskRun, target: BlobRef): Promise<number> {
  const blobs = await run.azure().blobs();
  const footer = await blobs.readVhdFooter(target);
  const copy = await blobs.copyStatus(target);
  if (footer.currentSize + VHD_FOOTER_SIZE !== copy.totalBytes) {
    throw new VhdFormatError(
      `the copied VHD's footer says ${footer.currentSize} bytes, but the OS disk Azure exported is ${copy.totalBytes - VHD_FOOTER_SIZE} bytes`,
    );
  }
  return footer.currentSize;
}

/** Whether the failure is worth telling Agenda to try again later. */
export function isTransient(err: unknown): boolean {
  return err instanceof AzureError && err.transient;
}

/**
 * A finalize that cannot go on: the half-made VHD is removed and the disk's read link revoked,
 * but the machine and its disk are kept, since the admin may want to look at them first; the
 * task says so and offers Clean up (the same deletion as Cancel), and Retry when a role was missing.
 */
export async function failFinalize(run: TaskRun, err: unknown): Promise<void> {
  const { logger } = run.services;
  const known = err instanceof FinalizeRefused || err instanceof GalleryRefused || err instanceof AzureError || err instanceof BlobCopyError || err instanceof VhdFormatError;
  if (!known) logger.error(`finalize of task ${run.task._id} failed:`, err);
  const reason = known ? (err as Error).message : 'an unexpected error occurred; the details are in the bot log.';
  const azure = run.azure();
  try {
    if (run.task.steps.some((s) => s.name === FINALIZE_STEP.grant && s.status === 'done')) {
      const blobs = await azure.blobs();
      await blobs.deleteBlob({ container: run.connector.container, blob: versionVhdBlob(run.layer, run.version) });
      const machine = await findPackagingMachine(run).catch(() => undefined);
      if (machine) await azure.machines.revokeDiskAccess(machine.disk);
    }
  } catch (cleanupError) {
    logger.warn(`cleanup after failed finalize of task ${run.task._id}: ${(cleanupError as Error).message}`);
  }
  let galleryNote: string | undefined;
  try {
    if (run.task.steps.some((s) => s.name === GALLERY_STEP)) galleryNote = await removeHalfMadeImageVersion(run);
  } catch (cleanupError) {
    galleryNote = `The image version this task started may still be in the gallery; *Clean up* deletes it (it asks first).`;
    logger.warn(`gallery cleanup after failed finalize of task ${run.task._id}: ${(cleanupError as Error).message}`);
  }
  // A missing role is fixed in Azure, not here: once it is assigned, Retry runs Finalize again.
  await run.fail(`Finalize failed: ${reason}`, { retryable: err instanceof PermissionError });
  if (galleryNote) await run.thread(escapeMrkdwn(galleryNote));
  const left = await taggedLeftovers(run).catch(() => [] as string[]);
  if (left.length > 0) await run.thread(mrkdwn`Kept in Azure for you to look at: ${escapeMrkdwn(left.join(', '))}, with the packaging disk and the template. *Clean up* deletes them all.`);
}
