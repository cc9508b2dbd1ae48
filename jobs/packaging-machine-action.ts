import type { Agenda } from 'agenda';
import type { Services } from '../src/services.js';
import { performMachineAction } from '../src/workflow/machine-actions.js';
import { MACHINE_ACTION_JOB, type MachineActionData } from '../src/workflow/machine-jobs.js';
import { defineClaimedMachineJob } from './claimed-machine-job.js';

/** Check again, Reboot machine, Expedite NGen and Shutdown for Finalize, after the listener has claimed the machine. */
export function defineMachineActionJob(agenda: Agenda, services: Services): void {
  defineClaimedMachineJob<MachineActionData>(agenda, services, MACHINE_ACTION_JOB, (run, { action, userId }) => performMachineAction(run, action, userId));
}
