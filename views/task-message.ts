import type { KnownBlock, Button, ActionsBlock, ConfirmationDialog } from '@slack/types';
import type { RunOnceEntry } from '../src/domain/integrity.js';
import type { LayerVersion, MachineState, OsLayer, Task, VersionStatus } from '../src/domain/model.js';
import { VERSION_STATUS_LABEL } from '../src/domain/version-status.js';
import { type Message, confirmDialog, context, escapeMrkdwn, header, joinMrkdwn, mention, type Mrkdwn, mrkdwn, section, slackAgo, slackTime, truncate, userText } from './blocks.js';
import { connectText } from './machine-connect.js';
import { updateRunBlocks } from './windows-updates.js';

/** action_ids of the task message's buttons; the value of each is the task id. */
export const TASK_ACTIONS = {
  createMachine: 'task_create_machine',
  deployForMe: 'task_deploy_for_me',
  shutdownForFinalize: 'task_shutdown_for_finalize',
  finalize: 'task_finalize',
  cancel: 'task_cancel',
  retry: 'task_retry',
  checkAgain: 'task_check_again',
  reboot: 'task_reboot_machine',
  expediteNgen: 'task_expedite_ngen',
  ngenUpdateForce: 'task_ngen_update_force',
  runOnceRun: 'task_runonce_run',
  runOnceRemove: 'task_runonce_remove',
  cleanUp: 'task_clean_up',
  installUpdates: 'task_install_updates',
  retryUpdates: 'task_retry_updates',
  excludeKbAndContinue: 'task_exclude_kb_continue',
  stopUpdates: 'task_stop_updates',
  promote: 'task_promote',
  rollBack: 'task_roll_back',
  autopilotRetry: 'task_autopilot_retry',
} as const;

export interface TaskMessageInput {
  task: Task;
  layer: Pick<OsLayer, 'name'>;
  version: Pick<
    LayerVersion,
    'name' | 'status' | 'maxLayerSizeGb' | 'packagingDiskFilename' | 'packagingMachine' | 'lastIntegrity' | 'windowsUpdates' | 'baseInventory' | 'baseInventoryFailure' | 'galleryImage'
  >;
  /** The portal's Custom deployment link while its SAS is valid. */
  portalLink?: string;
  /** What Azure rights the person opening the portal link needs, in a sentence. */
  portalRights?: string;
  /** Blocking integrity conditions, already worded for people, with the remedy each offers. */
  blocking?: Array<{ text: string; remedy?: 'reboot' | 'expedite-ngen' | 'runonce' }>;
  /** The RunOnce entries the last check found, shown by name under the RunOnce condition. */
  runOnceEntries?: RunOnceEntry[];
  /** Why the last integrity check could not give an answer (never shown as clean). */
  integrityFailure?: string;
  /** When the integrity check behind `blocking` / `integrityFailure` ran. */
  checkedAt?: Date;
  /** The packaging machine as the watch last saw it. */
  machine?: { state: MachineState; agentReady?: boolean; agentSilent?: boolean };
  retryable?: boolean;
  /** The task's autopilot run, when it stopped: the step (as its Retry names it) and why. */
  autopilotStopped?: { step: string; reason: Mrkdwn };
  /** The step an autopilot run of this task is on, while it runs. */
  autopilotAt?: string;
  simulated?: boolean;
  now?: Date;
}

/** How each task status reads, with its emoji (task message, task list, task modal). */
export const STATUS_LINE: Record<Task['status'], string> = {
  running: ':hourglass_flowing_sand: Running',
  'action-required': ':raising_hand: Action Required',
  done: ':white_check_mark: Done',
  failed: ':x: Failed',
  cancelled: ':no_entry_sign: Cancelled',
};

const VERSION_EMOJI: Record<VersionStatus, string> = {
  publishing: ':hourglass_flowing_sand:',
  'action-required': ':raising_hand:',
  checking: ':mag:',
  'ready-to-finalize': ':checkered_flag:',
  finalizing: ':package:',
  deployable: ':white_check_mark:',
  published: ':frame_with_picture:',
  failed: ':x:',
  cancelled: ':no_entry_sign:',
};

/** What the task message's headline and status line say: where the version is now, not just whether the task waits or runs. */
export function versionHeadline(status: VersionStatus): string {
  return `${VERSION_EMOJI[status]} ${VERSION_STATUS_LABEL[status]}`;
}

export function progressBar(percent: number, width = 20): Mrkdwn {
  const p = Math.max(0, Math.min(100, Math.round(percent)));
  const filled = Math.round((p / 100) * width);
  return mrkdwn`\`${escapeMrkdwn('█'.repeat(filled) + '░'.repeat(width - filled))}\` ${p}%`;
}

function button(text: string, actionId: string, value: string, extra: Partial<Button> = {}): Button {
  return { type: 'button', text: { type: 'plain_text', text, emoji: true }, action_id: actionId, value, ...extra };
}

/**
 * The confirm dialog of every button that deletes or disrupts something (DESIGN §10), saying in
 * plain words what will happen; Slack shows a confirm dialog as plain text.
 */
const CONFIRM = {
  /** Before the layer is verified Finalize also says the check and the shutdown come first. */
  finalize: (checkFirst: boolean) =>
    confirmDialog(
      'Finalize this version?',
      `${checkFirst ? 'I check the layer first; if nothing is pending, I shut the machine down and finalize. ' : ''}` +
        'The packaging machine will be deleted once its disk has been copied into the layer store. Anything not on its OS disk is lost.',
      'Finalize',
      { style: 'danger', deny: 'Not yet' },
    ),
  cancel: confirmDialog(
    'Cancel this version?',
    'Everything created for this task in Azure (the packaging disk, the packaging machine with its disks, and the machine template) will be deleted, and the version cannot be finalized any more.',
    'Cancel version',
    { style: 'danger' },
  ),
  rollBack: (versionName: string) =>
    confirmDialog(
      'Roll back?',
      `Image version ${versionName} is excluded from latest and the previous promoted version becomes latest again. New hosts built from "latest" get the previous image. Nothing is deleted.`,
      'Roll back',
      { style: 'danger' },
    ),
  cleanUp: confirmDialog(
    'Delete what is left in Azure?',
    'The packaging machine, its OS disk, network interface and public IP, the packaging disk, the machine template and, if Finalize made one, its gallery image version will be deleted. Anything on the machine is lost.',
    'Delete them',
    { style: 'danger' },
  ),
  reboot: confirmDialog(
    'Restart the packaging machine?',
    'The machine restarts through Azure now. Whoever is connected to it is disconnected, and anything not saved on it is lost.',
    'Restart it',
    { deny: 'Not now' },
  ),
  shutdownForFinalize: confirmDialog(
    'Check and shut down the machine?',
    "I run NGen's queued work, then check the layer on the packaging machine; if nothing is pending, I shut it down (deallocate it) so it can be finalized. Whoever is connected is disconnected, and anything not saved on it is lost.",
    'Check and shut down',
    { deny: 'Not now' },
  ),
  ngenUpdateForce: confirmDialog(
    'Recompile all .NET images?',
    'ngen update /force recompiles every native image on the machine and can take up to an hour. Do not restart the machine while it runs.',
    'Run it',
    { deny: 'Not now' },
  ),
  runOnceRun: confirmDialog(
    'Run RunOnce entries?',
    "Each listed command runs once now, as SYSTEM, not at a user's logon as it would with a person signed in. RunOnce entries are removed before they run (\"!\" entries after), as Windows does; of RunOnceEx only the listed entries run.",
    'Run them once',
    { deny: 'Not now' },
  ),
  runOnceRemove: confirmDialog(
    'Remove RunOnce entries?',
    'The listed entries are deleted without running. Whatever they would have done will not happen.',
    'Remove them',
    { style: 'danger', deny: 'Not now' },
  ),
} as const;

/** The portal link while its SAS still works, else nothing (an expired link only leads to an error page). */
export function livePortalLink(version: Pick<LayerVersion, 'portalLink'>, now: Date): string | undefined {
  const link = version.portalLink;
  return link && link.expiresAt.getTime() > now.getTime() ? link.url : undefined;
}

/** What the task's buttons depend on; the task message and the task detail modal carry the same ones. */
export type TaskActionsInput = Pick<TaskMessageInput, 'task' | 'version' | 'portalLink' | 'retryable' | 'machine' | 'autopilotStopped'>;

/** The packaging machine as the watch last saw it: what decides the buttons that need it running. */
export function watchedMachine(version: Pick<LayerVersion, 'machineWatch'>): TaskMessageInput['machine'] {
  const watch = version.machineWatch;
  return watch ? { state: watch.state, agentReady: watch.agentReady, agentSilent: watch.agentSilenceReported } : undefined;
}

/** Whether the watch has seen the packaging machine: creating one is offered until then, and again if it was deleted. */
function machineExists(machine: TaskMessageInput['machine']): boolean {
  return machine !== undefined && machine.state !== 'not-created' && machine.state !== 'gone';
}

/**
 * The machine is running with its agent ready, no update run is under way, and what it had
 * installed before any change has been read (until then it is busy reading it for the changelog).
 */
function machineFreeForUpdates({ machine, version }: TaskActionsInput): boolean {
  const up = machine?.state === 'running' && machine.agentReady !== false;
  return up && version.windowsUpdates?.status !== 'running' && !readingBaseInventory({ machine, version });
}

/** The base inventory is read as soon as the machine is ready (the watch schedules it), and only once. */
function readingBaseInventory({ machine, version }: Pick<TaskActionsInput, 'machine' | 'version'>): boolean {
  return machine?.state === 'running' && machine.agentReady === true && !version.baseInventory && !version.baseInventoryFailure;
}

function actionButtons(input: TaskActionsInput): Button[] {
  const id = input.task._id;
  const status = input.version.status;
  const buttons: Button[] = [];
  if (status === 'action-required') {
    const noMachine = !machineExists(input.machine);
    if (noMachine && input.portalLink) buttons.push(button('Create Packaging Machine', TASK_ACTIONS.createMachine, id, { url: input.portalLink, style: 'primary' }));
    buttons.push(button('Finalize', TASK_ACTIONS.finalize, id, { confirm: CONFIRM.finalize(true) }));
    if (noMachine) buttons.push(button('Deploy for me', TASK_ACTIONS.deployForMe, id));
    if (machineFreeForUpdates(input)) buttons.push(button('Install updates', TASK_ACTIONS.installUpdates, id));
    buttons.push(button('Shutdown for Finalize', TASK_ACTIONS.shutdownForFinalize, id, { confirm: CONFIRM.shutdownForFinalize }));
  }
  if (status === 'ready-to-finalize') buttons.push(button('Finalize', TASK_ACTIONS.finalize, id, { style: 'primary', confirm: CONFIRM.finalize(false) }));
  // A stopped autopilot run's Retry (its own block) goes on after the step too; one Retry is shown.
  if (status === 'failed' && input.retryable && !input.autopilotStopped) buttons.push(button('Retry', TASK_ACTIONS.retry, id, { style: 'primary' }));
  if (['publishing', 'action-required', 'ready-to-finalize', 'failed'].includes(status)) {
    buttons.push(button('Cancel', TASK_ACTIONS.cancel, id, { confirm: CONFIRM.cancel }));
  }
  if (offersCleanUp(input)) buttons.push(button('Clean up', TASK_ACTIONS.cleanUp, id, { style: 'danger', confirm: CONFIRM.cleanUp }));
  buttons.push(...galleryButtons(input.version, id));
  return buttons;
}

/** Promote while the published image version waits for approval; Roll back while it is the promoted latest. */
export function galleryButtons(version: Pick<LayerVersion, 'status' | 'galleryImage'>, taskId: string): Button[] {
  const image = version.galleryImage;
  if (version.status !== 'published' || !image || image.rolledBackAt) return [];
  if (image.excludeFromLatest && !image.promotedAt) return [button('Promote', TASK_ACTIONS.promote, taskId, { style: 'primary' })];
  if (!image.excludeFromLatest && image.promotedAt) return [button('Roll back', TASK_ACTIONS.rollBack, taskId, { confirm: CONFIRM.rollBack(image.versionName) })];
  return [];
}

/** The task's buttons as one actions block, or none when nothing can be done. */
export function taskActions(input: TaskActionsInput): ActionsBlock | undefined {
  const buttons = actionButtons(input);
  if (buttons.length === 0) return undefined;
  return { type: 'actions', block_id: `task_actions_${input.task._id}`.slice(0, 255), elements: buttons };
}

/**
 * A task that ended with a problem while its packaging machine may still be in Azure (kept so
 * the admin can look first, or a cleanup that could not finish): the machine is named until it is deleted.
 */
function offersCleanUp({ task, version }: Pick<TaskMessageInput, 'task' | 'version'>): boolean {
  return Boolean(version.packagingMachine && task.failureReason && (version.status === 'failed' || version.status === 'cancelled'));
}

/**
 * The step under way, or the one that failed, in words; a finished step says nothing more than
 * the status and the next-step text already do, so none is shown once the task waits or ends.
 */
function stepLine(task: Pick<Task, 'steps' | 'status'>): Mrkdwn | undefined {
  const last = task.steps.at(-1);
  if (!last || (last.status !== 'running' && last.status !== 'failed')) return undefined;
  if (last.status === 'running' && task.status !== 'running') return undefined;
  const detail = last.detail ? mrkdwn`: ${escapeMrkdwn(last.detail)}` : mrkdwn``;
  return last.status === 'running' ? mrkdwn`${escapeMrkdwn(last.name)}${detail}` : mrkdwn`${escapeMrkdwn(last.name)} failed${detail}`;
}

/** While autopilot works, the message says so instead of asking anyone to act. */
const AUTOPILOT_WORKS_ON: readonly VersionStatus[] = ['publishing', 'action-required', 'checking', 'ready-to-finalize', 'finalizing'];

function nextStepText(input: TaskMessageInput): Mrkdwn | undefined {
  if (input.autopilotAt && AUTOPILOT_WORKS_ON.includes(input.version.status)) {
    return mrkdwn`:robot_face: *Autopilot is building this version*, now at: ${escapeMrkdwn(input.autopilotAt)}. Each step shows in the thread, and it ends at the approval request. The buttons below are for a person taking over; *Cancel* ends the run and deletes what it made.`;
  }
  const who = mention(input.task.startedBy);
  switch (input.version.status) {
    case 'action-required': {
      const finalize = mrkdwn`Click *Finalize*: I check that no reboot, installer or NGen work is pending, shut the machine down and turn its disk into the new version, then delete the machine. (Or click *Shutdown for Finalize* to check and shut down now, and *Finalize* later.)`;
      const install = mrkdwn`Connect to the machine with the user name and password of the layer's original OS machine, and install the updates and applications this version should contain. Restart it yourself when an installer asks; it will not restart on its own.`;
      if (machineExists(input.machine)) return joinMrkdwn([mrkdwn`${who}, the packaging machine is created and waiting for you.`, mrkdwn`1. ${install}`, mrkdwn`2. ${finalize}`]);
      return joinMrkdwn([
        mrkdwn`${who}, the packaging disk is published to Azure and waiting for you.`,
        mrkdwn`1. *Create Packaging Machine* opens the Azure portal's Custom deployment with the machine's settings filled in as defaults (sign in to the subscription first; the portal asks where to deploy), or click *Deploy for me* and I create it.`,
        input.portalRights ? mrkdwn`   ${escapeMrkdwn(input.portalRights)}` : undefined,
        mrkdwn`2. ${install}`,
        mrkdwn`3. ${finalize}`,
      ]);
    }
    case 'checking':
      return mrkdwn`Finalize is checking the layer on the packaging machine. If nothing is pending, the machine is shut down and the version finalized; otherwise what blocks it shows here.`;
    case 'ready-to-finalize':
      return mrkdwn`${who}, the machine passed the layer integrity check and is shut down. Click *Finalize* to turn its disk into the new version; the machine is then deleted so it costs nothing more.`;
    case 'deployable':
      return mrkdwn`${who}, version *${escapeMrkdwn(input.version.name)}* is deployable and is now the layer's latest version.`;
    case 'published':
      return galleryText(input.version);
    default:
      return undefined;
  }
}

function galleryText(version: Pick<LayerVersion, 'name' | 'galleryImage'>): Mrkdwn | undefined {
  const image = version.galleryImage;
  if (!image) return undefined;
  const regions = escapeMrkdwn(image.regions.map((r) => `${r.region} ${r.state === 'Completed' ? 'replicated' : r.state.toLowerCase()}`).join(', '));
  const mapping = mrkdwn`Version *${escapeMrkdwn(version.name)}* is image version \`${escapeMrkdwn(image.versionName)}\` in the Compute Gallery (${regions}).`;
  if (image.rolledBackAt) return mrkdwn`${mapping} It was rolled back by ${mention(image.rolledBackBy ?? '')} and is excluded from latest.`;
  if (image.promotedAt) return mrkdwn`${mapping} *Latest:* promoted by ${mention(image.promotedBy ?? '')}.`;
  const rule = image.policy === 'two-person' ? mrkdwn`someone other than its creator with the Approve Versions permission` : mrkdwn`anyone with the Approve Versions permission`;
  const expires = image.approvalExpiresAt ? mrkdwn` The request expires ${escapeMrkdwn(image.approvalExpiresAt.toISOString().slice(0, 10))}.` : mrkdwn``;
  return mrkdwn`${mapping} It is *excluded from latest* until ${rule} clicks *Promote*.${expires}`;
}

/** The one channel message a task is shown as; rebuilt from the records on every update. */
export function taskMessage(input: TaskMessageInput): Message {
  const { task, layer, version } = input;
  const title = `Add version ${version.name} to OS layer ${layer.name}`;
  const step = stepLine(task);
  const blocks: KnownBlock[] = [header(title), section(joinMrkdwn([mrkdwn`*${escapeMrkdwn(versionHeadline(version.status))}*`, step]))];
  if (task.status === 'running' && task.progress !== undefined) blocks.push(section(progressBar(task.progress)));
  // The version's status is written a moment before the task's: a render in between must already
  // say why the version failed, not show "Failed" alone.
  const ended = (s: string) => s === 'failed' || s === 'cancelled';
  if ((ended(task.status) || ended(version.status)) && task.failureReason) {
    blocks.push(section(mrkdwn`*What went wrong:* ${escapeMrkdwn(task.failureReason)}`));
  }
  if (offersCleanUp(input)) {
    blocks.push(
      section(mrkdwn`The packaging machine \`${escapeMrkdwn(version.packagingMachine!.name)}\` and what was made for it may still be in Azure, kept for you to look at. *Clean up* deletes them.`),
    );
  }
  const next = nextStepText(input);
  if (next) blocks.push(section(next));
  const machine = machineLine(input);
  if (machine) blocks.push(section(machine));
  if (version.windowsUpdates && ['action-required', 'ready-to-finalize'].includes(version.status)) {
    blocks.push(...updateRunBlocks(task._id, version.windowsUpdates, version.status === 'action-required', {
        retry: TASK_ACTIONS.retryUpdates,
        excludeAndContinue: TASK_ACTIONS.excludeKbAndContinue,
        stop: TASK_ACTIONS.stopUpdates,
      }));
  }
  if (version.status === 'action-required') blocks.push(...integrityBlocks(task._id, input));
  if (input.autopilotStopped) blocks.push(...autopilotStoppedBlocks(task._id, input.autopilotStopped));
  const actions = taskActions(input);
  if (actions) blocks.push(actions);
  const facts = joinMrkdwn(
    [
      mrkdwn`Started by ${mention(task.startedBy)} ${slackTime(task.createdAt)}`,
      mrkdwn`last changed ${slackAgo(task.updatedAt)}`,
      mrkdwn`max layer size ${version.maxLayerSizeGb} GiB`,
      mrkdwn`packaging disk \`${escapeMrkdwn(version.packagingDiskFilename)}\``,
      version.packagingMachine && mrkdwn`machine \`${escapeMrkdwn(version.packagingMachine.name)}\``,
      input.simulated && mrkdwn`:test_tube: simulated Azure (sandbox): nothing here is real or billed`,
    ],
    mrkdwn` · `,
  );
  blocks.push(context(facts));
  // The notification text stays well under chat.update's 4,000 characters whatever the names.
  return { text: mrkdwn`${userText(title, 500)}: ${escapeMrkdwn(VERSION_STATUS_LABEL[version.status])}`, blocks };
}

/** A stopped autopilot run: what failed, Retry from its step (Cancel is with the task's buttons). */
function autopilotStoppedBlocks(taskId: string, stopped: { step: string; reason: Mrkdwn }): KnownBlock[] {
  return [
    section(mrkdwn`:octagonal_sign: *Autopilot stopped* at ${escapeMrkdwn(stopped.step)}: ${truncate(stopped.reason, 2500)}\nRetry goes on from that step once it is fixed; *Cancel* deletes everything made for this version.`),
    {
      type: 'actions',
      block_id: `task_autopilot_${taskId}`.slice(0, 255),
      elements: [button(truncate(`Retry from ${stopped.step}`, 75), TASK_ACTIONS.autopilotRetry, taskId, { style: 'primary' })],
    },
  ];
}

const MACHINE_STATE: Record<MachineState, Mrkdwn> = {
  'not-created': mrkdwn`not created yet`,
  found: mrkdwn`created; reading its state`,
  starting: mrkdwn`starting`,
  running: mrkdwn`running`,
  stopping: mrkdwn`stopping`,
  stopped: mrkdwn`stopped but not deallocated (Azure still bills its compute)`,
  deallocating: mrkdwn`deallocating`,
  deallocated: mrkdwn`deallocated (shut down; no compute charges)`,
  gone: mrkdwn`*deleted outside oslayer*. Click *Deploy for me* to create it again (its disk is reused if it is still there), or *Cancel* this version.`,
  unknown: mrkdwn`state unknown`,
};

function machineLine(input: TaskMessageInput): Mrkdwn | undefined {
  const { machine, version } = input;
  if (!machine || !['action-required', 'checking', 'ready-to-finalize'].includes(version.status)) return undefined;
  const name = version.packagingMachine && machine.state !== 'not-created' ? mrkdwn` \`${escapeMrkdwn(version.packagingMachine.name)}\`` : mrkdwn``;
  const agentMissing = machine.agentSilent
    ? mrkdwn`, but its *Azure VM agent has not reported*: install or enable the agent in the base image and restart the machine (the check can't run without it)`
    : mrkdwn`, still booting (its VM agent is not ready yet)`;
  const booting = machine.state === 'running' && machine.agentReady === false && agentMissing;
  const reading =
    version.status === 'action-required' && readingBaseInventory(input) && mrkdwn`; reading what it has installed before any change (for the changelog), then *Install updates* is offered`;
  const connect = version.status === 'action-required' ? connectText(version.packagingMachine) : undefined;
  return joinMrkdwn([mrkdwn`:desktop_computer: *Packaging machine*${name}: ${MACHINE_STATE[machine.state]}${booting || mrkdwn``}${reading || mrkdwn``}`, connect]);
}

const REMEDY_BUTTON: Record<'reboot' | 'expedite-ngen', [string, string, ConfirmationDialog?]> = {
  reboot: ['Reboot machine', TASK_ACTIONS.reboot, CONFIRM.reboot],
  'expedite-ngen': ['Expedite NGen', TASK_ACTIONS.expediteNgen],
};

const RUNONCE_LISTED = 20;

/** The RunOnce entries by name (Windows text, escaped), at most RUNONCE_LISTED of them. */
function runOnceNames(entries: readonly RunOnceEntry[]): Mrkdwn {
  const shown = entries
    .slice(0, RUNONCE_LISTED)
    .map((e) => mrkdwn`    ◦ ${e.view === '32' ? mrkdwn`32-bit ` : mrkdwn``}${escapeMrkdwn(e.key)} › ${escapeMrkdwn(truncate(e.name, 120))}`);
  return joinMrkdwn([...shown, entries.length > RUNONCE_LISTED && mrkdwn`    ◦ and ${entries.length - RUNONCE_LISTED} more`]);
}

/** Each blocking condition with the button that helps, then Check again; or why the check failed. */
function integrityBlocks(taskId: string, input: TaskMessageInput): KnownBlock[] {
  const blocking = input.blocking ?? [];
  if (blocking.length === 0 && !input.integrityFailure) return [];
  const when = input.checkedAt ? mrkdwn` (checked ${slackTime(input.checkedAt)})` : mrkdwn``;
  const blocks: KnownBlock[] = [];
  const after: Button[] = [];
  if (input.integrityFailure) {
    blocks.push(
      section(
        mrkdwn`:warning: *The layer integrity check failed*${when}: ${escapeMrkdwn(input.integrityFailure.replace(/\.$/, ''))}. This is not a pass: the machine may still have work pending, so it was left running; Finalize runs the check again first and goes no further until it passes. Click *Check again*; if it keeps failing, look at the machine.`,
      ),
    );
  } else {
    blocks.push(section(mrkdwn`*The layer can't be finalized yet*${when}:`));
    for (const condition of blocking) {
      if (condition.remedy === 'runonce') {
        const names = input.runOnceEntries?.length ? mrkdwn`\n${runOnceNames(input.runOnceEntries)}` : mrkdwn``;
        blocks.push(section(mrkdwn`• ${escapeMrkdwn(condition.text)}${names}`));
        blocks.push({
          type: 'actions',
          block_id: `task_runonce_${taskId}`.slice(0, 255),
          elements: [
            button('Run them once', TASK_ACTIONS.runOnceRun, taskId, { confirm: CONFIRM.runOnceRun }),
            button('Remove them', TASK_ACTIONS.runOnceRemove, taskId, { confirm: CONFIRM.runOnceRemove }),
          ],
        });
        continue;
      }
      const remedy = condition.remedy ? REMEDY_BUTTON[condition.remedy] : undefined;
      const line = section(mrkdwn`• ${escapeMrkdwn(condition.text)}`);
      blocks.push(remedy ? { ...line, accessory: button(remedy[0], remedy[1], taskId, remedy[2] ? { confirm: remedy[2] } : {}) } : line);
    }
    // Only on request: the full recompile, for when the queued work alone did not clear NGen.
    if (blocking.some((c) => c.remedy === 'expedite-ngen')) {
      after.push(button('NGen update /force', TASK_ACTIONS.ngenUpdateForce, taskId, { confirm: CONFIRM.ngenUpdateForce }));
    }
  }
  blocks.push({ type: 'actions', block_id: `task_remedies_${taskId}`.slice(0, 255), elements: [button('Check again', TASK_ACTIONS.checkAgain, taskId), ...after] });
  return blocks;
}
