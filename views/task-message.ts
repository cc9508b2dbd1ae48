import type { KnownBlock, Button, ActionsBlock } from '@slack/types';
import type { RunOnceEntry } from '../src/domain/integrity.js';
import type { LayerVersion, MachineState, OsLayer, Task, VersionStatus } from '../src/domain/model.js';
import { VERSION_STATUS_LABEL } from '../src/domain/version-status.js';
import { confirmDialog as plainConfirm, escapeMrkdwn as esc, truncate } from './blocks.js';
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
} as const;

export interface TaskMessageInput {
  task: Task;
  layer: Pick<OsLayer, 'name'>;
  version: Pick<LayerVersion, 'name' | 'status' | 'maxLayerSizeGb' | 'packagingDiskFilename' | 'packagingMachine' | 'lastIntegrity' | 'windowsUpdates' | 'galleryImage'>;
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

export function progressBar(percent: number, width = 20): string {
  const p = Math.max(0, Math.min(100, Math.round(percent)));
  const filled = Math.round((p / 100) * width);
  return `\`${'█'.repeat(filled)}${'░'.repeat(width - filled)}\` ${p}%`;
}

function button(text: string, actionId: string, value: string, extra: Partial<Button> = {}): Button {
  return { type: 'button', text: { type: 'plain_text', text, emoji: true }, action_id: actionId, value, ...extra };
}

/** Finalize's confirm dialog; before the layer is verified it also says the check and shutdown come first. */
function confirmFinalize(checkFirst: boolean) {
  const deleted = 'The packaging machine will be *deleted* once its disk has been copied into the layer store. Anything not on its OS disk is lost.';
  const text = checkFirst
    ? `I check the layer first; if nothing is pending, I shut the machine down and finalize. ${deleted}`
    : deleted;
  return {
    title: { type: 'plain_text' as const, text: 'Finalize this version?' },
    text: { type: 'mrkdwn' as const, text },
    confirm: { type: 'plain_text' as const, text: 'Finalize' },
    deny: { type: 'plain_text' as const, text: 'Not yet' },
    style: 'danger' as const,
  };
}

const confirmCleanUp = plainConfirm(
  'Clean up?',
  'Deletes everything this task created that is still in Azure: the packaging machine, its disks, the template and, if Finalize got that far, its gallery image version.',
  'Clean up',
);

function confirmRollBack(versionName: string) {
  return plainConfirm(
    'Roll back?',
    `Image version ${versionName} is excluded from latest and the previous promoted version becomes latest again. New hosts built from "latest" get the previous image. Nothing is deleted.`,
    'Roll back',
  );
}

const confirmCancel = {
  title: { type: 'plain_text' as const, text: 'Cancel this version?' },
  text: { type: 'mrkdwn' as const, text: 'Everything created for this task in Azure (packaging disk, machine, template) will be deleted.' },
  confirm: { type: 'plain_text' as const, text: 'Cancel version' },
  deny: { type: 'plain_text' as const, text: 'Keep it' },
  style: 'danger' as const,
};

/** The portal link while its SAS still works, else nothing (an expired link only leads to an error page). */
export function livePortalLink(version: Pick<LayerVersion, 'portalLink'>, now: Date): string | undefined {
  const link = version.portalLink;
  return link && link.expiresAt.getTime() > now.getTime() ? link.url : undefined;
}

/** What the task's buttons depend on; the task message and the task detail modal carry the same ones. */
export type TaskActionsInput = Pick<TaskMessageInput, 'task' | 'version' | 'portalLink' | 'retryable' | 'machine'>;

/** The packaging machine as the watch last saw it: what decides the buttons that need it running. */
export function watchedMachine(version: Pick<LayerVersion, 'machineWatch'>): TaskMessageInput['machine'] {
  const watch = version.machineWatch;
  return watch ? { state: watch.state, agentReady: watch.agentReady, agentSilent: watch.agentSilenceReported } : undefined;
}

function actionButtons(input: TaskActionsInput): Button[] {
  const id = input.task._id;
  const status = input.version.status;
  const buttons: Button[] = [];
  if (status === 'action-required') {
    if (input.portalLink) buttons.push(button('Create Packaging Machine', TASK_ACTIONS.createMachine, id, { url: input.portalLink, style: 'primary' }));
    buttons.push(button('Finalize', TASK_ACTIONS.finalize, id, { confirm: confirmFinalize(true) }));
    buttons.push(button('Deploy for me', TASK_ACTIONS.deployForMe, id));
    const machineUp = input.machine?.state === 'running' && input.machine.agentReady !== false;
    if (machineUp && input.version.windowsUpdates?.status !== 'running') buttons.push(button('Install updates', TASK_ACTIONS.installUpdates, id));
    buttons.push(button('Shutdown for Finalize', TASK_ACTIONS.shutdownForFinalize, id));
  }
  if (status === 'ready-to-finalize') buttons.push(button('Finalize', TASK_ACTIONS.finalize, id, { style: 'primary', confirm: confirmFinalize(false) }));
  if (status === 'failed' && input.retryable) buttons.push(button('Retry', TASK_ACTIONS.retry, id, { style: 'primary' }));
  if (['publishing', 'action-required', 'ready-to-finalize', 'failed'].includes(status)) {
    buttons.push(button('Cancel', TASK_ACTIONS.cancel, id, { confirm: confirmCancel }));
  }
  if (offersCleanUp(input)) buttons.push(button('Clean up', TASK_ACTIONS.cleanUp, id, { style: 'danger', confirm: confirmCleanUp }));
  buttons.push(...galleryButtons(input.version, id));
  return buttons;
}

/** Promote while the published image version waits for approval; Roll back while it is the promoted latest. */
export function galleryButtons(version: Pick<LayerVersion, 'status' | 'galleryImage'>, taskId: string): Button[] {
  const image = version.galleryImage;
  if (version.status !== 'published' || !image || image.rolledBackAt) return [];
  if (image.excludeFromLatest && !image.promotedAt) return [button('Promote', TASK_ACTIONS.promote, taskId, { style: 'primary' })];
  if (!image.excludeFromLatest && image.promotedAt) return [button('Roll back', TASK_ACTIONS.rollBack, taskId, { confirm: confirmRollBack(image.versionName) })];
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

function nextStepText(input: TaskMessageInput): string | undefined {
  const who = `<@${input.task.startedBy}>`;
  switch (input.version.status) {
    case 'action-required':
      return [
        `${who}, the packaging disk is published to Azure and waiting for you.`,
        '1. *Create Packaging Machine* opens the Azure portal\'s Custom deployment with the machine\'s settings filled in as defaults (sign in to the subscription first; the portal asks where to deploy), or click *Deploy for me* and I create it.',
        ...(input.portalRights ? [`   ${esc(input.portalRights)}`] : []),
        '2. Connect to the machine with the user name and password of the layer\'s original OS machine, and install the updates and applications this version should contain. Restart it yourself when an installer asks; it will not restart on its own.',
        '3. Click *Finalize*: I check that no reboot, installer or NGen work is pending, shut the machine down and turn its disk into the new version, then delete the machine. (Or click *Shutdown for Finalize* to check and shut down now, and *Finalize* later.)',
      ].join('\n');
    case 'checking':
      return 'Finalize is checking the layer on the packaging machine. If nothing is pending, the machine is shut down and the version finalized; otherwise what blocks it shows here.';
    case 'ready-to-finalize':
      return `${who}, the machine passed the layer integrity check and is shut down. Click *Finalize* to turn its disk into the new version; the machine is then deleted so it costs nothing more.`;
    case 'deployable':
      return `${who}, version *${esc(input.version.name)}* is deployable and is now the layer's latest version.`;
    case 'published':
      return galleryText(input.version);
    default:
      return undefined;
  }
}

function galleryText(version: Pick<LayerVersion, 'name' | 'galleryImage'>): string | undefined {
  const image = version.galleryImage;
  if (!image) return undefined;
  const mapping = `Version *${esc(version.name)}* is image version \`${image.versionName}\` in the Compute Gallery (${image.regions.map((r) => `${esc(r.region)} ${r.state === 'Completed' ? 'replicated' : r.state.toLowerCase()}`).join(', ')}).`;
  if (image.rolledBackAt) return `${mapping} It was rolled back by <@${image.rolledBackBy}> and is excluded from latest.`;
  if (image.promotedAt) return `${mapping} *Latest:* promoted by <@${image.promotedBy}>.`;
  const rule = image.policy === 'two-person' ? 'someone other than its creator with the Approve Versions permission' : 'anyone with the Approve Versions permission';
  const expires = image.approvalExpiresAt ? ` The request expires ${image.approvalExpiresAt.toISOString().slice(0, 10)}.` : '';
  return `${mapping} It is *excluded from latest* until ${rule} clicks *Promote*.${expires}`;
}

/** The one channel message a task is shown as; rebuilt from the records on every update. */
export function taskMessage(input: TaskMessageInput): { text: string; blocks: KnownBlock[] } {
  const { task, layer, version } = input;
  const title = `Add version ${version.name} to OS layer ${layer.name}`;
  const status = `${versionHeadline(version.status)} · version status \`${version.status}\``;
  const lastStep = task.steps.at(-1);
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(title, 150), emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: truncate(`*${status}*${lastStep ? `\n${esc(lastStep.name)}${lastStep.detail ? `: ${esc(lastStep.detail)}` : ''}` : ''}`, 3000) } },
  ];
  if (task.status === 'running' && task.progress !== undefined) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: progressBar(task.progress) } });
  }
  if ((task.status === 'failed' || task.status === 'cancelled') && task.failureReason) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(`*What went wrong:* ${esc(task.failureReason)}`, 3000) } });
  }
  if (offersCleanUp(input)) {
    const text = `The packaging machine \`${esc(version.packagingMachine!.name)}\` and what was made for it may still be in Azure, kept for you to look at. *Clean up* deletes them.`;
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(text, 3000) } });
  }
  const next = nextStepText(input);
  if (next) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(next, 3000) } });
  const machine = machineLine(input);
  if (machine) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(machine, 3000) } });
  if (version.windowsUpdates && ['action-required', 'ready-to-finalize'].includes(version.status)) {
    blocks.push(...updateRunBlocks(task._id, version.windowsUpdates, version.status === 'action-required', {
        retry: TASK_ACTIONS.retryUpdates,
        excludeAndContinue: TASK_ACTIONS.excludeKbAndContinue,
        stop: TASK_ACTIONS.stopUpdates,
      }));
  }
  if (version.status === 'action-required') blocks.push(...integrityBlocks(task._id, input));
  const actions = taskActions(input);
  if (actions) blocks.push(actions);
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: truncate(
          [
            `Started by <@${task.startedBy}>`,
            `max layer size ${version.maxLayerSizeGb} GB`,
            `packaging disk \`${esc(version.packagingDiskFilename)}\``,
            version.packagingMachine ? `machine \`${esc(version.packagingMachine.name)}\`` : undefined,
            input.simulated ? ':test_tube: simulated Azure (sandbox): nothing here is real or billed' : undefined,
          ]
            .filter(Boolean)
            .join(' · '),
          3000,
        ),
      },
    ],
  });
  return { text: `${esc(title)}: ${VERSION_STATUS_LABEL[version.status]}`, blocks };
}

const MACHINE_STATE: Record<MachineState, string> = {
  'not-created': 'not created yet',
  found: 'created; reading its state',
  starting: 'starting',
  running: 'running',
  stopping: 'stopping',
  stopped: 'stopped but not deallocated (Azure still bills its compute)',
  deallocating: 'deallocating',
  deallocated: 'deallocated (shut down; no compute charges)',
  gone: '*deleted outside oslayer*. Click *Deploy for me* to create it again (its disk is reused if it is still there), or *Cancel* this version.',
  unknown: 'state unknown',
};

function machineLine(input: TaskMessageInput): string | undefined {
  const { machine, version } = input;
  if (!machine || !['action-required', 'checking', 'ready-to-finalize'].includes(version.status)) return undefined;
  const name = version.packagingMachine && machine.state !== 'not-created' ? ` \`${version.packagingMachine.name}\`` : '';
  const agentMissing = machine.agentSilent
    ? ", but its *Azure VM agent has not reported*: install or enable the agent in the base image and restart the machine (the check can't run without it)"
    : ', still booting (its VM agent is not ready yet)';
  const booting = machine.state === 'running' && machine.agentReady === false ? agentMissing : '';
  const connect = version.status === 'action-required' ? connectText(version.packagingMachine) : undefined;
  return [`:desktop_computer: *Packaging machine*${name}: ${MACHINE_STATE[machine.state]}${booting}`, connect].filter(Boolean).join('\n');
}

/** Slack shows the time in each reader's own time zone. */
function slackTime(at: Date): string {
  return `<!date^${Math.floor(at.getTime() / 1000)}^{date_short_pretty} {time}|${at.toISOString()}>`;
}

const REMEDY_BUTTON: Record<'reboot' | 'expedite-ngen', [string, string]> = {
  reboot: ['Reboot machine', TASK_ACTIONS.reboot],
  'expedite-ngen': ['Expedite NGen', TASK_ACTIONS.expediteNgen],
};

function confirmDialog(title: string, text: string, confirm: string, style?: 'danger') {
  return {
    title: { type: 'plain_text' as const, text: title },
    text: { type: 'mrkdwn' as const, text },
    confirm: { type: 'plain_text' as const, text: confirm },
    deny: { type: 'plain_text' as const, text: 'Not now' },
    ...(style ? { style } : {}),
  };
}

const confirmNgenUpdateForce = confirmDialog(
  'Recompile all .NET images?',
  '`ngen update /force` recompiles every native image on the machine and can take up to an hour. Do not restart the machine while it runs.',
  'Run it',
);
const confirmRunOnceRun = confirmDialog(
  'Run RunOnce entries?',
  "Each listed command runs once now, as SYSTEM, not at a user's logon as it would with a person signed in. RunOnce entries are removed before they run (\"!\" entries after), as Windows does; of RunOnceEx only the listed entries run.",
  'Run them once',
);
const confirmRunOnceRemove = confirmDialog(
  'Remove RunOnce entries?',
  'The listed entries are deleted without running. Whatever they would have done will not happen.',
  'Remove them',
  'danger',
);

const RUNONCE_LISTED = 20;

/** The RunOnce entries by name (Windows text, escaped), at most RUNONCE_LISTED of them. */
function runOnceNames(entries: readonly RunOnceEntry[]): string {
  const shown = entries.slice(0, RUNONCE_LISTED).map((e) => `    ◦ ${e.view === '32' ? '32-bit ' : ''}${e.key} › ${esc(truncate(e.name, 120))}`);
  const more = entries.length > RUNONCE_LISTED ? [`    ◦ and ${entries.length - RUNONCE_LISTED} more`] : [];
  return [...shown, ...more].join('\n');
}

/** Each blocking condition with the button that helps, then Check again; or why the check failed. */
function integrityBlocks(taskId: string, input: TaskMessageInput): KnownBlock[] {
  const blocking = input.blocking ?? [];
  if (blocking.length === 0 && !input.integrityFailure) return [];
  const when = input.checkedAt ? ` (checked ${slackTime(input.checkedAt)})` : '';
  const blocks: KnownBlock[] = [];
  const after: Button[] = [];
  if (input.integrityFailure) {
    const text =
      `:warning: *The layer integrity check failed*${when}: ${esc(input.integrityFailure).replace(/\.$/, '')}. ` +
      'This is not a pass: the machine may still have work pending, so it was left running; Finalize runs the check again first and goes no further until it passes. Click *Check again*; if it keeps failing, look at the machine.';
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(text, 3000) } });
  } else {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*The layer can't be finalized yet*${when}:` } });
    for (const condition of blocking) {
      if (condition.remedy === 'runonce') {
        const names = input.runOnceEntries?.length ? `\n${runOnceNames(input.runOnceEntries)}` : '';
        blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(`• ${condition.text}${names}`, 3000) } });
        blocks.push({
          type: 'actions',
          block_id: `task_runonce_${taskId}`.slice(0, 255),
          elements: [
            button('Run them once', TASK_ACTIONS.runOnceRun, taskId, { confirm: confirmRunOnceRun }),
            button('Remove them', TASK_ACTIONS.runOnceRemove, taskId, { confirm: confirmRunOnceRemove }),
          ],
        });
        continue;
      }
      const remedy = condition.remedy ? REMEDY_BUTTON[condition.remedy] : undefined;
      blocks.push({
        type: 'section',
        text: { type: 'mrkdwn', text: truncate(`• ${esc(condition.text)}`, 3000) },
        ...(remedy ? { accessory: button(remedy[0], remedy[1], taskId) } : {}),
      });
    }
    // Only on request: the full recompile, for when the queued work alone did not clear NGen.
    if (blocking.some((c) => c.remedy === 'expedite-ngen')) {
      after.push(button('NGen update /force', TASK_ACTIONS.ngenUpdateForce, taskId, { confirm: confirmNgenUpdateForce }));
    }
  }
  blocks.push({ type: 'actions', block_id: `task_remedies_${taskId}`.slice(0, 255), elements: [button('Check again', TASK_ACTIONS.checkAgain, taskId), ...after] });
  return blocks;
}
