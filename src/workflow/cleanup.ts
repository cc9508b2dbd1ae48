/**
 * Deleting what a task created in Azure: the one deletion Cancel, Clean up and Finalize's last
 * steps share. Resources are found by the task's tag, not by the names we expect, so a machine
 * an admin renamed in the portal's Custom deployment is found and deleted too. Every delete
 * accepts "already gone", so running this again after a crash or a second click is harmless.
 */
import { TEMPLATES_CONTAINER } from './publish.js';
import { isDeployable } from '../domain/version-status.js';
import { TASK_TAG } from '../azure/machine-spec.js';
import { NSG_TYPE } from '../azure/network-access.js';
import type { TaggedResource } from '../azure/ports.js';
import { FINALIZE_STEP, versionVhdBlob } from './finalize-steps.js';
import type { TaskRun } from './task-run.js';
import { IMAGE_VERSION_TYPE, imageVersionRef } from './gallery-publish.js';

export const VM_TYPE = 'Microsoft.Compute/virtualMachines';
const DISK_TYPE = 'Microsoft.Compute/disks';

/** Names of what was deleted, in words for the task's thread. */
export type Deleted = string[];

export interface CleanupResult {
  deleted: Deleted;
  /** What still carries the task's tag afterwards, described; empty when nothing leaked. */
  left: string[];
}

/**
 * Finalize's first step checks that its destination is free, so once that step is done any
 * blob there is this task's copy. Before it, a blob at that path belongs to someone else and
 * must never be deleted.
 */
export function ownsVersionVhd(run: TaskRun): boolean {
  return !isDeployable(run.version.status) && run.task.steps.some((s) => s.name === FINALIZE_STEP.grant && s.status === 'done');
}

async function tagged(run: TaskRun, type: string): Promise<TaggedResource[]> {
  const found = await run.azure().machines.findByTag(TASK_TAG, run.task._id);
  return found.filter((r) => r.type.toLowerCase() === type.toLowerCase());
}

/**
 * Deletes the task's VMs (their NICs and public IPs are created with deleteOption Delete and go
 * with them), then the network security group public access added: Azure refuses to delete one
 * a NIC still uses.
 */
export async function deleteTaskMachines(run: TaskRun): Promise<Deleted> {
  const { machines } = run.azure();
  const deleted: Deleted = [];
  for (const vm of await tagged(run, VM_TYPE)) {
    await machines.deleteVm(vm);
    deleted.push(`machine ${vm.name} (with its network interface and public IP, if it had one)`);
  }
  for (const nsg of await tagged(run, NSG_TYPE)) {
    await machines.deleteNetworkSecurityGroup(nsg);
    deleted.push(`network security group ${nsg.name}`);
  }
  return deleted;
}

/**
 * Deletes the task's managed disks (revoking any export SAS first: Azure refuses to delete a
 * disk with an active one, and a live read link to an OS disk must not outlive the task), then
 * the packaging VHD and the machine template. Call after deleteTaskMachines: an attached disk
 * cannot be deleted.
 */
export async function deleteTaskDisksAndBlobs(run: TaskRun, extraBlobs: string[] = []): Promise<Deleted> {
  const azure = run.azure();
  const deleted: Deleted = [];
  for (const disk of await tagged(run, DISK_TYPE)) {
    await azure.machines.revokeDiskAccess(disk);
    await azure.machines.deleteDisk(disk);
    deleted.push(`disk ${disk.name}`);
  }
  const blobs = await azure.blobs();
  const { container } = run.connector;
  const known = [
    { container, blob: run.version.packagingDiskFilename },
    { container: TEMPLATES_CONTAINER, blob: run.version.templateBlob ?? `${run.task._id}.json` },
    ...extraBlobs.map((blob) => ({ container, blob })),
  ];
  // Also whatever carries the task's mark (index tag or metadata), except the version's own VHD unless asked for.
  const versionVhd = versionVhdBlob(run.layer, run.version);
  const marked = [];
  for (const where of [container, TEMPLATES_CONTAINER]) {
    for (const blob of await blobs.findMarked({ container: where, tagName: TASK_TAG, value: run.task._id })) {
      if (where === container && blob === versionVhd && !extraBlobs.includes(blob)) continue;
      marked.push({ container: where, blob });
    }
  }
  const targets = [...known, ...marked.filter((m) => !known.some((k) => k.container === m.container && k.blob === m.blob))];
  for (const target of targets) {
    if (await blobs.deleteBlob(target)) deleted.push(`blob ${target.container}/${target.blob}`);
  }
  return deleted;
}

/**
 * Everything still tagged with the task: what a cleanup could not remove (e.g. a NIC created
 * without deleteOption Delete). `keep`: ids that are meant to stay (the published image version).
 */
export async function taggedLeftovers(run: TaskRun, keep: readonly string[] = []): Promise<string[]> {
  const found = await run.azure().machines.findByTag(TASK_TAG, run.task._id);
  return found.filter((r) => !keep.some((id) => id.toLowerCase() === r.id.toLowerCase())).map((r) => `${KIND[r.type.toLowerCase()] ?? r.type} ${r.name}`);
}

/**
 * The task's gallery image versions (a Finalize that failed after publishing). Only Clean up
 * gets here, and its button asks first: host pools may already use an image version.
 */
async function deleteTaskImageVersions(run: TaskRun): Promise<Deleted> {
  const { gallery } = run.azure();
  const deleted: Deleted = [];
  for (const found of await tagged(run, IMAGE_VERSION_TYPE)) {
    const ref = imageVersionRef(found.id);
    if (!ref) continue;
    await gallery.deleteImageVersion(ref.galleryId, ref.imageName, ref.versionName);
    deleted.push(`image version ${ref.versionName} of ${ref.imageName}`);
  }
  return deleted;
}

const KIND: Record<string, string> = {
  [VM_TYPE.toLowerCase()]: 'machine',
  [DISK_TYPE.toLowerCase()]: 'disk',
  'microsoft.network/networkinterfaces': 'network interface',
  'microsoft.network/publicipaddresses': 'public IP',
  [NSG_TYPE.toLowerCase()]: 'network security group',
  [IMAGE_VERSION_TYPE.toLowerCase()]: 'image version',
};

/** Cancel and Clean up: every Azure resource and blob the task made (a failed Finalize's image version too), except a deployable version's own VHD. */
export async function deleteEverything(run: TaskRun): Promise<CleanupResult> {
  const extra = ownsVersionVhd(run) ? [versionVhdBlob(run.layer, run.version)] : [];
  const deleted = [...(await deleteTaskMachines(run)), ...(await deleteTaskDisksAndBlobs(run, extra)), ...(await deleteTaskImageVersions(run))];
  return { deleted, left: await taggedLeftovers(run) };
}
