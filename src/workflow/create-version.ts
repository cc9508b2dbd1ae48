import { randomUUID } from 'node:crypto';
import type { LayerVersion, Task } from '../domain/model.js';
import { DuplicateKeyError } from '../store/repositories.js';
import type { Services } from '../services.js';
import { recordAudit } from './audit.js';

export const PUBLISH_JOB = 'publish-packaging-disk';

export interface NewVersionRequest {
  layerId: string;
  name: string;
  description: string;
  baseVersionId: string;
  maxLayerSizeGb: number;
  connectorId: string;
  packagingDiskFilename: string;
  requestedBy: string;
  /** Autopilot's person (see LayerVersion.onBehalfOf). */
  onBehalfOf?: string;
}

export type CreateVersionResult = { ok: true; version: LayerVersion; task: Task } | { ok: false; field: 'name'; message: string };

/**
 * Create Version: the version (publishing), its task, an audit entry, and the publish job with
 * ids only. The version name's uniqueness is enforced by the store's unique index, so two
 * people racing for the same name get one version and one clear refusal.
 */
export async function createVersion(services: Services, req: NewVersionRequest): Promise<CreateVersionResult> {
  const { repos } = services;
  const now = new Date();
  const version: LayerVersion = {
    _id: randomUUID(),
    layerId: req.layerId,
    name: req.name,
    description: req.description,
    baseVersionId: req.baseVersionId,
    maxLayerSizeGb: req.maxLayerSizeGb,
    connectorId: req.connectorId,
    packagingDiskFilename: req.packagingDiskFilename,
    status: 'publishing',
    createdBy: req.requestedBy,
    ...(req.onBehalfOf ? { onBehalfOf: req.onBehalfOf } : {}),
    createdAt: now,
    updatedAt: now,
  };
  try {
    await repos.versions.insert(version);
  } catch (err) {
    if (!(err instanceof DuplicateKeyError)) throw err;
    const layer = await repos.layers.get(req.layerId);
    return { ok: false, field: 'name', message: `Version ${req.name} already exists in layer ${layer?.name ?? req.layerId}. Choose another name.` };
  }
  const task: Task = {
    _id: randomUUID(),
    kind: 'add-version',
    layerId: req.layerId,
    versionId: version._id,
    status: 'running',
    steps: [{ name: 'Version created', status: 'done', startedAt: now, endedAt: now }],
    startedBy: req.requestedBy,
    createdAt: now,
    updatedAt: now,
  };
  await repos.tasks.insert(task);
  await recordAudit(repos, {
    actor: req.requestedBy,
    action: 'version.create',
    target: `version:${version._id}`,
    details: { layerId: req.layerId, version: req.name, connectorId: req.connectorId, maxLayerSizeGb: req.maxLayerSizeGb },
  });
  await services.scheduler.agenda.now(PUBLISH_JOB, { taskId: task._id });
  return { ok: true, version, task };
}
