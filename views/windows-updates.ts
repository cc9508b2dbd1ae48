/**
 * Install updates and the changelog in Block Kit: the modal that asks which updates, the task
 * message's section for a run (progress, result, Retry updates), and a version's changelog.
 */
import type { ActionsBlock, KnownBlock, ModalView } from '@slack/types';
import type { LayerVersion, WindowsUpdateRun } from '../src/domain/model.js';
import { DEFAULT_UPDATE_MODE, progressText, UPDATE_MODE_LABEL, UPDATE_MODES } from '../src/domain/windows-update.js';
import { button, escapeMrkdwn, input, modal, mrkdwn, type Mrkdwn, option, radioButtons, section, SLACK_LIMIT, truncate, userText } from './blocks.js';
import { ACTION, CALLBACK } from './ids.js';

export const UPDATE_MODE_BLOCK = 'updateMode';

const MODE_HINT: Readonly<Record<(typeof UPDATE_MODES)[number], string>> = {
  security: 'Security Updates and Critical Updates',
  software: 'Every software update Windows Update offers',
  drivers: 'Software updates, and drivers too',
};

/** Asks which updates to install; private_metadata is the task id. */
export function installUpdatesModal(taskId: string, vmName: string): ModalView {
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
    ],
  });
}

/** The task message's section for the last update run, with Retry updates after a failure. */
export function updateRunBlocks(taskId: string, run: WindowsUpdateRun, canRetry: boolean, retryActionId: string): KnownBlock[] {
  const mode = escapeMrkdwn(UPDATE_MODE_LABEL[run.mode].toLowerCase());
  const count = run.installed.length;
  const installed = mrkdwn`${count} update${count === 1 ? mrkdwn`` : mrkdwn`s`} installed`;
  const restarts = run.restarts === 0 ? mrkdwn`` : mrkdwn`, ${run.restarts} restart${run.restarts === 1 ? mrkdwn`` : mrkdwn`s`}`;
  switch (run.status) {
    case 'running':
      return [section(mrkdwn`:arrows_counterclockwise: *Installing Windows updates* (${mode}): ${escapeMrkdwn(progressText(run))}. ${installed} so far${restarts}.`)];
    case 'done': {
      const rest = run.remaining ? mrkdwn` Stopped at the round limit with ${run.remaining} still applicable; click *Install updates* to go on.` : mrkdwn` Nothing applicable is left.`;
      return [section(mrkdwn`:white_check_mark: *Windows updates* (${mode}): ${installed}${restarts}.${rest}`)];
    }
    case 'failed': {
      // The failure is Mrkdwn as the run stored it (src/workflow/windows-updates.ts), guest and Azure text escaped.
      const blocks: KnownBlock[] = [section(mrkdwn`:x: *Installing Windows updates stopped* (${mode}, ${installed}${restarts}): ${truncate(run.failure ?? mrkdwn`no reason recorded`, 2500)}`)];
      if (canRetry) blocks.push({ type: 'actions', block_id: `task_updates_${taskId}`.slice(0, 255), elements: [button('Retry updates', retryActionId, { value: taskId, style: 'primary' })] } satisfies ActionsBlock);
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
