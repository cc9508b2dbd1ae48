import type { App } from '@slack/bolt';
import type { Services } from '../../services.js';
import { checkConnectorChoice } from '../../workflow/wizard.js';
import { CALLBACK, WIZARD_FIELD } from '../../../views/ids.js';
import { wizardStepListener } from './wizard-step.js';

/** Step 2 → Packaging Disk. */
export function register(app: App, services: Services): void {
  app.view(
    CALLBACK.wizardConnector,
    wizardStepListener(services, {
      step: CALLBACK.wizardConnector,
      next: CALLBACK.wizardPackagingDisk,
      async check(_draft, raw) {
        const result = await checkConnectorChoice(services.repos, raw);
        return result.ok ? { ok: true, value: { [WIZARD_FIELD.connectorId]: result.value.connector._id } } : result;
      },
    }),
  );
}
