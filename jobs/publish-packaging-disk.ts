import { backoffStrategies, type Agenda, type Job } from 'agenda';
import dayjs from 'dayjs';
import { AzureError, BlobCopyError } from '../src/azure/errors.js';
import { customDeploymentLink, portalOrigin } from '../src/azure/clouds.js';
import { toArmTemplate, TASK_TAG } from '../src/azure/machine-spec.js';
import { GIB } from '../src/azure/vhd.js';
import type { Services } from '../src/services.js';
import { PUBLISH_JOB } from '../src/workflow/create-version.js';
import { TaskRun } from '../src/workflow/task-run.js';
import { packagingSpecFor } from '../src/workflow/packaging-spec.js';
import { scheduleWatch } from '../src/workflow/machine-jobs.js';
import { VhdFormatError, VhdSizeError } from '../src/azure/vhd.js';

export const TEMPLATES_CONTAINER = 'oslayer-templates';
const TRANSIENT_RETRIES = 5;
export const STEP = {
  connector: 'Checked the connector (storage region, portal CORS rule)',
  copy: 'Copied the base version disk to the packaging disk',
  grow: 'Grew the packaging disk to the Max Layer Size',
  template: 'Wrote the packaging machine template',
} as const;

export interface PublishOptions {
  /** How long the portal link (the template's read SAS) works; DESIGN default 7 days. */
  templateSasDays: number;
  copyPollIntervalMs: number;
}

/** A failure the admin must fix before trying again (as opposed to Azure being briefly unwell). */
class PublishRefused extends Error {}

/**
 * Step 3 of the workflow: copy the base version's VHD server-side into the packaging disk,
 * grow it to Max Layer Size, write the packaging machine template, and post Action Required
 * with the portal's Custom deployment link. Safe to run again after a crash: finished steps
 * are skipped, a copy already under way is waited for rather than restarted.
 */
export function definePublishJob(agenda: Agenda, services: Services, opts: PublishOptions): void {
  agenda.define(
    PUBLISH_JOB,
    async (job: Job<{ taskId: string }>) => {
      const run = await TaskRun.load(services, job.attrs.data.taskId);
      if (!run || run.version.status !== 'publishing') return;
      try {
        await publish(run, opts);
      } catch (err) {
        // Azure being briefly unwell (throttling, 5xx): Agenda runs the job again after a backoff.
        if (err instanceof AzureError && err.transient && (job.attrs.failCount ?? 0) < TRANSIENT_RETRIES) throw err;
        await failAndCleanUp(run, err);
      }
    },
    { concurrency: 4, backoff: backoffStrategies.exponential({ delay: 15_000, maxRetries: TRANSIENT_RETRIES }) },
  );
}

async function publish(run: TaskRun, opts: PublishOptions): Promise<void> {
  const azure = run.azure();
  const { connector, version } = run;
  const blobs = await azure.blobs();
  const container = connector.container;
  const packagingDisk = { container, blob: version.packagingDiskFilename };

  await run.step(STEP.connector, async () => {
    const storage = await azure.storage();
    if (normalizeRegion(storage.location) !== normalizeRegion(connector.location)) {
      throw new PublishRefused(
        `the storage account ${connector.storageAccount} is in ${storage.location} but the connector's location is ${connector.location}; the packaging machine must be created in the storage account's region. Edit the connector.`,
      );
    }
    if (!storage.sharedKeyAllowed) {
      throw new PublishRefused(
        `the storage account ${connector.storageAccount} refuses Shared Key access (allowSharedKeyAccess: false), and oslayer still signs its storage requests with an account key. Allow storage account key access on the account, or use a connector whose account allows it.`,
      );
    }
    await blobs.ensureCorsRule({ origin: portalOrigin(azure.profile) });
    await blobs.ensureContainer({ container: TEMPLATES_CONTAINER });
  });

  await run.step(STEP.copy, async () => {
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
    if (!current.exists || (await blobs.copyStatus(packagingDisk)).state !== 'pending') {
      const sourceUrl = await blobs.readSasUrl({ ...source, expiresOn: dayjs().add(1, 'day').toDate() });
      await blobs.startCopy({ ...packagingDisk, sourceUrl, tags: { [TASK_TAG]: run.task._id } });
    }
    await blobs.waitForCopy({
      ...packagingDisk,
      pollIntervalMs: opts.copyPollIntervalMs,
      onProgress: (status) => void run.progress(status.percent, `${status.percent}% copied`),
    });
  });

  await run.step(STEP.grow, () => blobs.growVhd({ ...packagingDisk, newSizeBytes: version.maxLayerSizeGb * GIB }));

  const spec = await packagingSpecFor(run, azure);
  const templateBlob = `${run.task._id}.json`;
  await run.step(STEP.template, () =>
    blobs.uploadJson({ container: TEMPLATES_CONTAINER, blob: templateBlob, json: toArmTemplate(spec), tags: { [TASK_TAG]: run.task._id } }),
  );

  const expiresAt = dayjs().add(opts.templateSasDays, 'day').toDate();
  const sasUrl = await blobs.readSasUrl({ container: TEMPLATES_CONTAINER, blob: templateBlob, expiresOn: expiresAt });
  await run.moveVersion(
    { type: 'published' },
    {
      portalLink: { url: customDeploymentLink(azure.profile, sasUrl), expiresAt },
      templateBlob,
      packagingMachine: { name: spec.vmName, resourceGroup: connector.resourceGroup },
    },
  );
  await run.thread(`:raising_hand: <@${run.task.startedBy}> Action Required: the packaging disk is published. Create the packaging machine from the task message.`);
  await scheduleWatch(run.services, run.task._id);
}

async function baseDisk(run: TaskRun): Promise<string | undefined> {
  const { repos } = run.services;
  const base = await repos.versions.get(run.version.baseVersionId!);
  return base?.diskUri;
}

/** Removes what publishing made (packaging disk, template) and fails the task with the reason. */
async function failAndCleanUp(run: TaskRun, err: unknown): Promise<void> {
  const reason = reasonOf(err);
  if (reason.startsWith('an unexpected error')) run.services.logger.error(`publish of task ${run.task._id} failed:`, err);
  try {
    const blobs = await run.azure().blobs();
    await blobs.deleteBlob({ container: run.connector.container, blob: run.version.packagingDiskFilename });
    await blobs.deleteBlob({ container: TEMPLATES_CONTAINER, blob: `${run.task._id}.json` });
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
