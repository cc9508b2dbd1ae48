/**
 * Install updates and the changelog in Block Kit: the modal that asks which updates, the task
 * message's section for a run (progress, result, Retry updates), and a version's changelog.
 */
import type { ActionsBlock, KnownBlock, ModalView } from '@slack/types';
import type { LayerVersion, WindowsUpdateRun } from '../src/domain/model.js';
import { DEFAULT_UPDATE_MODE, formatHresult, progressText, RESULT_CODE_LABEL, UPDATE_MODE_LABEL, UPDATE_MODES, updateName } from '../src/domain/windows-update.js';
import { button, confirmDialog, escapeMrkdwn, input, modal, mrkdwn, type Mrkdwn, option, radioButtons, section, textInput, truncate, userText } from './blocks.js';
import { ACTION, CALLBACK } from './ids.js';

export const UPDATE_MODE_BLOCK = 'updateMode';
export const INCLUDE_KBS_BLOCK = 'includeKbs';
export const EXCLUDE_KBS_BLOCK = 'excludeKbs';

const MODE_HINT: Readonly<Record<(typeof UPDATE_MODES)[number], string>> = {
  security: 'Security Updates and Critical Updates; never optional or feature updates',
  software: 'Every non-optional software update; never feature updates (Upgrades)',
  drivers: 'Non-optional software updates and drivers; never feature updates',
};

/** Asks which updates to install, with the layer's Exclude KBs (remembered) filled in; private_metadata is the task id. */
export function installUpdatesModal(taskId: string, vmName: string, excludeKbs: readonly string[] = []): ModalView {
  return modal({
    callbackId: CALLBACK.installUpdates,
    title: 'Install updates',
    submit: 'Install',
    privateMetadata: taskId,
    blocks: [
      section(
        mrkdwn`I search Windows Update on the packaging machine \`${userText(vmName, 100)}\`, install what applies one update at a time, restart the machine through Azure when an update needs it, and search again until nothing is left (or the round limit is reached). Progress shows on the task message, each update's result in its thread.`,
      ),
      input(
        UPDATE_MODE_BLOCK,
        'Which updates',
        radioButtons(ACTION.input, UPDATE_MODES.map((mode) => option(UPDATE_MODE_LABEL[mode], mode, MODE_HINT[mode])), DEFAULT_UPDATE_MODE),
      ),
      input(INCLUDE_KBS_BLOCK, 'Optional updates to install', textInput(ACTION.input, { placeholder: 'KB5044384', maxLength: 600 }), {
        optional: true,
        hint: 'Optional (preview) updates are installed only when named here by KB, for this run. Feature updates (Upgrades) are never installed.',
      }),
      input(EXCLUDE_KBS_BLOCK, 'Exclude KBs', textInput(ACTION.input, { initial: excludeKbs.join(', '), placeholder: 'KB5040427, KB5039299', maxLength: 600 }), {
        optional: true,
        hint: 'Never installed on this layer; remembered for its next runs.',
      }),
    ],
  });
}

/** The task message's buttons for an update run that stopped. */
export interface UpdateRunActions {
  retry: string;
  excludeAndContinue: string;
  stop: string;
}

/** Where a stopped run stopped: the update, its result code and HRESULT, and why. */
function stuckText(stuck: NonNullable<WindowsUpdateRun['stuck']>): Mrkdwn {
  const name = userText(updateName(stuck), 200);
  const result = mrkdwn`result code ${stuck.resultCode} (${escapeMrkdwn(RESULT_CODE_LABEL[stuck.resultCode] ?? 'unknown')}), HRESULT ${escapeMrkdwn(formatHresult(stuck.hresult))}`;
  return stuck.why === 'failed-twice' ? mrkdwn`${name} failed twice (${result}).` : mrkdwn`${name} is offered again after it reported installed (${result}).`;
}

/** The task message's section for the last update run: Retry updates after a failure, and Exclude KB and continue / Stop when it stopped on one update. */
export function updateRunBlocks(taskId: string, run: WindowsUpdateRun, canAct: boolean, actions: UpdateRunActions): KnownBlock[] {
  const mode = escapeMrkdwn(UPDATE_MODE_LABEL[run.mode].toLowerCase());
  const count = run.installed.length;
  const installed = mrkdwn`${count} update${count === 1 ? mrkdwn`` : mrkdwn`s`} installed`;
  const restarts = run.restarts === 0 ? mrkdwn`` : mrkdwn`, ${run.restarts} restart${run.restarts === 1 ? mrkdwn`` : mrkdwn`s`}`;
  const held = run.heldTotal ? mrkdwn` ${run.heldTotal} left out (optional, feature or excluded updates; the thread says which).` : mrkdwn``;
  switch (run.status) {
    case 'running':
      return [section(mrkdwn`:arrows_counterclockwise: *Installing Windows updates* (${mode}): ${escapeMrkdwn(progressText(run))}. ${installed} so far${restarts}.`)];
    case 'done': {
      const rest = run.remaining ? mrkdwn` Stopped at the round limit with ${run.remaining} still applicable; click *Install updates* to go on.` : mrkdwn` Nothing applicable is left.`;
      return [section(mrkdwn`:white_check_mark: *Windows updates* (${mode}): ${installed}${restarts}.${rest}${held}`)];
    }
    case 'stopped':
      return [section(mrkdwn`:octagonal_sign: *Windows updates stopped* (${mode}): ${installed}${restarts}.${run.stuck ? mrkdwn` ${stuckText(run.stuck)}` : mrkdwn``}`)];
    case 'failed': {
      // The failure is Mrkdwn as the run stored it (src/workflow/windows-updates.ts), guest and Azure text escaped.
      const blocks: KnownBlock[] = [section(mrkdwn`:x: *Installing Windows updates stopped* (${mode}, ${installed}${restarts}): ${truncate(run.failure ?? mrkdwn`no reason recorded`, 2500)}`)];
      if (!canAct) return blocks;
      const kb = run.stuck?.kb;
      const elements = [
        ...(run.stuck
          ? [
              button(`Exclude ${kb || 'update'} and continue`, actions.excludeAndContinue, {
                value: taskId,
                style: 'primary',
                confirm: confirmDialog('Exclude and continue?', `${kb || 'This update'} is added to this layer's Exclude KBs and never installed on it; the other updates are installed.`, 'Exclude and continue', { style: 'primary' }),
              }),
            ]
          : []),
        button('Retry updates', actions.retry, run.stuck ? { value: taskId } : { value: taskId, style: 'primary' }),
        ...(run.stuck ? [button('Stop', actions.stop, { value: taskId })] : []),
      ];
      blocks.push({ type: 'actions', block_id: `task_updates_${taskId}`.slice(0, 255), elements } satisfies ActionsBlock);
      return blocks;
    }
  }
}

/** What a version says about its contents when it has no changelog. */
export function noChangelogText(version: Pick<LayerVersion, 'inventory' | 'baseVersionId'>): Mrkdwn {
  if (!version.inventory) return mrkdwn`_No inventory was recorded for this version._`;
  const count = mrkdwn`${version.inventory.updates.length} updates and ${version.inventory.programs.length} programs installed`;
  return version.baseVersionId ? mrkdwn`_${count}; the base version had no inventory to compare with._` : mrkdwn`_${count} (the layer's first version)._`;
}
