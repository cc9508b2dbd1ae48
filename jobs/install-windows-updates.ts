import type { Agenda } from 'agenda';
import type { Services } from '../src/services.js';
import { INSTALL_UPDATES_JOB, type InstallUpdatesData } from '../src/workflow/machine-jobs.js';
import { installWindowsUpdates, type UpdateSettings } from '../src/workflow/windows-updates.js';
import { defineClaimedMachineJob } from './claimed-machine-job.js';

/**
 * Install updates, after the modal's listener has claimed the machine. An install can take an
 * hour: if this process dies, another takes the job over within a lock lifetime and continues the
 * same run (its runId).
 */
export function defineInstallUpdatesJob(agenda: Agenda, services: Services, settings: UpdateSettings): void {
  defineClaimedMachineJob<InstallUpdatesData>(agenda, services, INSTALL_UPDATES_JOB, (run, { mode, userId, runId, excludeKbs, includeKbs }) =>
    installWindowsUpdates(run, { mode, userId, runId, excludeKbs, includeKbs }, settings),
  );
}
