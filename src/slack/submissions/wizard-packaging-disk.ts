import type { App } from '@slack/bolt';
import type { Services } from '../../services.js';
import { checkConnectorChoice, checkPackagingDisk } from '../../workflow/wizard.js';
import { CALLBACK } from '../../../views/ids.js';
import { wizardStepListener } from './wizard-step.js';

/** Step 3 → Confirm and Complete. The name is checked against the chosen connector's container. */
export function register(app: App, services: Services): void {
  app.view(
    CALLBACK.wizardPackagingDisk,
    wizardStepListener(services, {
      step: CALLBACK.wizardPackagingDisk,
      next: CALLBACK.wizardConfirm,
      async check(_draft, raw) {
        const choice = await checkConnectorChoice(services.repos, raw);
        if (!choice.ok) return choice;
        return checkPackagingDisk(services, choice.value.connector, raw);
      },
    }),
  );
}
