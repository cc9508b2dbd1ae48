import type { App } from '@slack/bolt';
import type { Services } from '../../services.js';
import { registerRetry } from './retry.js';
import { registerCreateMachineLink } from './create-machine-link.js';
import { registerFinalize } from './finalize.js';
import { registerCancel } from './cancel.js';
import { registerCleanUp } from './clean-up.js';
import { registerDeployForMe } from './deploy-for-me.js';
import { registerCheckAgain } from './check-again.js';
import { registerReboot } from './reboot.js';
import { registerExpediteNgen } from './expedite-ngen.js';
import { registerShutdownForFinalize } from './shutdown-for-finalize.js';
import { registerNgenUpdateForce } from './ngen-update-force.js';
import { registerRunOnceRun } from './runonce-run.js';
import { registerRunOnceRemove } from './runonce-remove.js';
import { registerInstallUpdates } from './install-updates.js';
import { registerRetryUpdates } from './retry-updates.js';
import { registerExcludeKbAndContinue } from './exclude-kb-continue.js';
import { registerStopUpdates } from './stop-updates.js';
import { registerPromote } from './promote.js';
import { registerRollBack } from './roll-back.js';
import { registerAutopilotRetry } from './autopilot-retry.js';

/** The task message's buttons; one listener per file. */
export function register(app: App, services: Services): void {
  registerRetry(app, services);
  registerCreateMachineLink(app, services);
  registerFinalize(app, services);
  registerCancel(app, services);
  registerCleanUp(app, services);
  registerDeployForMe(app, services);
  registerCheckAgain(app, services);
  registerReboot(app, services);
  registerExpediteNgen(app, services);
  registerShutdownForFinalize(app, services);
  registerNgenUpdateForce(app, services);
  registerRunOnceRun(app, services);
  registerRunOnceRemove(app, services);
  registerInstallUpdates(app, services);
  registerRetryUpdates(app, services);
  registerExcludeKbAndContinue(app, services);
  registerStopUpdates(app, services);
  registerPromote(app, services);
  registerRollBack(app, services);
  registerAutopilotRetry(app, services);
}
