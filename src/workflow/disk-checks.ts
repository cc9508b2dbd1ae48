/**
 * Storage checks a form needs before it can answer: is a packaging disk name still free, is a
 * blob a fixed VHD Azure can import. They run while Slack waits for the view submission's
 * answer (3 s), so each is bounded; a storage account that does not answer in time gets a
 * field error saying so, instead of Slack's own "trouble connecting".
 */
import type { ConnectorConfig } from '../domain/model.js';
import type { Services } from '../services.js';
import { toAzureError } from '../azure/errors.js';
import { VhdFormatError } from '../azure/vhd.js';

/** Leaves room, inside Slack's 3 s, for the store reads before and the answer after. */
const STORAGE_DEADLINE_MS = 2000;

class DeadlineError extends Error {
  override name = 'DeadlineError';
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError()), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

function where(connector: ConnectorConfig): string {
  return `container "${connector.container}" of storage account ${connector.storageAccount}`;
}

/** A sentence for the field when storage could not be asked; never the SDK's raw error. */
function unreachable(err: unknown, connector: ConnectorConfig): string {
  if (err instanceof DeadlineError) {
    return `The storage account ${connector.storageAccount} did not answer within ${STORAGE_DEADLINE_MS / 1000} s. Try again, or run Test on the connector.`;
  }
  return `Could not read the ${where(connector)}: ${toAzureError(err).message}. Run Test on the connector to find out why.`;
}

/** Undefined when `blob` does not exist yet in the connector's container; otherwise why it cannot be used. */
export async function packagingDiskNameProblem(services: Pick<Services, 'azure'>, connector: ConnectorConfig, blob: string): Promise<string | undefined> {
  try {
    const found = await withDeadline(
      services.azure
        .session(connector)
        .blobs()
        .then((blobs) => blobs.blobProperties({ container: connector.container, blob })),
      STORAGE_DEADLINE_MS,
    );
    return found.exists ? `${blob} already exists in the ${where(connector)}. Choose another name, so no disk is overwritten.` : undefined;
  } catch (err) {
    return unreachable(err, connector);
  }
}

export type VhdInspection = { ok: true; sizeBytes: number } | { ok: false; message: string };

/** The blob must exist, be a page blob (Azure imports disks only from those) and end in a valid fixed-VHD footer. */
export async function inspectFixedVhd(services: Pick<Services, 'azure'>, connector: ConnectorConfig, blob: string): Promise<VhdInspection> {
  const ref = { container: connector.container, blob };
  try {
    return await withDeadline(
      (async (): Promise<VhdInspection> => {
        const blobs = await services.azure.session(connector).blobs();
        const props = await blobs.blobProperties(ref);
        if (!props.exists) return { ok: false, message: `There is no ${blob} in the ${where(connector)}. Check the path: it is inside the container, without the container's name.` };
        if (props.type !== 'page') {
          return { ok: false, message: `${blob} is a ${props.type} blob; Azure imports disks only from page blobs. Upload the VHD as a page blob (azcopy --blob-type PageBlob).` };
        }
        try {
          return { ok: true, sizeBytes: (await blobs.readVhdFooter(ref)).currentSize };
        } catch (err) {
          if (err instanceof VhdFormatError) return { ok: false, message: `${blob} is not a fixed VHD Azure can use: ${err.message}.` };
          throw err;
        }
      })(),
      STORAGE_DEADLINE_MS,
    );
  } catch (err) {
    return { ok: false, message: unreachable(err, connector) };
  }
}
