import type { App, BlockButtonAction } from '@slack/bolt';
import { TASK_ACTIONS } from '../../../views/task-message.js';
import { installUpdatesModal } from '../../../views/windows-updates.js';
import type { Services } from '../../services.js';
import { BUSY, notWaitingForMachine } from '../../workflow/machine-actions.js';
import { onTaskButton } from './guard.js';
import { openOver } from '../replies.js';

/** Install updates: asks which updates in a modal (the trigger is good for 3 s, so nothing slow runs first). */
export function registerInstallUpdates(app: App, services: Services): void {
  app.action<BlockButtonAction>(TASK_ACTIONS.installUpdates, (args) =>
    onTaskButton(args, services, 'operate-machine', 'install updates on the packaging machine', async ({ run, tell }) => {
      if (run.version.status !== 'action-required') return tell(notWaitingForMachine(run.version));
      if (run.version.windowsUpdates?.status === 'running') return tell(BUSY['install-updates']);
      const vmName = run.version.packagingMachine?.name ?? 'the packaging machine';
      // Over the task detail when clicked there (Slack allows only views.push from inside a modal).
      await openOver(args, installUpdatesModal(run.task._id, vmName, run.layer.excludeKbs ?? []));
    }),
  );
}
