import type { Agenda, Job } from 'agenda';
import { ThrottledError } from '../src/azure/errors.js';
import { TASK_TAG } from '../src/azure/machine-spec.js';
import type { MachineWatch } from '../src/domain/model.js';
import type { Services } from '../src/services.js';
import { recordAddresses, recordMachine } from '../src/workflow/machine-actions.js';
import { deployClaimKey, scheduleBaseInventory, WATCH_MACHINE_JOB } from '../src/workflow/machine-jobs.js';
import { machineStateOf, nextReadDelayMs, type WatchSettings } from '../src/workflow/machine-watch.js';
import { TaskRun } from '../src/workflow/task-run.js';
import { escapeMrkdwn, mention, mrkdwn } from '../views/blocks.js';

const VM_TYPE = 'microsoft.compute/virtualmachines';

/**
 * Watches one version's packaging machine while the version is Action Required: one ARM read
 * per run (see src/workflow/machine-watch.ts for the budget), the task message kept current,
 * reminders when a machine runs for hours or never appears, and a report when a machine the
 * bot saw is deleted outside it. The job schedules its own next run; when the version moves on,
 * it simply doesn't, and Agenda removes it.
 */
export function defineWatchMachineJob(agenda: Agenda, services: Services, settings: WatchSettings): void {
  agenda.define(
    WATCH_MACHINE_JOB,
    async (job: Job<{ taskId: string }>) => {
      const run = await TaskRun.load(services, job.attrs.data.taskId);
      if (!run || run.version.status !== 'action-required') return;
      let delayMs: number;
      try {
        delayMs = await watchOnce(run, settings);
      } catch (err) {
        // The watch must outlive a bad moment (store or Slack hiccup); it looks again later.
        services.logger.warn(`watch of task ${run.task._id}: ${(err as Error).message}`);
        delayMs = nextReadDelayMs(settings, { failedReads: 1 });
      }
      job.schedule(new Date(Date.now() + delayMs));
    },
    { concurrency: 8, removeOnComplete: true },
  );
}

/** One look at the machine; answers how long to wait before the next one. */
async function watchOnce(run: TaskRun, settings: WatchSettings): Promise<number> {
  const now = new Date();
  const firstLook = !run.version.machineWatch;
  const previous: MachineWatch = run.version.machineWatch ?? { state: 'not-created', observedAt: now, watchingSince: now };
  let seen: Pick<MachineWatch, 'state' | 'agentReady'>;
  try {
    seen = await readMachine(run, previous);
  } catch (err) {
    const failedReads = (previous.failedReads ?? 0) + 1;
    run.services.logger.warn(`watching the packaging machine of task ${run.task._id}: ${(err as Error).message}`);
    await saveWatch(run, { ...previous, failedReads });
    return nextReadDelayMs(settings, { failedReads, retryAfterSeconds: err instanceof ThrottledError ? err.retryAfterSeconds : undefined });
  }

  const { runningSince: _previousRun, failedReads: _failures, ...kept } = previous;
  const runningSince = seen.state === 'running' ? (previous.runningSince ?? now) : undefined;
  const next: MachineWatch = { ...kept, ...seen, observedAt: now, ...(runningSince ? { runningSince } : {}) };
  if (seen.agentReady === undefined) delete next.agentReady;

  if (seen.state === 'gone' && previous.state !== 'gone') await reportGone(run);
  if (runningSince && !next.runningReminderSent && now.getTime() - runningSince.getTime() >= settings.runningReminderMs) {
    await run.thread(
      mrkdwn`:money_with_wings: ${mention(run.task.startedBy)} the packaging machine \`${escapeMrkdwn(run.version.packagingMachine?.name ?? "")}\` has been running for ${escapeMrkdwn(hours(now.getTime() - runningSince.getTime()))}, and Azure bills it while it runs. When you have finished installing, click *Shutdown for Finalize*; or stop it in the Azure portal until you need it.`,
    );
    next.runningReminderSent = true;
  }
  if (seen.state === 'not-created' && !next.noMachineReminderSent && now.getTime() - next.watchingSince.getTime() >= settings.noMachineReminderMs) {
    await run.thread(
      mrkdwn`:hourglass: ${mention(run.task.startedBy)} no packaging machine has been created for version *${escapeMrkdwn(run.version.name)}* in ${escapeMrkdwn(hours(now.getTime() - next.watchingSince.getTime()))}. Click *Create Packaging Machine* or *Deploy for me*, or *Cancel* the version if it is no longer needed (the packaging disk takes up storage until then).`,
    );
    next.noMachineReminderSent = true;
  }
  if (seen.agentReady) delete next.agentSilenceReported;
  const agentSilentMs = seen.state === 'running' && seen.agentReady === false && runningSince ? now.getTime() - runningSince.getTime() : 0;
  if (agentSilentMs >= settings.agentReportTimeoutMs && !next.agentSilenceReported) {
    await run.thread(
      mrkdwn`:warning: ${mention(run.task.startedBy)} the packaging machine \`${escapeMrkdwn(run.version.packagingMachine?.name ?? "")}\` has been running for ${escapeMrkdwn(hours(agentSilentMs))}, but its Azure VM agent has not reported. Without the agent oslayer cannot run the layer integrity check, so *Shutdown for Finalize* and *Finalize* cannot work. Install or enable the Azure VM agent (the Windows Azure Guest Agent service) in the base image, restart the machine, and it will report within a few minutes. See https://learn.microsoft.com/azure/virtual-machines/extensions/agent-windows`,
    );
    next.agentSilenceReported = true;
  }
  await saveWatch(run, next);
  // The changelog's base: what the machine has installed as it first comes up, before any change.
  if (seen.state === 'running' && seen.agentReady && !run.version.baseInventory && !run.version.baseInventoryFailure) {
    await scheduleBaseInventory(run.services, run.task._id);
  }
  if (firstLook || next.agentSilenceReported !== previous.agentSilenceReported || seen.state !== previous.state || seen.agentReady !== previous.agentReady) {
    await run.services.notifier.refresh(run.task._id);
  }
  return nextReadDelayMs(settings, { failedReads: 0 });
}

/** One ARM read (the known machine's instance view, or else one query for the task's tag), plus its addresses once it first runs. */
async function readMachine(run: TaskRun, previous: MachineWatch): Promise<Pick<MachineWatch, 'state' | 'agentReady'>> {
  const { machines } = run.azure();
  const known = run.version.packagingMachine;
  if (known?.vmId && previous.state !== 'gone') {
    const vm = await machines.getVm(known);
    if (!vm) return { state: 'gone' };
    const state = machineStateOf(vm);
    // Once per machine: its addresses are how the admin connects, and they don't change while it exists.
    if (state === 'running' && !known.address) await recordAddresses(run, vm);
    return { state, agentReady: vm.agentReady };
  }
  const vm = (await machines.findByTag(TASK_TAG, run.task._id)).find((r) => r.type.toLowerCase() === VM_TYPE);
  if (!vm) return { state: previous.state === 'gone' ? 'gone' : 'not-created' };
  // Its power state is read on the next run, keeping this one to a single read.
  await recordMachine(run, { name: vm.name, resourceGroup: vm.resourceGroup, vmId: vm.id });
  return { state: 'found' };
}

/** A machine the bot saw has disappeared: say so, and let Deploy for me create it again. */
async function reportGone(run: TaskRun): Promise<void> {
  // Cancel deletes the machine too; only a version still waiting on it was deleted "outside".
  const current = await run.services.repos.versions.get(run.version._id);
  if (current?.status !== 'action-required') return;
  await run.services.repos.claims.remove(deployClaimKey(run.version._id));
  await run.thread(
    mrkdwn`:warning: ${mention(run.task.startedBy)} the packaging machine \`${escapeMrkdwn(run.version.packagingMachine?.name ?? "")}\` was deleted outside oslayer. Click *Deploy for me* to create it again (its disk is reused if it is still there), or *Cancel* the version.`,
  );
}

/** Skipped once the version has moved on: Shutdown for Finalize has the last word on the machine then. */
async function saveWatch(run: TaskRun, machineWatch: MachineWatch): Promise<void> {
  const current = await run.services.repos.versions.get(run.version._id);
  if (current?.status !== 'action-required') return;
  run.version = { ...run.version, machineWatch };
  await run.services.repos.versions.update(run.version._id, { machineWatch });
}

function hours(ms: number): string {
  const h = ms / 3_600_000;
  if (h >= 1) return `${Math.floor(h)} hour${Math.floor(h) === 1 ? '' : 's'}`;
  const minutes = Math.max(1, Math.round(ms / 60_000));
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
