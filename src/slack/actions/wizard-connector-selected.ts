import type { App, BlockStaticSelectAction } from '@slack/bolt';
import type { Services } from '../../services.js';
import { ACTION, CALLBACK, WIZARD_FIELD } from '../../../views/ids.js';
import { onWizardClick } from '../wizard.js';

/** Step 2's connector select: the choice is kept in the draft and the step rebuilt so Edit targets it. */
export function register(app: App, services: Services): void {
  app.action<BlockStaticSelectAction>({ action_id: ACTION.wizardConnectorSelected, type: 'block_actions' }, (args) =>
    onWizardClick(args, services, async () => ({
      step: CALLBACK.wizardConnector,
      values: { [WIZARD_FIELD.connectorId]: args.action.selected_option.value },
    })),
  );
}
