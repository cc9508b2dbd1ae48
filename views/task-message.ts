import type { KnownBlock, Button, ActionsBlock } from '@slack/types';
import type { LayerVersion, MachineState, OsLayer, Task } from '../src/domain/model.js';

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
  cleanUp: 'task_clean_up',
} as const;

export interface TaskMessageInput {
  task: Task;
  layer: Pick<OsLayer, 'name'>;
  version: Pick<LayerVersion, 'name' | 'status' | 'maxLayerSizeGb' | 'packagingDiskFilename' | 'packagingMachine' | 'lastIntegrity'>;
  /** The portal's Custom deployment link while its SAS is valid. */
  portalLink?: string;
  /** Blocking integrity conditions, already worded for people, with the remedy each offers. */
  blocking?: Array<{ text: string; remedy?: 'reboot' | 'expedite-ngen' }>;
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

export function progressBar(percent: number, width = 20): string {
  const p = Math.max(0, Math.min(100, Math.round(percent)));
  const filled = Math.round((p / 100) * width);
  return `\`${'█'.repeat(filled)}${'░'.repeat(width - filled)}\` ${p}%`;
}

function button(text: string, actionId: string, value: string, extra: Partial<Button> = {}): Button {
  return { type: 'button', text: { type: 'plain_text', text, emoji: true }, action_id: actionId, value, ...extra };
}

const confirmFinalize = {
  title: { type: 'plain_text' as const, text: 'Finalize this version?' },
  text: {
    type: 'mrkdwn' as const,
    text: 'The packaging machine will be *deleted* once its disk has been copied into the layer store. Anything not on its OS disk is lost.',
  },
  confirm: { type: 'plain_text' as const, text: 'Finalize' },
  deny: { type: 'plain_text' as const, text: 'Not yet' },
  style: 'danger' as const,
};

const confirmCancel = {
  title: { type: 'plain_text' as const, text: 'Cancel this version?' },
  text: { type: 'mrkdwn' as const, text: 'Everything created for this task in Azure (packaging disk, machine, template) will be deleted.' },
  confirm: { type: 'plain_text' as const, text: 'Cancel version' },
  deny: { type: 'plain_text' as const, text: 'Keep it' },
  style: 'danger' as const,
};

function actionButtons(input: TaskMessageInput): Button[] {
  const id = input.task._id;
  const status = input.version.status;
  const buttons: Button[] = [];
  if (status === 'action-required') {
    if (input.portalLink) buttons.push(button('Create Packaging Machine', TASK_ACTIONS.createMachine, id, { url: input.portalLink, style: 'primary' }));
    buttons.push(button('Deploy for me', TASK_ACTIONS.deployForMe, id));
    buttons.push(button('Shutdown for Finalize', TASK_ACTIONS.shutdownForFinalize, id));
  }
  if (status === 'ready-to-finalize') buttons.push(button('Finalize', TASK_ACTIONS.finalize, id, { style: 'primary', confirm: confirmFinalize }));
  if (status === 'failed' && input.retryable) buttons.push(button('Retry', TASK_ACTIONS.retry, id, { style: 'primary' }));
  if (['publishing', 'action-required', 'ready-to-finalize', 'failed'].includes(status)) {
    buttons.push(button('Cancel', TASK_ACTIONS.cancel, id, { confirm: confirmCancel }));
  }
  if (offersCleanUp(input)) buttons.push(button('Clean up', TASK_ACTIONS.cleanUp, id, { style: 'danger' }));
  return buttons;
}

/**
 * A task that ended with a problem while its packaging machine may still be in Azure (kept so
 * the admin can look first, or a cleanup that could not finish): the machine is named until it is deleted.
 */
function offersCleanUp({ task, version }: TaskMessageInput): boolean {
  return Boolean(version.packagingMachine && task.failureReason && (version.status === 'failed' || version.status === 'cancelled'));
}

function nextStepText(input: TaskMessageInput): string | undefined {
  const who = `<@${input.task.startedBy}>`;
  switch (input.version.status) {
    case 'action-required':
      return [
        `${who}, the packaging disk is published to Azure and waiting for you.`,
        '1. *Create Packaging Machine* opens the Azure portal\'s Custom deployment with every field filled in (sign in to the subscription first), or click *Deploy for me* and I create it.',
        '2. Connect to the machine with the user name and password of the layer\'s original OS machine, and install the updates and applications this version should contain. Restart it yourself when an installer asks; it will not restart on its own.',
        '3. Click *Shutdown for Finalize*: I check that no reboot, installer or NGen work is pending, then shut the machine down.',
      ].join('\n');
    case 'ready-to-finalize':
      return `${who}, the machine passed the layer integrity check and is shut down. Click *Finalize* to turn its disk into the new version; the machine is then deleted so it costs nothing more.`;
    case 'deployable':
      return `${who}, version *${input.version.name}* is deployable and is now the layer's latest version.`;
    default:
      return undefined;
  }
}

/** The one channel message a task is shown as; rebuilt from the records on every update. */
export function taskMessage(input: TaskMessageInput): { text: string; blocks: KnownBlock[] } {
  const { task, layer, version } = input;
  const title = `Add version ${version.name} to OS layer ${layer.name}`;
  const status = `${STATUS_LINE[task.status]} · version status \`${version.status}\``;
  const lastStep = task.steps.at(-1);
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(title, 150), emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: truncate(`*${status}*${lastStep ? `\n${lastStep.name}${lastStep.detail ? `: ${lastStep.detail}` : ''}` : ''}`, 3000) } },
  ];
  if (task.status === 'running' && task.progress !== undefined) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: progressBar(task.progress) } });
  }
  if ((task.status === 'failed' || task.status === 'cancelled') && task.failureReason) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(`*What went wrong:* ${task.failureReason}`, 3000) } });
  }
  if (offersCleanUp(input)) {
    const text = `The packaging machine \`${version.packagingMachine!.name}\` and what was made for it may still be in Azure, kept for you to look at. *Clean up* deletes them.`;
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(text, 3000) } });
  }
  const next = nextStepText(input);
  if (next) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(next, 3000) } });
  const machine = machineLine(input);
  if (machine) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(machine, 3000) } });
  if (version.status === 'action-required') blocks.push(...integrityBlocks(task._id, input));
  const buttons = actionButtons(input);
  if (buttons.length > 0) blocks.push({ type: 'actions', block_id: `task_actions_${task._id}`.slice(0, 255), elements: buttons } satisfies ActionsBlock);
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: truncate(
          [
            `Started by <@${task.startedBy}>`,
            `max layer size ${version.maxLayerSizeGb} GB`,
            `packaging disk \`${version.packagingDiskFilename}\``,
            version.packagingMachine ? `machine \`${version.packagingMachine.name}\`` : undefined,
            input.simulated ? ':test_tube: simulated Azure (sandbox): nothing here is real or billed' : undefined,
          ]
            .filter(Boolean)
            .join(' · '),
          3000,
        ),
      },
    ],
  });
  return { text: `${title}: ${STATUS_LINE[task.status].replace(/^:[a-z_]+: /, '')}`, blocks };
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
  if (!machine || !['action-required', 'ready-to-finalize'].includes(version.status)) return undefined;
  const name = version.packagingMachine && machine.state !== 'not-created' ? ` \`${version.packagingMachine.name}\`` : '';
  const agentMissing = machine.agentSilent
    ? ", but its *Azure VM agent has not reported*: install or enable the agent in the base image and restart the machine (the check can't run without it)"
    : ', still booting (its VM agent is not ready yet)';
  const booting = machine.state === 'running' && machine.agentReady === false ? agentMissing : '';
  return `:desktop_computer: *Packaging machine*${name}: ${MACHINE_STATE[machine.state]}${booting}`;
}

/** Slack shows the time in each reader's own time zone. */
function slackTime(at: Date): string {
  return `<!date^${Math.floor(at.getTime() / 1000)}^{date_short_pretty} {time}|${at.toISOString()}>`;
}

const REMEDY_BUTTON: Record<'reboot' | 'expedite-ngen', [string, string]> = {
  reboot: ['Reboot machine', TASK_ACTIONS.reboot],
  'expedite-ngen': ['Expedite NGen', TASK_ACTIONS.expediteNgen],
};

/** Each blocking condition with the button that helps, then Check again; or why the check failed. */
function integrityBlocks(taskId: string, input: TaskMessageInput): KnownBlock[] {
  const blocking = input.blocking ?? [];
  if (blocking.length === 0 && !input.integrityFailure) return [];
  const when = input.checkedAt ? ` (checked ${slackTime(input.checkedAt)})` : '';
  const blocks: KnownBlock[] = [];
  if (input.integrityFailure) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: truncate(`:warning: *The layer integrity check failed*${when}: ${input.integrityFailure}. Nothing was changed on the machine.`, 3000) },
    });
  } else {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*The layer can't be finalized yet*${when}:` } });
    for (const condition of blocking) {
      const remedy = condition.remedy ? REMEDY_BUTTON[condition.remedy] : undefined;
      blocks.push({
        type: 'section',
        text: { type: 'mrkdwn', text: truncate(`• ${condition.text}`, 3000) },
        ...(remedy ? { accessory: button(remedy[0], remedy[1], taskId) } : {}),
      });
    }
  }
  blocks.push({ type: 'actions', block_id: `task_remedies_${taskId}`.slice(0, 255), elements: [button('Check again', TASK_ACTIONS.checkAgain, taskId)] });
  return blocks;
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
