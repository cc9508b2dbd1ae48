/**
 * Finalize's vocabulary, shared by its listener, its job and the cleanup: the step names (a
 * restarted job skips the ones recorded done), the claim that makes Finalize and Cancel
 * exclusive, and where the new version's VHD goes.
 */
import { slug } from '../domain/blob-name.js';
import type { LayerVersion, OsLayer } from '../domain/model.js';

export const FINALIZE_JOB = 'finalize-version';
export const CANCEL_JOB = 'cancel-task';

export const FINALIZE_STEP = {
  grant: "Granted read access to the packaging machine's OS disk",
  copy: 'Copied the OS disk into the layer store',
  verify: "Verified the new VHD's footer",
  revoke: 'Revoked access to the OS disk',
  deleteMachine: 'Deleted the packaging machine with its network interface and public IP (if it had one)',
  deleteDisks: 'Deleted the OS disk, the packaging disk and the template',
} as const;

/** Finalize's step between revoke and the machine's deletion, on a connector with a Compute Gallery only. */
export const GALLERY_STEP = 'Published the image version to the Compute Gallery, excluded from latest';

/**
 * One key per version for the end of its task: Finalize and Cancel both claim it, so exactly one
 * of them ever runs, however many people click. The owner says which (`finalize:U…`/`cancel:U…`).
 */
export const endClaimKey = (versionId: string): string => `finalize:${versionId}`;
/** Keeps two Cancel clicks from cancelling twice. */
export const cancelClaimKey = (versionId: string): string => `cancel:${versionId}`;

export type EndClaimOwner = 'finalize' | 'cancel';

export function endClaimOwner(kind: EndClaimOwner, userId: string): string {
  return `${kind}:${userId}`;
}

/** Where Finalize puts the new version's VHD in the connector's container: `<layer>/<version>.vhd`. */
export function versionVhdBlob(layer: Pick<OsLayer, 'name'>, version: Pick<LayerVersion, 'name'>): string {
  return `${slug(layer.name, 'layer')}/${slug(version.name, 'version')}.vhd`;
}
