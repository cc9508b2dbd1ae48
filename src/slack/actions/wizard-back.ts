import type { App, BlockButtonAction } from '@slack/bolt';
import type { Services } from '../../services.js';
import { isWizardStep } from '../../workflow/wizard.js';
import { ACTION } from '../../../views/ids.js';
import { readViewState } from '../../../views/state.js';
import { onWizardClick } from '../wizard.js';

/**
 * Back: what is on the current step is kept as typed (not checked: the user is leaving it,
 * and Next checks it again), so going forward again shows it unchanged.
 */
export function register(app: App, services: Services): void {
  app.action<BlockButtonAction>({ action_id: ACTION.wizardBack, type: 'block_actions' }, (args) =>
    onWizardClick(args, services, async (view) => {
      const step = args.action.value;
      return isWizardStep(step) ? { step, values: readViewState(view.state) } : undefined;
    }),
  );
}
