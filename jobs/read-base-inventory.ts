import type { Agenda, Job } from 'agenda';
import type { Services } from '../src/services.js';
import { recordBaseInventory } from '../src/workflow/inventory.js';
import { locateMachine } from '../src/workflow/machine-actions.js';
import { BASE_INVENTORY_JOB, claimMachine, releaseMachine } from '../src/workflow/machine-jobs.js';
import { TaskRun } from '../src/workflow/task-run.js';

/**
 * The base inventory, scheduled by the watch when it first sees the machine ready. If the
 * machine is busy (a check, an update run that read it first) the job just ends: the watch
 * schedules it again on its next look while there is still no base inventory.
 */
export function defineBaseInventoryJob(agenda: Agenda, services: Services): void {
  agenda.define(
    BASE_INVENTORY_JOB,
    async (job: Job<{ taskId: string }>) => {
      const run = await TaskRun.load(services, job.attrs.data.taskId);
      if (!run || run.version.status !== 'action-required' || run.version.baseInventory || run.version.baseInventoryFailure) return;
      const claim = await claimMachine(services.repos, run.version._id, 'inventory', 'oslayer');
      if (!claim.ok) return;
      try {
        const azure = run.azure();
        const vm = await locateMachine(run, azure);
        if (vm?.powerState === 'running' && vm.agentReady) await recordBaseInventory(run, azure, vm);
      } catch (err) {
        services.logger.warn(`reading the base inventory for task ${run.task._id}: ${(err as Error).message}`);
      } finally {
        await releaseMachine(services.repos, run.version._id);
      }
      // The machine is free again: the task message now offers Install updates.
      await services.notifier.refresh(run.task._id);
    },
    { concurrency: 4, removeOnComplete: true },
  );
}
