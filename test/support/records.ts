/**
 * Store records for tests that need a layer, versions, tasks or connectors without running
 * the workflow, and the roles as users. Every builder takes overrides.
 */
import { randomUUID } from 'node:crypto';
import type { ConnectorConfig, LayerVersion, OsLayer, Role, Task } from '../../src/domain/model.js';
import type { Repositories } from '../../src/store/repositories.js';
import { GIB } from '../../src/azure/vhd.js';
import { interactionBody } from '../../src/sandbox/slack/signature.js';
import type { TestBot } from './bot.js';
import { interactionSender } from './slack-payloads.js';

/** One user per role: UADMIN1 is the test bot's bootstrap admin; the others get theirs from `grantRoles`. */
export const USERS: Readonly<Record<Role, string>> = { administrator: 'UADMIN1', 'manage-os-layers': 'UMANAGER1', approver: 'UAPPROVER1', 'read-only': 'UREADER1' };

export async function grantRoles(repos: Repositories): Promise<void> {
  await repos.roles.insert({ _id: USERS['manage-os-layers'], role: 'manage-os-layers', assignedBy: USERS.administrator, at: new Date() });
  await repos.roles.insert({ _id: USERS.approver, role: 'approver', assignedBy: USERS.administrator, at: new Date() });
}

export function daysAgo(days: number, from = new Date()): Date {
  return new Date(from.getTime() - days * 24 * 3600 * 1000);
}

export function connectorRecord(fields: Partial<ConnectorConfig> = {}): ConnectorConfig {
  const now = new Date();
  return {
    _id: randomUUID(),
    name: `connector-${randomUUID().slice(0, 6)}`,
    cloud: 'AzureCloud',
    tenantId: '00000000-0000-0000-0000-000000000001',
    subscriptionId: '00000000-0000-0000-0000-000000000002',
    auth: { kind: 'default-credential' },
    resourceGroup: 'rg-layers',
    storageAccount: 'stlayers',
    container: 'layers',
    location: 'westeurope',
    subnetId: '/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s',
    vmSize: 'Standard_A2_v2',
    createdBy: USERS.administrator,
    createdAt: now,
    updatedAt: now,
    ...fields,
  };
}

export function layerRecord(fields: Partial<OsLayer> & Pick<OsLayer, 'connectorId'>): OsLayer {
  return { _id: randomUUID(), name: `layer-${randomUUID().slice(0, 6)}`, description: '', osType: 'Windows', vmGeneration: 'V2', createdBy: USERS.administrator, createdAt: new Date(), ...fields };
}

export function versionRecord(fields: Partial<LayerVersion> & Pick<LayerVersion, 'layerId' | 'connectorId'>): LayerVersion {
  const now = new Date();
  return {
    _id: randomUUID(),
    name: `v-${randomUUID().slice(0, 6)}`,
    description: '',
    maxLayerSizeGb: 100,
    packagingDiskFilename: 'packaging.vhd',
    status: 'action-required',
    createdBy: USERS['manage-os-layers'],
    createdAt: now,
    updatedAt: now,
    ...fields,
  };
}

export function taskRecord(fields: Partial<Task> & Pick<Task, 'layerId' | 'versionId'>): Task {
  const now = new Date();
  return {
    _id: randomUUID(),
    kind: 'add-version',
    status: 'action-required',
    steps: [{ name: 'Version created', status: 'done', startedAt: now, endedAt: now }],
    startedBy: USERS['manage-os-layers'],
    createdAt: now,
    updatedAt: now,
    ...fields,
  };
}

/** A connector, a layer and one version of it with its task: what most tests start from. */
export async function seedTask(
  repos: Repositories,
  opts: { layer?: Partial<OsLayer>; version?: Partial<LayerVersion>; task?: Partial<Task> } = {},
): Promise<{ connector: ConnectorConfig; layer: OsLayer; version: LayerVersion; task: Task }> {
  const connector = connectorRecord();
  await repos.connectors.insert(connector);
  const layer = layerRecord({ connectorId: connector._id, ...opts.layer });
  await repos.layers.insert(layer);
  const version = versionRecord({ layerId: layer._id, connectorId: connector._id, ...opts.version });
  await repos.versions.insert(version);
  const task = taskRecord({ layerId: layer._id, versionId: version._id, ...opts.task });
  await repos.tasks.insert(task);
  return { connector, layer, version, task };
}

/** A layer on `connectorId` whose latest version is a deployable base, stored: `disk` names its VHD, `sizeGb` its size. */
export async function insertLayerWithBase(
  repos: Repositories,
  opts: { connectorId: string; layerName: string; baseName: string; disk: string; sizeGb: number },
): Promise<{ layer: OsLayer; base: LayerVersion }> {
  const { connectorId, disk, sizeGb } = opts;
  const layer = layerRecord({ name: opts.layerName, connectorId });
  const base = versionRecord({
    layerId: layer._id,
    connectorId,
    name: opts.baseName,
    maxLayerSizeGb: sizeGb,
    packagingDiskFilename: disk,
    status: 'deployable',
    diskUri: disk,
    diskSizeBytes: sizeGb * GIB,
    createdBy: USERS.administrator,
  });
  await repos.layers.insert({ ...layer, latestVersionId: base._id });
  await repos.versions.insert(base);
  return { layer, base };
}

/** The Events API envelope Slack sends when `user` opens the app's Home tab. */
export async function openHome(t: TestBot, user: string): Promise<Record<string, unknown>> {
  const before = t.slack.calls.length;
  const body = JSON.stringify({
    type: 'event_callback',
    team_id: 'TLOCAL',
    api_app_id: 'AOSLAYER',
    event: { type: 'app_home_opened', user, channel: `D${user}`, tab: 'home', event_ts: `${Date.now() / 1000}` },
    event_id: `Ev${randomUUID().slice(0, 8)}`,
    event_time: Math.floor(Date.now() / 1000),
  });
  await t.post(body, { 'content-type': 'application/json' });
  const call = await t.slack.waitForCall('views.publish', (c) => c.args.user_id === user && t.slack.calls.indexOf(c) >= before);
  return call.args.view as Record<string, unknown>;
}

/** Clicks a button on the user's Home tab (a block_actions payload from a `home` view, as Slack sends it). */
export async function clickInHome(t: TestBot, user: string, actionId: string, value?: string): Promise<void> {
  const home = t.slack.homeView(user);
  if (!home) throw new Error(`${user} has no Home tab published`);
  await t.post(
    interactionBody({
      type: 'block_actions',
      ...interactionSender(user, t.slack.issueTrigger(user)),
      container: { type: 'view', view_id: home.id },
      view: home.view,
      actions: [{ type: 'button', action_id: actionId, block_id: 'b', ...(value !== undefined ? { value } : {}), action_ts: `${Date.now() / 1000}` }],
    }),
  );
}
