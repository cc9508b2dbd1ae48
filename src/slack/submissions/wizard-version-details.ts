import type { App } from '@slack/bolt';
import type { Services } from '../../services.js';
import { checkVersionDetails, hasSuggestedDiskName, wizardValues } from '../../workflow/wizard.js';
import { CALLBACK, WIZARD_FIELD } from '../../../views/ids.js';
import { wizardStepListener } from './wizard-step.js';

/**
 * Step 1 → Connector. The connector starts as the layer's own: its disks already live in that
 * storage account. A packaging disk name still as suggested is dropped, to be suggested anew
 * from the names now chosen.
 */
export function register(app: App, services: Services): void {
  app.view(
    CALLBACK.wizardVersionDetails,
    wizardStepListener(services, {
      step: CALLBACK.wizardVersionDetails,
      next: CALLBACK.wizardConnector,
      async check(draft, raw) {
        const result = await checkVersionDetails(services.repos, raw);
        if (!result.ok) return result;
        const before = wizardValues(draft);
        return {
          ok: true,
          value: {
            ...result.value.values,
            [WIZARD_FIELD.connectorId]: before.connectorId ?? result.value.layer.connectorId,
            ...((await hasSuggestedDiskName(services.repos, before)) ? { [WIZARD_FIELD.packagingDiskFilename]: null } : {}),
          },
        };
      },
    }),
  );
}
