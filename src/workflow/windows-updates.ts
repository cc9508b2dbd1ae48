/**
 * Install updates: rounds of search → install each update → restart through Azure when one
 * needs it → wait for the VM agent, until nothing applicable is left or the round limit is
 * reached. The script is fixed (src/azure/scripts/windows-update.ps1) and takes only the
 * mode and, for an install, the UpdateID the search reported, as Run Command parameters.
 *
 * Every stage is written to the version first (WindowsUpdateRun), so the task message shows it
 * and a job taken over after a crash knows where it was; the thread says each update's result
 * and, before and after it, every restart, so the machine is never mid-restart unannounced.
 * Output that cannot be read stops the run as failed with a Retry: it never means "no updates".
 */
import { randomUUID } from 'node:crypto';
import { AzureError, RunCommandBusyError } from '../azure/errors.js';
import { TASK_TAG } from '../azure/machine-spec.js';
import type { AzureSession } from '../azure/gateway.js';
import type { Machines } from '../azure/ports.js';
import { WINDOWS_UPDATE_SCRIPT } from '../azure/scripts/index.js';
import type { WindowsUpdateRun } from '../domain/model.js';
import {
  installed,
  progressText,
  readInstallOutput,
  readSearchOutput,
  resultText,
  UPDATE_MODE_LABEL,
  updateName,
  type ApplicableUpdate,
  type InstallReport,
  type UpdateMode,
} from '../domain/windows-update.js';
import { escapeMrkdwn, joinMrkdwn, mention, mrkdwn, type Mrkdwn } from '../../views/blocks.js';
import { recordBaseInventory } from './inventory.js';
import { locateMachine, notReadyFor, notWaitingForMachine, type MachinePlace } from './machine-actions.js';
import type { TaskRun } from './task-run.js';

export interface UpdateSettings {
  /** Rounds of search → install → restart before stopping (OSLAYER_UPDATE_ROUNDS, default 5). */
  rounds: number;
  /** How long one update's download and install may take (managed Run Command timeout). */
  installTimeoutSeconds: number;
  /** How long a search may take (managed Run Command timeout). */
  searchTimeoutSeconds: number;
  /** How often the machine is read while waiting for its VM agent after a restart. */
  agentPollMs: number;
  /** How long to wait for the agent after a restart before saying so and stopping. */
  agentWaitMs: number;
}

/** The managed Run Command the update script runs as (tagged with the task); each run replaces the last, and it is deleted after. */
const RUN_COMMAND_NAME = 'oslayer-windows-update';

/** A stop with a sentence for the thread and the task message. */
class UpdateRunStopped extends Error {
  constructor(readonly text: Mrkdwn) {
    super(text);
  }
}

/** Starts a new run (or, given the id of the one in progress, continues it) and answers what to tell the user who asked. Never throws. */
export async function installWindowsUpdates(run: TaskRun, request: { mode: UpdateMode; userId: string; runId: string }, settings: UpdateSettings): Promise<Mrkdwn> {
  const current = run.version.windowsUpdates;
  const resuming = current?.runId === request.runId && current.status === 'running';
  try {
    if (run.version.status !== 'action-required') return notWaitingForMachine(run.version);
    if (current?.runId === request.runId && current.status !== 'running') return mrkdwn`That update run has already ended; its result is on the task message.`;
    const azure = run.azure();
    const vm = await locateMachine(run, azure);
    // A run taken over mid-restart finds the agent down: waiting for it is its next step anyway.
    const problem = resuming && current.phase === 'waiting-for-agent' ? undefined : notReadyFor('install-updates', vm);
    if (problem || !vm) return problem ?? notReadyFor('install-updates', null)!;
    const state: WindowsUpdateRun = resuming
      ? current
      : {
          runId: request.runId,
          mode: request.mode,
          status: 'running',
          phase: 'searching',
          round: 1,
          rounds: settings.rounds,
          roundInstalled: 0,
          roundTotal: 0,
          installed: [],
          restarts: 0,
          startedBy: request.userId,
          startedAt: new Date(),
        };
    if (!resuming) {
      // The changelog's base must be read before the first change, if the watch has not read it yet.
      if (!run.version.baseInventory && !run.version.baseInventoryFailure) await recordBaseInventory(run, azure, vm);
      await run.thread(mrkdwn`:arrow_down: ${mention(request.userId)} started installing Windows updates on \`${escapeMrkdwn(vm.name)}\`: ${escapeMrkdwn(UPDATE_MODE_LABEL[request.mode].toLowerCase())}, at most ${settings.rounds} rounds.`);
    }
    return await new UpdateRounds(run, azure.machines, vm, state, settings).go();
  } catch (err) {
    const reason = stopReason(err);
    if (!(err instanceof UpdateRunStopped) && !(err instanceof AzureError)) run.services.logger.error(`installing updates for task ${run.task._id} failed:`, err);
    const started = run.version.windowsUpdates?.runId === request.runId ? run.version.windowsUpdates : undefined;
    if (started) await saveRun(run, { ...started, status: 'failed', phase: 'failed', failure: reason, endedAt: new Date() });
    const next = started ? mrkdwn`Click *Retry updates* to search and install again.` : mrkdwn`Nothing was installed; click *Install updates* to try again.`;
    await run.thread(mrkdwn`:x: ${mention(request.userId)} installing updates stopped: ${reason} ${next}`);
    return mrkdwn`Installing updates stopped: ${reason}`;
  }
}

function stopReason(err: unknown): Mrkdwn {
  if (err instanceof UpdateRunStopped) return err.text;
  if (err instanceof RunCommandBusyError) return mrkdwn`another script is running on the packaging machine (from the Azure portal, or a check); wait for it to finish.`;
  if (err instanceof AzureError) return mrkdwn`Azure refused: ${escapeMrkdwn(err.message)}.`;
  return mrkdwn`an unexpected error occurred; the details are in the bot log.`;
}

async function saveRun(run: TaskRun, windowsUpdates: WindowsUpdateRun): Promise<void> {
  run.version = { ...run.version, windowsUpdates };
  await run.services.repos.versions.update(run.version._id, { windowsUpdates });
  await run.services.notifier.refresh(run.task._id, { immediate: windowsUpdates.status !== 'running' });
}

class UpdateRounds {
  constructor(
    private readonly task: TaskRun,
    private readonly machines: Machines,
    private readonly vm: MachinePlace,
    private state: WindowsUpdateRun,
    private readonly settings: UpdateSettings,
  ) {}

  private async save(fields: Partial<WindowsUpdateRun>): Promise<void> {
    this.state = { ...this.state, ...fields };
    await saveRun(this.task, this.state);
  }

  async go(): Promise<Mrkdwn> {
    if (this.state.phase === 'restarting' || this.state.phase === 'waiting-for-agent') {
      await this.waitForAgent();
      await this.save({ round: this.state.round + 1, phase: 'searching', roundInstalled: 0, roundTotal: 0 });
    }
    for (;;) {
      await this.save({ phase: 'searching', roundInstalled: 0, roundTotal: 0 });
      const found = await this.search();
      if (found.total === 0) return this.finish();
      if (this.state.round > this.state.rounds) return this.finish(found.total);
      await this.save({ phase: 'installing', roundTotal: found.updates.length });
      const list = joinMrkdwn(found.updates.map((u) => mrkdwn`• ${escapeMrkdwn(updateName(u))}`));
      const more = found.total > found.updates.length ? mrkdwn`\n…and ${found.total - found.updates.length} more, installed in a following round.` : mrkdwn``;
      await this.task.thread(mrkdwn`:mag: Round ${this.state.round}: ${found.total} applicable update${found.total === 1 ? mrkdwn`` : mrkdwn`s`} on \`${escapeMrkdwn(this.vm.name)}\`:\n${list}${more}`);
      const results: InstallReport[] = [];
      for (const update of found.updates) results.push(await this.install(update));
      const failedOnes = results.filter((r) => !installed(r));
      const needRestart = results.filter((r) => installed(r) && r.rebootRequired);
      if (needRestart.length > 0) await this.restart(needRestart);
      if (failedOnes.length > 0) {
        const named = joinMrkdwn(failedOnes.map((r) => mrkdwn`${escapeMrkdwn(updateName(r))}: ${escapeMrkdwn(resultText(r))}`), mrkdwn`; `);
        throw new UpdateRunStopped(mrkdwn`${failedOnes.length} update${failedOnes.length === 1 ? mrkdwn`` : mrkdwn`s`} did not install — ${named}.`);
      }
      await this.save({ round: this.state.round + 1 });
    }
  }

  private async search(): Promise<{ total: number; updates: ApplicableUpdate[] }> {
    const result = await this.machines.runManagedPowerShell(this.vm, {
      name: RUN_COMMAND_NAME,
      script: WINDOWS_UPDATE_SCRIPT,
      parameters: { Action: 'search', Mode: this.state.mode },
      timeoutSeconds: this.settings.searchTimeoutSeconds,
      tags: { [TASK_TAG]: this.task.task._id },
    });
    if (result.state === 'timed-out') throw new UpdateRunStopped(mrkdwn`the search for updates did not finish within ${escapeMrkdwn(minutes(this.settings.searchTimeoutSeconds))}.`);
    const reading = readSearchOutput(result.output);
    if (!reading.ok) throw new UpdateRunStopped(mrkdwn`the search for updates in round ${this.state.round} could not be read: ${escapeMrkdwn(reading.failure.reason)}.`);
    return reading.value;
  }

  private async install(update: ApplicableUpdate): Promise<InstallReport> {
    const result = await this.machines.runManagedPowerShell(this.vm, {
      name: RUN_COMMAND_NAME,
      script: WINDOWS_UPDATE_SCRIPT,
      parameters: { Action: 'install', Mode: this.state.mode, UpdateId: update.id },
      timeoutSeconds: this.settings.installTimeoutSeconds,
      tags: { [TASK_TAG]: this.task.task._id },
    });
    const name = escapeMrkdwn(updateName(update));
    if (result.state === 'timed-out') {
      throw new UpdateRunStopped(mrkdwn`installing ${name} did not finish within ${escapeMrkdwn(minutes(this.settings.installTimeoutSeconds))}; Windows may still be installing it, so check the machine before you retry.`);
    }
    const reading = readInstallOutput(result.output, update.id);
    if (!reading.ok) throw new UpdateRunStopped(mrkdwn`the result of installing ${name} could not be read: ${escapeMrkdwn(reading.failure.reason)}.`);
    const report = reading.value;
    if (installed(report)) {
      const installedOnes = [...this.state.installed, { kb: report.kb, title: report.title, round: this.state.round, rebootRequired: report.rebootRequired }];
      await this.save({ installed: installedOnes, roundInstalled: this.state.roundInstalled + 1 });
      await this.task.thread(mrkdwn`:white_check_mark: ${escapeMrkdwn(updateName(report))}: installed${report.resultCode === 3 ? mrkdwn` with errors` : mrkdwn``}${report.rebootRequired ? mrkdwn` (needs a restart)` : mrkdwn``}. ${escapeMrkdwn(progressText(this.state))}.`);
    } else {
      await this.task.thread(mrkdwn`:x: ${escapeMrkdwn(updateName(report))}: not installed, ${escapeMrkdwn(resultText(report))}.`);
    }
    return report;
  }

  /** Restarts through Azure, saying so before and after, and waits for the VM agent. */
  private async restart(needRestart: InstallReport[]): Promise<void> {
    await this.save({ phase: 'restarting' });
    const which = escapeMrkdwn(needRestart.map((r) => r.kb || r.title).join(', '));
    await this.task.thread(mrkdwn`:arrows_counterclockwise: Restarting \`${escapeMrkdwn(this.vm.name)}\` through Azure to finish ${which}. Don't use the machine until I say it is back.`);
    await this.machines.restartVm(this.vm);
    await this.save({ phase: 'waiting-for-agent', restarts: this.state.restarts + 1 });
    await this.waitForAgent();
  }

  private async waitForAgent(): Promise<void> {
    const deadline = Date.now() + this.settings.agentWaitMs;
    for (;;) {
      const vm = await this.machines.getVm(this.vm);
      if (vm?.powerState === 'running' && vm.agentReady) break;
      if (!vm) throw new UpdateRunStopped(mrkdwn`the packaging machine \`${escapeMrkdwn(this.vm.name)}\` was deleted while it restarted.`);
      if (Date.now() > deadline) {
        throw new UpdateRunStopped(
          mrkdwn`\`${escapeMrkdwn(this.vm.name)}\` was restarted, but its VM agent has not reported ready within ${escapeMrkdwn(minutes(this.settings.agentWaitMs / 1000))} (it is ${escapeMrkdwn(vm.powerState)}); it may still be booting. Look at it in the Azure portal (Boot diagnostics) before you retry.`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, this.settings.agentPollMs));
    }
    await this.task.thread(mrkdwn`:white_check_mark: \`${escapeMrkdwn(this.vm.name)}\` is back after the restart (VM agent ready).`);
  }

  private async finish(remaining?: number): Promise<Mrkdwn> {
    const count = this.state.installed.length;
    const restarts = this.state.restarts === 0 ? mrkdwn`no restart` : mrkdwn`${this.state.restarts} restart${this.state.restarts === 1 ? mrkdwn`` : mrkdwn`s`}`;
    const done = mrkdwn`${count} update${count === 1 ? mrkdwn`` : mrkdwn`s`} installed with ${restarts}`;
    await this.save({ status: 'done', phase: 'done', endedAt: new Date(), ...(remaining ? { remaining } : {}) });
    if (remaining) {
      await this.task.thread(
        mrkdwn`:warning: Stopped after ${this.state.rounds} rounds: ${done}, and ${remaining} update${remaining === 1 ? mrkdwn` is` : mrkdwn`s are`} still applicable. Click *Install updates* again to go on.`,
      );
      return mrkdwn`Stopped after ${this.state.rounds} rounds: ${done}; ${remaining} still applicable.`;
    }
    await this.task.thread(mrkdwn`:white_check_mark: Windows updates are done on \`${escapeMrkdwn(this.vm.name)}\`: ${done}; nothing applicable is left (${escapeMrkdwn(UPDATE_MODE_LABEL[this.state.mode].toLowerCase())}).`);
    return mrkdwn`Windows updates are done: ${done}. Nothing applicable is left.`;
  }
}

function minutes(seconds: number): string {
  const m = Math.max(1, Math.round(seconds / 60));
  return `${m} minute${m === 1 ? '' : 's'}`;
}

/** A new run's id. */
export function newUpdateRunId(): string {
  return randomUUID();
}
