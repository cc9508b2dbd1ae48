/**
 * Publish (DESIGN §5, step 3 of the workflow): copy the base version's VHD server-side into the
 * packaging disk, grow it to Max Layer Size, upload it into the packaging machine's managed OS
 * disk (./packaging-disk.ts), write the packaging machine template, and post Action Required
 * with the portal's Custom deployment link. Safe to run again after a crash: finished steps are
 * skipped, a copy already under way is waited for rather than restarted.
 */
import dayjs from 'dayjs';
import type { BlobDisks } from '../azure/blob-disks.js';
import { AzureError, BlobCopyError } from '../azure/errors.js';
import { customDeploymentLink, portalOrigin } from '../azure/clouds.js';
import { sasExpiry } from '../azure/sas.js';
import { toArmTemplate, TASK_TAG } from '../azure/machine-spec.js';
import { GIB, VhdFormatError, VhdSizeError } from '../azure/vhd.js';
import { deleteTaskDisksAndBlobs } from './cleanup.js';
import { preparePackagingDisk } from './packaging-disk.js';
import { packagingSpecFor } from './packaging-spec.js';
import { scheduleWatch } from './machine-jobs.js';
import type { TaskRun } from './task-run.js';
import { recordAudit } from './audit.js';
import { PUBLISH_JOB } from './create-version.js';
import { mention, mrkdwn } from '../../views/blocks.js';

export const TEMPLATES_CONTAINER = 'oslayer-templates';
export const PUBLISH_STEP = {
  connector: 'Checked the connector (storage region, portal CORS rule)',
  copy: 'Copied the base version disk to the packaging disk',
  grow: 'Grew the packaging disk to the Max Layer Size',
  osDisk: "Uploaded the packaging disk into the packaging machine's OS disk",
  template: 'Wrote the packaging machine template',
} as const;

export interface PublishOptions {
  /** How long the portal link (the template's read SAS) works; DESIGN default 7 days. */
  templateSasDays: number;
  copyPollIntervalMs: number;
}

/** A failure the admin must fix before trying again (as opposed to Azure being briefly unwell). */
export class PublishRefused extends Error {}

export async function publishPackagingDisk(run: TaskRun, opts: PublishOptions): Promise<void> {
  const azure = run.azure();
  const { connector, version } = run;
  const blobs = await azure.blobs();
  const container = connector.container;
  const packagingDisk = { container, blob: version.packagingDiskFilename };

  await run.step(PUBLISH_STEP.connector, async () => {
    const storage = await azure.storage();
    if (normalizeRegion(storage.location) !== normalizeRegion(connector.location)) {
      throw new PublishRefused(
        `the storage account ${connector.storageAccount} is in ${storage.location} but the connector's location is ${connector.location}; the packaging machine must be created in the storage account's region. Edit the connector.`,
      );
    }
    await ensurePortalCanRead(blobs, portalOrigin(azure.profile), connector.storageAccount);
    await blobs.ensureContainer({ container: TEMPLATES_CONTAINER });
  });

  await run.step(PUBLISH_STEP.copy, async () => {
    const base = version.baseVersionId ? await baseDisk(run) : undefined;
    if (!base) throw new PublishRefused('the base version has no disk to copy; choose another base version.');
    const source = { container, blob: base };
    const sourceProps = await blobs.blobProperties(source);
    if (!sourceProps.exists) throw new PublishRefused(`the base version's VHD ${container}/${base} is missing from the storage account.`);
    if (sourceProps.sizeBytes - 512 > version.maxLayerSizeGb * GIB) {
      throw new PublishRefused(
        `the base disk is ${Math.ceil((sourceProps.sizeBytes - 512) / GIB)} GB, larger than the Max Layer Size of ${version.maxLayerSizeGb} GB.`,
      );
    }
    const current = await blobs.blobProperties(packagingDisk);
    const state = current.exists ? (await blobs.copyStatus(packagingDisk)).state : undefined;
    // A copy a previous run started (its process stopped before hearing back) is waited for or
    // kept; only a missing or failed one is (re)started: one server-side copy per target.
    if (state !== 'pending' && state !== 'success') {
      const sourceUrl = await blobs.readSasUrl({ ...source, expiresOn: dayjs().add(1, 'day').toDate() });
      await blobs.startCopy({ ...packagingDisk, sourceUrl, tags: { [TASK_TAG]: run.task._id } });
    }
    await blobs.waitForCopy({
      ...packagingDisk,
      pollIntervalMs: opts.copyPollIntervalMs,
      signal: run.signal,
      onProgress: (status) => void run.progress(status.percent, `${status.percent}% copied`),
    });
  });

  await run.step(PUBLISH_STEP.grow, () => blobs.growVhd({ ...packagingDisk, newSizeBytes: version.maxLayerSizeGb * GIB }));

  const spec = await packagingSpecFor(run, azure);
  // Here rather than when the machine is made: the portal template and Deploy for me then only
  // attach it, so neither the portal user nor Compute needs the storage account.
  await run.step(PUBLISH_STEP.osDisk, () =>
    preparePackagingDisk({ machines: azure.machines, blobs }, spec, packagingDisk, {
      onProgress: (copied, total) => {
        const percent = total > 0 ? Math.floor((copied * 100) / total) : 100;
        void run.progress(percent, `${percent}% uploaded`);
      },
    }),
  );
  const templateBlob = `${run.task._id}.json`;
  await run.step(PUBLISH_STEP.template, () =>
    blobs.uploadJson({ container: TEMPLATES_CONTAINER, blob: templateBlob, json: toArmTemplate(spec, run.connector.portalTemplateScope ?? 'resource-group'), tags: { [TASK_TAG]: run.task._id } }),
  );

  const requested = dayjs().add(opts.templateSasDays, 'day').toDate();
  const sasUrl = await blobs.readSasUrl({ container: TEMPLATES_CONTAINER, blob: templateBlob, expiresOn: requested });
  // A user delegation SAS can end a few minutes before what was asked (its key's 7-day limit):
  // the button goes when the link stops working, not after.
  const expiresAt = sasExpiry(sasUrl) ?? requested;
  await run.moveVersion(
    { type: 'published' },
    {
      portalLink: { url: customDeploymentLink(azure.profile, sasUrl), expiresAt },
      templateBlob,
      packagingMachine: { name: spec.vmName, resourceGroup: connector.resourceGroup },
    },
  );
  await run.thread(mrkdwn`:raising_hand: ${mention(run.task.startedBy)} Action Required: the packaging disk is published. Create the packaging machine from the task message.`);
  await scheduleWatch(run.services, run.task._id);
}

/**
 * The portal reads the template from the browser, which needs a CORS rule for its origin. Adding
 * one is a control-plane write (Storage Account Contributor); without that role, say exactly what
 * to add by hand rather than publish a link the portal cannot open.
 */
async function ensurePortalCanRead(blobs: BlobDisks, origin: string, account: string): Promise<void> {
  try {
    await blobs.ensureCorsRule({ origin });
  } catch (err) {
    if (err instanceof AzureError && err.status === 403) {
      throw new PublishRefused(
        `the portal needs a CORS rule to read the template, and the connector's identity may not add one to storage account ${account} (${err.code}). Add a blob service CORS rule for ${origin} (methods GET and HEAD, allowed and exposed headers *) once, or assign the identity Storage Account Contributor on the account.`,
      );
    }
    throw err;
  }
}

async function baseDisk(run: TaskRun): Promise<string | undefined> {
  const { repos } = run.services;
  const base = await repos.versions.get(run.version.baseVersionId!);
  return base?.diskUri;
}

/** Retry of a failed publish (the task's Retry, an autopilot run's Retry from Publish): the publish job runs again from its first unfinished step. */
export async function retryPublish(run: TaskRun, userId: string): Promise<void> {
  await run.moveVersion({ type: 'retry', resumeAt: 'publishing' });
  await recordAudit(run.services.repos, { actor: userId, action: 'task.retry', target: `task:${run.task._id}` });
  await run.thread(mrkdwn`:repeat: ${mention(userId)} retried publishing.`);
  await run.services.scheduler.agenda.now(PUBLISH_JOB, { taskId: run.task._id });
}

/** Removes what publishing made (packaging VHD, the machine's OS disk, template) and fails the task with the reason. */
export async function failPublish(run: TaskRun, err: unknown): Promise<void> {
  const reason = reasonOf(err);
  if (reason.startsWith('an unexpected error')) run.services.logger.error(`publish of task ${run.task._id} failed:`, err);
  try {
    await deleteTaskDisksAndBlobs(run);
  } catch (cleanupError) {
    run.services.logger.warn(`cleanup after failed publish of task ${run.task._id}: ${(cleanupError as Error).message}`);
  }
  const retryable = !(err instanceof PublishRefused || err instanceof VhdFormatError || err instanceof VhdSizeError);
  await run.fail(`Publishing the packaging disk failed: ${reason}`, { retryable });
}

function reasonOf(err: unknown): string {
  if (err instanceof PublishRefused || err instanceof AzureError || err instanceof BlobCopyError || err instanceof VhdFormatError || err instanceof VhdSizeError) {
    return err.message;
  }
  return 'an unexpected error occurred; the details are in the bot log.';
}

function normalizeRegion(region: string): string {
  return region.replace(/\s+/g, '').toLowerCase();
}
