/**
 * Promote and Roll back: which image version of a layer the gallery's "latest" resolves to.
 * Azure's latest is the highest version not excluded from latest, so Promote includes a version
 * and Roll back includes the previous promoted one again before excluding the current one (never
 * a moment without a latest). Nothing here deletes an image version.
 */
import { policyLabel, promoteRefusal, rollBackPlan } from '../domain/gallery.js';
import type { GalleryImageRecord, LayerVersion } from '../domain/model.js';
import type { Services } from '../services.js';
import { escapeMrkdwn, joinMrkdwn, mention, mrkdwn, type Mrkdwn } from '../../views/blocks.js';
import { recordAudit } from './audit.js';
import { versionChangelogText } from './changelog.js';
import { imageVersionRef } from './gallery-publish.js';
import type { TaskRun } from './task-run.js';

/** One change of a layer's latest at a time, whoever clicks. */
const latestClaimKey = (layerId: string): string => `gallery-latest:${layerId}`;

async function withLatestClaim(services: Services, layerId: string, userId: string, work: () => Promise<Mrkdwn | null>): Promise<Mrkdwn | null> {
  const key = latestClaimKey(layerId);
  if (!(await services.repos.claims.tryClaim(key, userId))) return mrkdwn`Someone is changing this layer's latest version right now; try again in a minute.`;
  try {
    return await work();
  } finally {
    await services.repos.claims.remove(key);
  }
}

async function setLatest(run: TaskRun, image: GalleryImageRecord, exclude: boolean): Promise<void> {
  const ref = imageVersionRef(image.id);
  if (!ref) throw new Error(`the stored image version id ${image.id} is not an image version's`);
  await run.azure().gallery.setExcludeFromLatest(ref.galleryId, ref.imageName, ref.versionName, exclude);
}

function integrityLine(version: Pick<LayerVersion, 'lastIntegrity'>): Mrkdwn {
  const check = version.lastIntegrity;
  if (!check) return mrkdwn`*Layer integrity:* no check on record.`;
  const when = escapeMrkdwn(check.checkedAt.toISOString().replace('T', ' ').slice(0, 16));
  return check.clean
    ? mrkdwn`*Layer integrity:* clean (checked ${when} UTC, before Finalize).`
    : mrkdwn`*Layer integrity:* ${escapeMrkdwn(check.failure ?? check.blocking.join('; '))} (checked ${when} UTC).`;
}

/** Promote: a refusal sentence for the clicker, or null once the version is latest and the thread says who approved it. */
export async function promoteVersion(run: TaskRun, userId: string): Promise<Mrkdwn | null> {
  const { services } = run;
  const refusal = promoteRefusal(run.version, userId, new Date());
  if (refusal) return escapeMrkdwn(refusal);
  return withLatestClaim(services, run.layer._id, userId, async () => {
    const current = (await services.repos.versions.get(run.version._id))!;
    const again = promoteRefusal(current, userId, new Date());
    if (again) return escapeMrkdwn(again);
    const image = current.galleryImage!;
    await setLatest(run, image, false);
    const promoted: GalleryImageRecord = { ...image, excludeFromLatest: false, promotedBy: userId, promotedAt: new Date() };
    await services.repos.versions.update(current._id, { galleryImage: promoted, updatedAt: new Date() });
    run.version = { ...current, galleryImage: promoted };
    await recordAudit(services.repos, {
      actor: userId,
      action: 'version.promote',
      target: `version:${current._id}`,
      details: { imageVersion: image.versionName, policy: image.policy, createdBy: current.createdBy },
    });
    await run.thread(
      joinMrkdwn([
        mrkdwn`:rocket: ${mention(userId)} approved version *${escapeMrkdwn(current.name)}*: image version \`${escapeMrkdwn(image.versionName)}\` is now included in latest (${escapeMrkdwn(policyLabel(image.policy))}; created by ${mention(current.createdBy)}).`,
        integrityLine(current),
        await versionChangelogText(services.repos, current),
      ]),
    );
    await services.notifier.refresh(run.task._id, { immediate: true });
    return null;
  });
}

/** Roll back the layer of `run`: a refusal sentence, or null once the previous promoted version is latest again. */
export async function rollBackLayer(run: TaskRun, userId: string): Promise<Mrkdwn | null> {
  const { services } = run;
  return withLatestClaim(services, run.layer._id, userId, async () => {
    const plan = rollBackPlan(await services.repos.versions.list({ layerId: run.layer._id }));
    if (!plan.ok) return escapeMrkdwn(plan.error);
    const { current, previous } = plan.value;
    // Included first, so the layer never has no latest at all.
    await setLatest(run, previous.galleryImage!, false);
    await setLatest(run, current.galleryImage!, true);
    const now = new Date();
    await services.repos.versions.update(previous._id, { galleryImage: { ...previous.galleryImage!, excludeFromLatest: false }, updatedAt: now });
    await services.repos.versions.update(current._id, {
      galleryImage: { ...current.galleryImage!, excludeFromLatest: true, rolledBackBy: userId, rolledBackAt: now },
      updatedAt: now,
    });
    await recordAudit(services.repos, {
      actor: userId,
      action: 'version.roll-back',
      target: `layer:${run.layer._id}`,
      details: { from: current.galleryImage!.versionName, to: previous.galleryImage!.versionName, fromVersion: current.name, toVersion: previous.name },
    });
    await run.thread(
      mrkdwn`:rewind: ${mention(userId)} rolled back *${escapeMrkdwn(run.layer.name)}*: image version \`${escapeMrkdwn(current.galleryImage!.versionName)}\` (version ${escapeMrkdwn(current.name)}) is excluded from latest, and \`${escapeMrkdwn(previous.galleryImage!.versionName)}\` (version ${escapeMrkdwn(previous.name)}) is latest again. Nothing was deleted.`,
    );
    for (const versionId of [current._id, previous._id]) {
      const task = await services.repos.tasks.findOne({ versionId });
      if (task) await services.notifier.refresh(task._id, { immediate: true });
    }
    return null;
  });
}
