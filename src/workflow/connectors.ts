/**
 * Platform connector configurations: saving (the client secret encrypted at rest, a blank
 * secret on Edit keeping the stored one) and deleting (refused while anything depends on it).
 */
import { randomUUID } from 'node:crypto';
import type { ConnectorAuth, ConnectorConfig, TaskStatus } from '../domain/model.js';
import { CONNECTOR_FIELD } from '../../views/ids.js';
import type { ConnectorInput, FieldErrors } from '../domain/validation.js';
import { encryptSecret } from '../secrets.js';
import type { Services } from '../services.js';
import { MongoServerError } from 'mongodb';
import { DuplicateKeyError, type Repositories } from '../store/repositories.js';
import { recordAudit } from './audit.js';
import { escapeMrkdwn, mrkdwn, type Mrkdwn } from '../../views/blocks.js';

export type SaveConnectorResult = { ok: true; connector: ConnectorConfig } | { ok: false; errors: FieldErrors };

function nameTakenError(name: string): FieldErrors {
  return { [CONNECTOR_FIELD.connectorName]: `A connector named "${name}" already exists. Choose another name.` };
}

function storedAuth(input: ConnectorInput['auth'], existing: ConnectorConfig | undefined, secretKey: Buffer): ConnectorAuth {
  if (input.kind === 'default-credential') return input;
  if (input.clientSecret !== undefined) {
    return { kind: 'client-secret', clientId: input.clientId, clientSecretEncrypted: encryptSecret(input.clientSecret, secretKey) };
  }
  // parseConnectorForm lets the secret be blank only when a stored one exists.
  if (existing?.auth.kind !== 'client-secret') throw new Error('a client secret is required');
  return { kind: 'client-secret', clientId: input.clientId, clientSecretEncrypted: existing.auth.clientSecretEncrypted };
}

/** New when `existing` is undefined, else an edit of it. The audit entry names fields, never values of secrets. */
export async function saveConnector(
  services: Pick<Services, 'repos' | 'secretKey'>,
  input: ConnectorInput,
  opts: { existing?: ConnectorConfig; actor: string },
): Promise<SaveConnectorResult> {
  const { repos } = services;
  const { existing, actor } = opts;
  const sameName = await repos.connectors.findOne({ name: input.name });
  if (sameName && sameName._id !== existing?._id) return { ok: false, errors: nameTakenError(input.name) };

  const { auth, customEndpoints, ...fields } = input;
  const now = new Date();
  const connector: ConnectorConfig = {
    ...fields,
    ...(customEndpoints ? { customEndpoints } : {}),
    _id: existing?._id ?? randomUUID(),
    auth: storedAuth(auth, existing, services.secretKey),
    createdBy: existing?.createdBy ?? actor,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
    ...(existing?.simulated ? { simulated: true } : {}),
  };
  try {
    if (existing) {
      const { _id, ...changes } = connector;
      // customEndpoints is written even when undefined (stored as null), so a switch to a public cloud drops the old endpoints.
      await repos.connectors.update(_id, { ...changes, customEndpoints: connector.customEndpoints, gallery: connector.gallery });
    } else {
      await repos.connectors.insert(connector);
    }
  } catch (err) {
    if (isDuplicateKey(err)) return { ok: false, errors: nameTakenError(input.name) };
    throw err;
  }
  await recordAudit(repos, {
    actor,
    action: existing ? 'connector.update' : 'connector.create',
    target: `connector:${connector._id}`,
    details: { name: connector.name, secretChanged: auth.kind === 'client-secret' && auth.clientSecret !== undefined },
  });
  return { ok: true, connector };
}

/** insert() reports a taken unique key as DuplicateKeyError; update() passes the driver's error through. */
function isDuplicateKey(err: unknown): boolean {
  return err instanceof DuplicateKeyError || (err instanceof MongoServerError && err.code === 11000);
}

/** Tasks still holding resources or waiting on someone; done and cancelled ones have let go. */
const OPEN_TASK_STATUSES: TaskStatus[] = ['running', 'action-required', 'failed'];

/** Why the connector cannot be deleted now, or undefined. */
export async function connectorInUse(repos: Repositories, connectorId: string): Promise<string | undefined> {
  const layers = await repos.layers.list({ connectorId });
  if (layers.length > 0) {
    const names = layers.slice(0, 3).map((l) => `"${l.name}"`).join(', ');
    const more = layers.length > 3 ? ` and ${layers.length - 3} more` : '';
    return `the disks of OS layer${layers.length === 1 ? '' : 's'} ${names}${more} live in its storage account`;
  }
  const versionIds = (await repos.versions.list({ connectorId })).map((v) => v._id);
  const open = versionIds.length > 0 ? await repos.tasks.list({ versionId: { $in: versionIds }, status: { $in: OPEN_TASK_STATUSES } }) : [];
  if (open.length > 0) return `${open.length} open task${open.length === 1 ? ' uses' : 's use'} it (see \`/oslayer tasks\`)`;
  return undefined;
}

export type DeleteConnectorResult = { ok: true; name: string } | { ok: false; message: Mrkdwn };

export async function deleteConnector(services: Pick<Services, 'repos'>, connectorId: string, actor: string): Promise<DeleteConnectorResult> {
  const { repos } = services;
  const connector = await repos.connectors.get(connectorId);
  if (!connector) return { ok: false, message: mrkdwn`That connector was already deleted.` };
  const inUse = await connectorInUse(repos, connectorId);
  if (inUse) return { ok: false, message: mrkdwn`Connector “${escapeMrkdwn(connector.name)}” was not deleted: ${escapeMrkdwn(inUse)}.` };
  await repos.connectors.remove(connectorId);
  await recordAudit(repos, { actor, action: 'connector.delete', target: `connector:${connectorId}`, details: { name: connector.name } });
  return { ok: true, name: connector.name };
}
