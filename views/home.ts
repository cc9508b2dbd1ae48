/** App Home: the layers with their versions, the open tasks and the connectors; buttons only for what the viewer may do. */
import type { ActionsBlockElement, HomeView, KnownBlock, SectionBlock } from '@slack/types';
import type { LayerVersion, OsLayer, Role } from '../src/domain/model.js';
import { ROLE_LABELS } from '../src/domain/permissions.js';
import { VERSION_STATUS_LABEL } from '../src/domain/version-status.js';
import { actions, button, context, divider, escapeMrkdwn, header, joinMrkdwn, mrkdwn, newest, section, userText } from './blocks.js';
import { ACTION } from './ids.js';
import { taskSection, type TaskListItem } from './tasks.js';
import { OPERATIONS_ACTIONS } from './operations.js';

export const HOME_ACTIONS = {
  /** Administrators: the connector list, with its New/Edit/Test/Delete, in a modal (the app sends no DMs). */
  manageConnectors: 'home_manage_connectors',
  roles: 'home_roles',
} as const;

const HOME_BLOCK = { adminActions: 'home_admin_actions', layerActions: 'home_layer_actions' } as const;

/** With these caps the Home stays under Slack's 100 blocks whatever the store holds. */
export const HOME_LAYERS_SHOWN = 30;
export const HOME_TASKS_SHOWN = 30;
const VERSIONS_PER_LAYER = 5;

export interface HomeLayer {
  layer: Pick<OsLayer, '_id' | 'name' | 'createdAt'>;
  versions: ReadonlyArray<Pick<LayerVersion, 'name' | 'status' | 'createdAt'>>;
}

export interface HomeInput {
  role: Role;
  can: { addVersion: boolean; manageConnectors: boolean; manageRoles: boolean; operateJobs: boolean };
  layers: readonly HomeLayer[];
  openTasks: readonly TaskListItem[];
  connectorNames: readonly string[];
}

function layerSection({ layer, versions }: HomeLayer, canAddVersion: boolean): SectionBlock {
  const { shown, omitted } = newest(versions, VERSIONS_PER_LAYER);
  const lines = [
    mrkdwn`*${userText(layer.name, 150)}*`,
    ...(shown.length === 0 ? [mrkdwn`No versions yet.`] : shown.map((v) => mrkdwn`• ${userText(v.name, 100)} — ${escapeMrkdwn(VERSION_STATUS_LABEL[v.status])}`)),
    omitted > 0 && mrkdwn`…and ${omitted} older version${omitted === 1 ? mrkdwn`` : mrkdwn`s`}`,
  ];
  const block = section(joinMrkdwn(lines));
  return canAddVersion ? { ...block, accessory: button('Add version', ACTION.layersAddVersion, { value: layer._id }) } : block;
}

function more(count: number, noun: string, command: string): KnownBlock[] {
  return count > 0 ? [context(mrkdwn`…and ${count} more ${escapeMrkdwn(noun)}, see \`/oslayer ${escapeMrkdwn(command)}\``)] : [];
}

export function homeView(input: HomeInput): HomeView {
  const { can } = input;
  const canDoMore = input.role === 'read-only' ? mrkdwn` You can list and view; an Administrator can give you more with \`/oslayer roles\`.` : mrkdwn``;
  const blocks: KnownBlock[] = [context(mrkdwn`You are *${escapeMrkdwn(ROLE_LABELS[input.role])}*.${canDoMore}`)];

  blocks.push(header('OS layers'));
  const layers = newest(input.layers.map((l) => ({ ...l, createdAt: l.layer.createdAt })), HOME_LAYERS_SHOWN);
  if (layers.shown.length === 0) blocks.push(section(mrkdwn`There are no OS layers yet.`));
  blocks.push(...layers.shown.map((l) => layerSection(l, can.addVersion)), ...more(layers.omitted, 'layers', 'layers'));
  if (can.addVersion) blocks.push(actions(HOME_BLOCK.layerActions, [button('Import OS Layer', ACTION.layersImport)]));

  blocks.push(divider, header('Open tasks'));
  const tasks = input.openTasks.slice(0, HOME_TASKS_SHOWN);
  if (tasks.length === 0) blocks.push(section(mrkdwn`No open tasks: nothing is running or waiting for anyone.`));
  blocks.push(...tasks.map((t) => taskSection(t)), ...more(input.openTasks.length - tasks.length, 'open tasks', 'tasks'));

  blocks.push(divider, header('Platform connectors'));
  blocks.push(section(input.connectorNames.length > 0 ? joinMrkdwn(input.connectorNames.map((n) => mrkdwn`• ${userText(n, 200)}`)) : mrkdwn`No connectors yet.`));

  const admin: ActionsBlockElement[] = [
    ...(can.manageConnectors ? [button('Manage connectors', HOME_ACTIONS.manageConnectors)] : []),
    ...(can.manageRoles ? [button('Roles', HOME_ACTIONS.roles)] : []),
    ...(can.operateJobs ? [button('Operations', OPERATIONS_ACTIONS.open)] : []),
  ];
  if (admin.length > 0) blocks.push(actions(HOME_BLOCK.adminActions, admin));
  return { type: 'home', blocks };
}
