/** The list messages (`/oslayer layers`, `/oslayer connectors`) and their pages, built from the store. */
import type { Role } from '../domain/model.js';
import { allows } from '../domain/permissions.js';
import type { Repositories } from '../store/repositories.js';
import type { Message } from '../../views/blocks.js';
import { connectorListMessage } from '../../views/connector-list.js';
import { layersMessage } from '../../views/layers.js';

export async function layersListMessage(repos: Repositories, role: Role, page = 0): Promise<Message> {
  const [layers, versions, connectors] = await Promise.all([repos.layers.list(), repos.versions.list(), repos.connectors.list()]);
  const connectorName = new Map(connectors.map((c) => [c._id, c.name]));
  const items = layers.map((layer) => ({
    layer,
    versions: versions.filter((v) => v.layerId === layer._id),
    connectorName: connectorName.get(layer.connectorId),
  }));
  return layersMessage(items, { page, canManage: allows(role, 'add-version'), canSetPolicy: allows(role, 'set-approval-policy') });
}

export async function connectorsListMessage(repos: Repositories, role: Role, page = 0): Promise<Message> {
  const connectors = await repos.connectors.list({}, { sort: { name: 1 } });
  return connectorListMessage(connectors, { page, canManage: allows(role, 'manage-connectors') });
}
