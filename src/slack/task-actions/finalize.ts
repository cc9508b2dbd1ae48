import type { App, BlockButtonAction } from '@slack/bolt';
import { TASK_ACTIONS } from '../../../views/task-message.js';
import type { Services } from '../../services.js';
import { requestFinalize } from '../../workflow/finalize-request.js';
import { onTaskButton } from './guard.js';

/**
 * Finalize: on a verified, deallocated machine it finalizes; clicked while the version is still
 * Action Required it checks the layer, shuts the machine down and finalizes, in one job. However
 * many people click, one finalize runs.
 */
export function registerFinalize(app: App, services: Services): void {
  app.action<BlockButtonAction>(TASK_ACTIONS.finalize, (args) =>
    onTaskButton(args, services, 'finalize', 'finalize a version', (ctx) => requestFinalize(services, ctx)),
  );
}
