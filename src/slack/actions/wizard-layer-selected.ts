import type { App, BlockStaticSelectAction } from '@slack/bolt';
import type { Services } from '../../services.js';
import { ACTION, CALLBACK, WIZARD_FIELD } from '../../../views/ids.js';
import { readViewState } from '../../../views/state.js';
import { onWizardClick } from '../wizard.js';

/**
 * Step 1's layer select: the step is rebuilt around the chosen layer (its versions, the base
 * version's size floor). What was typed so far is kept; the base version and size start over
 * at the new layer's defaults, because the old ones belong to another layer (the step shows them
 * under block_ids of the new layer, or Slack would keep showing the old entries).
 */
export function register(app: App, services: Services): void {
  app.action<BlockStaticSelectAction>({ action_id: ACTION.wizardLayerSelected, type: 'block_actions' }, (args) =>
    onWizardClick(args, services, async (view) => {
      const layer = await services.repos.layers.get(args.action.selected_option.value);
      return {
        step: CALLBACK.wizardVersionDetails,
        values: {
          ...readViewState(view.state),
          [WIZARD_FIELD.layerId]: layer?._id ?? null,
          [WIZARD_FIELD.baseVersionId]: layer?.latestVersionId ?? null,
          [WIZARD_FIELD.maxLayerSizeGb]: null,
        },
      };
    }),
  );
}
