/**
 * Finalize's gallery step: the packaging machine's OS disk becomes an image version in the
 * connector's Compute Gallery, excluded from latest until someone promotes it. It runs after the
 * export and before the disk is deleted, because the version is made from the managed disk
 * itself (`osDiskImage.source.id`): Compute reads its own disk, so no SAS, no account key and no
 * storage data role is involved, and it works with Shared Key off.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { addDays, galleryPolicyOf, galleryVersionName, imageDefinitionFor } from '../domain/gallery.js';
import type { ApprovalPolicy, GalleryImageRecord, RegionReplication } from '../domain/model.js';
import { AzureError } from '../azure/errors.js';
import { parseResourceId, resourceId } from '../azure/arm/resource-id.js';
import { LAYER_TAG, TASK_TAG, VERSION_TAG } from '../azure/machine-spec.js';
import type { ImageVersionState } from '../azure/ports.js';
import { escapeMrkdwn, mrkdwn } from '../../views/blocks.js';
import type { TaskRun } from './task-run.js';

export const IMAGE_VERSION_TYPE = 'Microsoft.Compute/galleries/images/versions';

/** Said to the person when the gallery step cannot start; the admin must act (as opposed to Azure being briefly unwell). */
export class GalleryRefused extends Error {}

export interface GalleryPublishOptions {
  pollIntervalMs: number;
  /** Who may promote, when not the layer's policy (an autopilot run carries its own). */
  approval?: ApprovalPolicy;
}

/** Where an image version's id points: its gallery, definition and name. */
export function imageVersionRef(id: string): { galleryId: string; imageName: string; versionName: string } | null {
  const parts = parseResourceId(id);
  if (!parts || parts.type.toLowerCase() !== IMAGE_VERSION_TYPE.toLowerCase() || parts.names.length !== 3) return null;
  const [gallery, imageName, versionName] = parts.names as [string, string, string];
  return { galleryId: resourceId(parts.subscriptionId, parts.resourceGroup, 'Microsoft.Compute/galleries', gallery), imageName, versionName };
}

/** The line the thread and the task message show for replication, e.g. "eastus done · westeurope 40%". */
export function replicationLine(regions: readonly RegionReplication[]): string {
  return regions.map((r) => `${r.region} ${r.state === 'Completed' ? 'done' : r.state === 'Failed' ? 'failed' : `${r.progress}%`}`).join(' · ');
}

/**
 * Creates (or, after a restart, waits on) the version's image version and returns its record once
 * every target region has replicated. Throws GalleryRefused or AzureError; the caller cleans up.
 */
export async function publishToGallery(run: TaskRun, sourceDisk: { name: string; resourceGroup: string }, opts: GalleryPublishOptions): Promise<GalleryImageRecord> {
  const settings = run.connector.gallery;
  if (!settings) throw new GalleryRefused('the connector has no Compute Gallery.');
  const name = galleryVersionName(run.version.name);
  if (!name.ok) throw new GalleryRefused(`I can't name the image version: ${name.error}`);
  const { gallery } = run.azure();
  const policy = galleryPolicyOf(run.layer);
  const definition = imageDefinitionFor(run.layer);
  const image = await gallery.ensureImageDefinition(settings.galleryId, run.connector.location, definition, { [LAYER_TAG]: run.layer._id });
  const imageName = definition.name;

  const existing = await gallery.getImageVersion(settings.galleryId, imageName, name.value);
  let done: Promise<void> | undefined;
  if (existing && existing.tags[TASK_TAG] !== run.task._id) throw new GalleryRefused(takenSentence(name.value, imageName, run.version.name));
  if (!existing) {
    await run.thread(mrkdwn`:frame_with_picture: Publishing version *${escapeMrkdwn(run.version.name)}* as image version \`${escapeMrkdwn(name.value)}\` of \`${escapeMrkdwn(imageName)}\`, excluded from latest until promoted.`);
    const started = await gallery.beginCreateImageVersion(
      {
        galleryId: settings.galleryId,
        imageName,
        versionName: name.value,
        location: run.connector.location,
        sourceDiskId: resourceId(run.connector.subscriptionId, sourceDisk.resourceGroup, 'Microsoft.Compute/disks', sourceDisk.name),
        targetRegions: settings.targetRegions,
        endOfLifeDate: addDays(new Date(), policy.endOfLifeDays),
        tags: { [TASK_TAG]: run.task._id, [LAYER_TAG]: run.layer._id, [VERSION_TAG]: run.version._id },
      },
      { signal: run.signal },
    );
    done = started.done;
  }
  const state = await waitForReplication(run, settings.galleryId, imageName, name.value, opts, done);
  const publishedAt = new Date();
  return {
    id: state.id,
    versionName: name.value,
    imageDefinitionId: image.id,
    regions: state.regions,
    excludeFromLatest: state.excludeFromLatest,
    endOfLifeDate: addDays(publishedAt, policy.endOfLifeDays),
    publishedAt,
    approvalExpiresAt: addDays(publishedAt, policy.approvalExpiryDays),
    policy: opts.approval ?? policy.approval,
  };
}

function takenSentence(versionName: string, imageName: string, layerVersion: string): string {
  return `image version ${versionName} already exists in image definition ${imageName} (version ${layerVersion} maps to it). Compute does not replace an image version; keep or delete that one, and add this version under another name.`;
}

/** Why the version's image version name is not free in the gallery (another task's, or made outside the bot); null when it is. */
export async function imageVersionTaken(run: TaskRun, versionName: string): Promise<string | null> {
  const settings = run.connector.gallery;
  if (!settings) return null;
  const imageName = imageDefinitionFor(run.layer).name;
  const existing = await run.azure().gallery.getImageVersion(settings.galleryId, imageName, versionName);
  return existing && existing.tags[TASK_TAG] !== run.task._id ? takenSentence(versionName, imageName, run.version.name) : null;
}

async function waitForReplication(
  run: TaskRun,
  galleryId: string,
  imageName: string,
  versionName: string,
  opts: GalleryPublishOptions,
  done: Promise<void> | undefined,
): Promise<ImageVersionState> {
  const { gallery } = run.azure();
  const completed = new Set<string>();
  for (;;) {
    const state = await gallery.getImageVersion(galleryId, imageName, versionName);
    if (!state) throw new AzureError(`image version ${versionName} disappeared while it replicated`, { code: 'NotFound', status: 404 });
    for (const region of state.regions.filter((r) => r.state === 'Completed' && !completed.has(r.region))) {
      completed.add(region.region);
      await run.thread(mrkdwn`:white_check_mark: Image version \`${escapeMrkdwn(versionName)}\` replicated to ${escapeMrkdwn(region.region)}.`);
    }
    if (state.provisioningState === 'Failed') {
      // Azure's own reason is in the operation's answer; a resumed run only has the regions' details.
      if (done) await done;
      const details = state.regions.map((r) => r.details).filter(Boolean).join('; ');
      throw new AzureError(`creating image version ${versionName} failed${details ? `: ${details}` : ''}`, { code: 'GalleryImageVersionFailed' });
    }
    if (state.provisioningState === 'Succeeded' && state.regions.every((r) => r.state === 'Completed')) return state;
    const percent = state.regions.length ? Math.floor(state.regions.reduce((sum, r) => sum + r.progress, 0) / state.regions.length) : 0;
    await run.progress(percent, `replicating ${replicationLine(state.regions)}`);
    // The operation settles first when Azure refuses the version (its reason is the one to show).
    if (done) await Promise.race([done, sleep(opts.pollIntervalMs, undefined, run.signal ? { signal: run.signal } : undefined)]);
    else await sleep(opts.pollIntervalMs, undefined, run.signal ? { signal: run.signal } : undefined);
  }
}

/**
 * After a failed Finalize: the task's image version, if Azure did not finish it, is deleted (it
 * was never in latest and nothing can use it). One that did finish is kept for Clean up, which
 * asks first. Returns what it did, in words for the thread.
 */
export async function removeHalfMadeImageVersion(run: TaskRun): Promise<string | undefined> {
  const { gallery, machines } = run.azure();
  for (const found of (await machines.findByTag(TASK_TAG, run.task._id)).filter((r) => r.type.toLowerCase() === IMAGE_VERSION_TYPE.toLowerCase())) {
    const ref = imageVersionRef(found.id);
    if (!ref) continue;
    const state = await gallery.getImageVersion(ref.galleryId, ref.imageName, ref.versionName);
    if (!state) continue;
    if (state.provisioningState === 'Succeeded') return `image version ${ref.versionName} was made; *Clean up* deletes it with the rest (it asks first).`;
    await gallery.deleteImageVersion(ref.galleryId, ref.imageName, ref.versionName);
    return `Deleted the half-made image version ${ref.versionName} of ${ref.imageName}.`;
  }
  return undefined;
}
