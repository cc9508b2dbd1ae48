import type { App } from '@slack/bolt';
import type { Services } from '../../services.js';
import { packagingDiskNameProblem } from '../../workflow/disk-checks.js';
import { checkConnectorChoice, checkPackagingDiskLocally } from '../../workflow/wizard.js';
import { CALLBACK } from '../../../views/ids.js';
import { wizardStepListener } from './wizard-step.js';

/** Step 3 → Confirm and Complete. The name is checked in the store before the ack, then against the chosen connector's container after it. */
export function register(app: App, services: Services): void {
  app.view(
    CALLBACK.wizardPackagingDisk,
    wizardStepListener(services, {
      step: CALLBACK.wizardPackagingDisk,
      next: CALLBACK.wizardConfirm,
      async check(_draft, raw) {
        const choice = await checkConnectorChoice(services.repos, raw);
        if (!choice.ok) return choice;
        const disk = await checkPackagingDiskLocally(services.repos, choice.value.connector, raw);
        return disk.ok ? { ok: true, value: { ...disk.value, connectorId: choice.value.connector._id } } : disk;
      },
      async checkAfterAck(value) {
        const connector = await services.repos.connectors.get(String(value.connectorId));
        if (!connector) return 'That connector was deleted meanwhile; go back and choose another one.';
        return packagingDiskNameProblem(services, connector, String(value.packagingDiskFilename));
      },
    }),
  );
}
