/** `/oslayer tasks [all]`, the task lines App Home shares, and the task detail modal (View). */
import type { KnownBlock, ModalView, SectionBlock } from '@slack/types';
import type { LayerVersion, Task, TaskStep } from '../src/domain/model.js';
import { VERSION_STATUS_LABEL } from '../src/domain/version-status.js';
import { adviceFor } from '../src/domain/integrity.js';
import {
  button,
  context,
  escapeMrkdwn,
  fieldsSection,
  header,
  joinMrkdwn,
  mention,
  type Message,
  modal,
  mrkdwn,
  type Mrkdwn,
  pageNav,
  pageOf,
  section,
  SLACK_LIMIT,
  slackAgo,
  slackLink,
  slackTime,
  userText,
} from './blocks.js';
import { livePortalLink, progressBar, STATUS_LINE, taskActions, watchedMachine } from './task-message.js';

export const TASK_VIEW_IDS = {
  /** View on a listed task; value: the task id. */
  view: 'tasks_view',
  /** Paging the task list; value: the page number (0-based); the nav block_id says which list. */
  pagePrevious: 'tasks_page_previous',
  pageNext: 'tasks_page_next',
  navOpen: 'tasks_nav_open',
  navAll: 'tasks_nav_all',
  modal: 'task_detail',
} as const;

export type TaskScope = 'open' | 'all';
const TASKS_PER_PAGE = 10;
/** `/oslayer tasks all` reaches back this far. */
export const RECENT_TASKS = 50;

export interface TaskListItem {
  task: Pick<Task, '_id' | 'status' | 'progress' | 'startedBy' | 'createdAt' | 'steps'>;
  layerName?: string;
  versionName?: string;
}

/** One task as a line with its View button (the task list and App Home). */
export function taskSection(item: TaskListItem): SectionBlock {
  const { task } = item;
  const what = mrkdwn`*${userText(item.layerName ?? 'a deleted layer', 100)} › ${userText(item.versionName ?? 'a deleted version', 100)}*`;
  const facts = joinMrkdwn(
    [
      escapeMrkdwn(STATUS_LINE[task.status]),
      task.status === 'running' && task.progress !== undefined && mrkdwn`${Math.round(task.progress)}%`,
      mrkdwn`started by ${mention(task.startedBy)} ${slackAgo(task.createdAt)}`,
    ],
    mrkdwn` · `,
  );
  const last = task.steps.at(-1);
  const text = joinMrkdwn([what, facts, last && mrkdwn`_${userText(last.name, 200)}_`]);
  return { ...section(text), accessory: button('View', TASK_VIEW_IDS.view, { value: task._id }) };
}

/** The open tasks, or the most recent ones of any status, ten per page. */
export function tasksMessage(items: readonly TaskListItem[], opts: { scope: TaskScope; page?: number }): Message {
  const { scope } = opts;
  if (items.length === 0) {
    const text =
      scope === 'open'
        ? mrkdwn`No open tasks: nothing is running or waiting for anyone. \`/oslayer tasks all\` shows the recent ones.`
        : mrkdwn`There are no tasks yet. \`/oslayer add-version\` starts one.`;
    return { text, blocks: [section(text)] };
  }
  const { items: shown, page, pages } = pageOf(items, opts.page ?? 0, TASKS_PER_PAGE);
  const title = scope === 'open' ? `Open tasks (${items.length})` : `The ${items.length} most recent tasks`;
  const blocks: KnownBlock[] = [header(title), ...shown.map((item) => taskSection(item))];
  blocks.push(
    ...pageNav({ previous: TASK_VIEW_IDS.pagePrevious, next: TASK_VIEW_IDS.pageNext }, scope === 'open' ? TASK_VIEW_IDS.navOpen : TASK_VIEW_IDS.navAll, page, pages),
    context(scope === 'open' ? mrkdwn`Running or waiting for someone. \`/oslayer tasks all\` also shows finished ones.` : mrkdwn`Newest first, up to ${RECENT_TASKS}.`),
  );
  return { text: escapeMrkdwn(title), blocks };
}

export interface TaskDetailInput {
  task: Task;
  layerName?: string;
  version?: Pick<
    LayerVersion,
    'name' | 'status' | 'portalLink' | 'lastIntegrity' | 'packagingMachine' | 'maxLayerSizeGb' | 'packagingDiskFilename' | 'machineWatch' | 'windowsUpdates'
  >;
  now: Date;
}

const STEP_ICON: Readonly<Record<TaskStep['status'], string>> = { running: '⏳', done: '✅', failed: '❌', skipped: '➖' };

function when(date: Date): Mrkdwn {
  return slackTime(date, '{date_short_pretty} {time_secs}');
}

function stepLine(s: TaskStep): Mrkdwn {
  const times = s.endedAt ? mrkdwn`${when(s.startedAt)} → ${when(s.endedAt)}` : mrkdwn`since ${when(s.startedAt)}`;
  const detail = s.detail ? mrkdwn`\n      ${userText(s.detail, 400)}` : mrkdwn``;
  return mrkdwn`${escapeMrkdwn(STEP_ICON[s.status])} *${userText(s.name, 200)}* · ${times}${detail}`;
}

/** Every step with its times; when they do not fit one section, the oldest give way to a count. */
function stepsText(steps: readonly TaskStep[]): Mrkdwn {
  const lines = steps.map(stepLine);
  const budget = SLACK_LIMIT.sectionText - 100;
  let dropped = 0;
  while (lines.length > 1 && joinMrkdwn(lines).length > budget) {
    lines.shift();
    dropped++;
  }
  const earlier = dropped > 0 ? mrkdwn`…${dropped} earlier step${dropped === 1 ? mrkdwn`` : mrkdwn`s`}\n` : mrkdwn``;
  return mrkdwn`*Steps*\n${earlier}${joinMrkdwn(lines) || mrkdwn`None yet.`}`;
}

function portalText(version: NonNullable<TaskDetailInput['version']>, now: Date): Mrkdwn | undefined {
  const link = version.portalLink;
  if (!link) return undefined;
  if (link.expiresAt.getTime() <= now.getTime()) return mrkdwn`The portal link expired ${slackAgo(link.expiresAt)}.`;
  return mrkdwn`${slackLink(link.url, 'Create the packaging machine in the Azure portal')} (the link works until ${when(link.expiresAt)})`;
}

function integrityText(version: NonNullable<TaskDetailInput['version']>): Mrkdwn {
  const r = version.lastIntegrity;
  if (!r) return mrkdwn`*Layer integrity*\nNot checked yet.`;
  const head = mrkdwn`*Layer integrity* (checked ${when(r.checkedAt)})`;
  if (r.failure) return mrkdwn`${head}\n:warning: The check itself failed: ${userText(r.failure, 1000)}`;
  if (r.clean) return mrkdwn`${head}\n✅ Clean: nothing blocks finalizing.`;
  return mrkdwn`${head}\n❌ Blocking finalize:\n${joinMrkdwn(adviceFor(r.blocking).map((a) => mrkdwn`• ${userText(a.text, 400)}`))}`;
}

/**
 * The task detail modal: what the task did and when, the portal link while it works, the last
 * integrity result, and the task message's buttons, so a lost message never strands a version.
 */
export function taskDetailModal(input: TaskDetailInput): ModalView {
  const { task, version, now } = input;
  const title = `Add version ${version?.name ?? '(deleted)'} to OS layer ${input.layerName ?? '(deleted)'}`;
  const facts: Array<readonly [string, string]> = [
    ['Status', STATUS_LINE[task.status]],
    ...(version ? ([['Version status', VERSION_STATUS_LABEL[version.status]]] as const) : []),
    ...(version?.packagingMachine ? ([['Packaging machine', `${version.packagingMachine.name} in ${version.packagingMachine.resourceGroup}`]] as const) : []),
  ];
  const blocks: KnownBlock[] = [
    header(title),
    fieldsSection(facts),
    section(mrkdwn`Started by ${mention(task.startedBy)} ${when(task.createdAt)} (${slackAgo(task.createdAt)}) · last changed ${slackAgo(task.updatedAt)}`),
  ];
  if (task.status === 'running' && task.progress !== undefined) blocks.push(section(progressBar(task.progress)));
  if (task.failureReason) blocks.push(section(mrkdwn`*What went wrong:* ${userText(task.failureReason, 2000)}`));
  blocks.push(section(stepsText(task.steps)));
  if (version) {
    const portal = portalText(version, now);
    if (portal) blocks.push(section(portal));
    blocks.push(section(integrityText(version)));
    const actions = taskActions({ task, version, portalLink: livePortalLink(version, now), retryable: task.retryable, machine: watchedMachine(version) });
    if (actions) blocks.push(actions);
  }
  blocks.push(context(mrkdwn`Task \`${escapeMrkdwn(task._id)}\``));
  return modal({ callbackId: TASK_VIEW_IDS.modal, title: 'Task', close: 'Close', blocks });
}
