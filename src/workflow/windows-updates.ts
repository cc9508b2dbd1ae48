/**
 * Install updates: rounds of search → install each update → restart through Azure when one
 * needs it → wait for the VM agent, until nothing applicable is left or the round limit is
 * reached. The script is fixed (src/azure/scripts/windows-update.ps1) and takes only the
 * mode, the KBs named (optional updates to install, the layer's Exclude KBs), the index to list
 * from and, for an install, the UpdateID the search reported, as Run Command parameters.
 *
 * The loop rule: an update that fails twice, or is offered again after it reported installed,
 * stops the run on it (Exclude KB and continue, Retry updates, Stop); WU_E_INSTALL_NOT_ALLOWED
 * (0x80240016: another installation or a restart pending) gets a restart and one more try.
 *
 * Every stage is written to the version first (WindowsUpdateRun), so the task message shows it
 * and a job taken over after a crash knows where it was; the thread gets one reply per round
 * (its results, what was left out and why, and the restart it is about to make), so the machine
 * is never mid-restart unannounced. Output that cannot be read stops the run as failed with a
 * Retry: it never means "no updates".
 */
import { randomUUID } from 'node:crypto';
import { AzureError, RunCommandBusyError } from '../azure/errors.js';
import { TASK_TAG } from '../azure/machine-spec.js';
import type { AzureSession } from '../azure/gateway.js';
import type { Machines } from '../azure/ports.js';
import { WINDOWS_UPDATE_SCRIPT } from '../azure/scripts/index.js';
import type { WindowsUpdateRun } from '../domain/model.js';
import {
  HELD_REASON_TEXT,
  installed,
  formatHresult,
  readInstallOutput,
  readSearchOutput,
  resultText,
  UPDATE_MODE_LABEL,
  updateName,
  WU_E_INSTALL_NOT_ALLOWED,
  type ApplicableUpdate,
  type HeldUpdate,
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

/** A stop on one update (the loop rule), which Exclude KB and continue can get past. */
class UpdateRunStuck extends UpdateRunStopped {
  constructor(
    text: Mrkdwn,
    readonly stuck: NonNullable<WindowsUpdateRun['stuck']>,
  ) {
    super(text);
  }
}

export interface UpdateRunRequest {
  mode: UpdateMode;
  userId: string;
  runId: string;
  /** The layer's Exclude KBs and the optional updates named, as KB numbers. */
  excludeKbs?: string[];
  includeKbs?: string[];
}

/** Starts a new run (or, given the id of the one in progress, continues it) and answers what to tell the user who asked. Never throws. */
export async function installWindowsUpdates(run: TaskRun, request: UpdateRunRequest, settings: UpdateSettings): Promise<Mrkdwn> {
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
    const excludeKbs = request.excludeKbs ?? [];
    const includeKbs = request.includeKbs ?? [];
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
          excludeKbs,
          includeKbs,
          startedBy: request.userId,
          startedAt: new Date(),
        };
    if (!resuming) {
      // The changelog's base must be read before the first change, if the watch has not read it yet.
      if (!run.version.baseInventory && !run.version.baseInventoryFailure) await recordBaseInventory(run, azure, vm);
      const named = includeKbs.length ? mrkdwn` Optional updates named: ${escapeMrkdwn(includeKbs.join(', '))}.` : mrkdwn``;
      const left = excludeKbs.length ? mrkdwn` Excluded on this layer: ${escapeMrkdwn(excludeKbs.join(', '))}.` : mrkdwn``;
      await run.thread(
        mrkdwn`:arrow_down: ${mention(request.userId)} started installing Windows updates on \`${escapeMrkdwn(vm.name)}\`: ${escapeMrkdwn(UPDATE_MODE_LABEL[request.mode].toLowerCase())}, at most ${settings.rounds} rounds. Feature updates (Upgrades) and optional updates are never installed unless an optional one is named by KB.${named}${left}`,
      );
    }
    return await new UpdateRounds(run, azure.machines, vm, state, settings).go();
  } catch (err) {
    const reason = stopReason(err);
    if (!(err instanceof UpdateRunStopped) && !(err instanceof AzureError)) run.services.logger.error(`installing updates for task ${run.task._id} failed:`, err);
    const started = run.version.windowsUpdates?.runId === request.runId ? run.version.windowsUpdates : undefined;
    const stuck = err instanceof UpdateRunStuck ? { stuck: err.stuck } : {};
    if (started) await saveRun(run, { ...started, status: 'failed', phase: 'failed', failure: reason, endedAt: new Date(), ...stuck });
    const next =
      err instanceof UpdateRunStuck
        ? mrkdwn`Click *Exclude ${escapeMrkdwn(err.stuck.kb || 'the update')} and continue* to leave it out on this layer and install the rest, *Retry updates* to try it again, or *Stop*.`
        : started
          ? mrkdwn`Click *Retry updates* to search and install again.`
          : mrkdwn`Nothing was installed; click *Install updates* to try again.`;
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
  // How a run ended (with its buttons: Exclude KB and continue, Install updates) is shown by the
  // caller once it has given the machine back, so a click on it finds the machine free.
  if (windowsUpdates.status === 'running') await run.services.notifier.refresh(run.task._id);
}

/** At most this many search pages per round (each lists what fits Run Command's output). */
const MAX_SEARCH_PAGES = 100;

interface SearchResult {
  total: number;
  updates: ApplicableUpdate[];
  held: HeldUpdate[];
  heldTotal: number;
}

/** "• KB… title: why", for what a search left out. */
function heldLines(held: readonly HeldUpdate[], heldTotal: number): Mrkdwn {
  if (heldTotal === 0) return mrkdwn``;
  const lines = held.map((u) => mrkdwn`• ${escapeMrkdwn(updateName(u))}: ${escapeMrkdwn(HELD_REASON_TEXT[u.reason])}.`);
  const more = heldTotal > held.length ? mrkdwn`\n• …and ${heldTotal - held.length} more left out.` : mrkdwn``;
  return mrkdwn`\nNot installed:\n${joinMrkdwn(lines)}${more}`;
}

class UpdateRounds {
  /** Said at the start of the next thread reply: the machine is back after a restart. */
  private backNote: Mrkdwn = mrkdwn``;

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

  /** One thread reply, after the note that the machine is back if there is one. */
  private async say(text: Mrkdwn): Promise<void> {
    await this.task.thread(mrkdwn`${this.backNote}${text}`);
    this.backNote = mrkdwn``;
  }

  async go(): Promise<Mrkdwn> {
    if (this.state.phase === 'restarting' || this.state.phase === 'waiting-for-agent') {
      await this.waitForAgent();
      await this.save({ round: this.state.round + 1, phase: 'searching', roundInstalled: 0, roundTotal: 0 });
    }
    for (;;) {
      await this.save({ phase: 'searching', roundInstalled: 0, roundTotal: 0 });
      const found = await this.searchAll();
      await this.save({ held: found.held, heldTotal: found.heldTotal });
      const installedIds = new Set(this.state.installed.flatMap((u) => (u.id ? [u.id.toLowerCase()] : [])));
      const again = found.updates.find((u) => installedIds.has(u.id.toLowerCase()));
      if (again) this.stuckOn(again, { resultCode: 2, hresult: 0 }, 'reappeared');
      if (found.total === 0) return this.finish(found);
      if (this.state.round > this.state.rounds) return this.finish(found, found.total);
      await this.save({ phase: 'installing', roundTotal: found.updates.length });
      const lines: Mrkdwn[] = [];
      const needRestart: InstallReport[] = [];
      let busy: InstallReport | undefined;
      let stuck: UpdateRunStuck | undefined;
      for (const update of found.updates) {
        const report = await this.install(update);
        const name = escapeMrkdwn(updateName(report));
        if (installed(report)) {
          if (report.rebootRequired) needRestart.push(report);
          lines.push(mrkdwn`• ${name}: installed${report.resultCode === 3 ? mrkdwn` with errors` : mrkdwn``}${report.rebootRequired ? mrkdwn` (needs a restart)` : mrkdwn``}.`);
          continue;
        }
        const restarted = this.state.restartedForBusy ?? [];
        if (report.hresult === WU_E_INSTALL_NOT_ALLOWED && !restarted.includes(report.id)) {
          // Another installation runs or a restart is pending: restart, then try it again.
          await this.save({ restartedForBusy: [...restarted, report.id] });
          lines.push(mrkdwn`• ${name}: Windows Update did not install it yet (HRESULT ${escapeMrkdwn(formatHresult(report.hresult))}: another installation is running or a restart is pending); I restart the machine and try again.`);
          busy = report;
          break;
        }
        const failures = { ...this.state.failures, [report.id]: (this.state.failures?.[report.id] ?? 0) + 1 };
        await this.save({ failures });
        lines.push(mrkdwn`• ${name}: not installed, ${escapeMrkdwn(resultText(report))}${failures[report.id]! < 2 ? mrkdwn`; I try it once more in the next round` : mrkdwn``}.`);
        if (failures[report.id]! >= 2) {
          stuck = this.stuckError(report, report, 'failed-twice');
          break;
        }
      }
      const restartFor = [...needRestart, ...(busy ? [busy] : [])];
      const which = escapeMrkdwn(restartFor.map((r) => r.kb || r.title).join(', '));
      const restarting =
        restartFor.length > 0 ? mrkdwn`\n:arrows_counterclockwise: Restarting \`${escapeMrkdwn(this.vm.name)}\` through Azure to finish ${which}. Don't use the machine until I say it is back.` : mrkdwn``;
      const count = mrkdwn`${found.total} applicable update${found.total === 1 ? mrkdwn`` : mrkdwn`s`}`;
      await this.say(mrkdwn`:mag: Round ${this.state.round}: ${count} on \`${escapeMrkdwn(this.vm.name)}\`:\n${joinMrkdwn(lines)}${heldLines(found.held, found.heldTotal)}${restarting}`);
      if (restartFor.length > 0) await this.restart();
      if (stuck) throw stuck;
      await this.save({ round: this.state.round + 1 });
    }
  }

  private stuckError(update: { id: string; kb: string; title: string }, result: Pick<InstallReport, 'resultCode' | 'hresult'>, why: 'failed-twice' | 'reappeared'): UpdateRunStuck {
    const name = escapeMrkdwn(updateName(update));
    const what =
      why === 'failed-twice'
        ? mrkdwn`${name}: ${escapeMrkdwn(resultText(result))}; it failed twice, so I stopped instead of trying it again.`
        : mrkdwn`${name}: ${escapeMrkdwn(resultText(result))}, yet Windows Update offers it again after it reported installed; installing it again would loop.`;
    return new UpdateRunStuck(what, { id: update.id, kb: update.kb, title: update.title, resultCode: result.resultCode, hresult: result.hresult, why });
  }

  private stuckOn(update: ApplicableUpdate, result: Pick<InstallReport, 'resultCode' | 'hresult'>, why: 'failed-twice' | 'reappeared'): never {
    throw this.stuckError(update, result, why);
  }

  /** Every page of one search: the script lists what fits Run Command's output, from the index asked for. */
  private async searchAll(): Promise<SearchResult> {
    const result: SearchResult = { total: 0, updates: [], held: [], heldTotal: 0 };
    for (let page = 0; page < MAX_SEARCH_PAGES; page++) {
      const found = await this.search(result.updates.length);
      if (page === 0) Object.assign(result, { total: found.total, held: found.held, heldTotal: found.heldTotal });
      else if (found.total !== result.total) throw new UpdateRunStopped(mrkdwn`the updates Windows Update offers changed while I read the list (${result.total}, then ${found.total}); click *Retry updates*.`);
      result.updates.push(...found.updates);
      if (result.updates.length >= result.total) return result;
    }
    throw new UpdateRunStopped(mrkdwn`the list of updates did not fit in ${MAX_SEARCH_PAGES} searches.`);
  }

  private parameters(fields: Record<string, string>): Record<string, string> {
    const kbs = (list: string[] | undefined) => (list ?? []).join(',');
    return { Mode: this.state.mode, IncludeKbs: kbs(this.state.includeKbs), ExcludeKbs: kbs(this.state.excludeKbs), ...fields };
  }

  private async search(from: number): Promise<SearchResult> {
    const result = await this.machines.runManagedPowerShell(this.vm, {
      name: RUN_COMMAND_NAME,
      script: WINDOWS_UPDATE_SCRIPT,
      parameters: this.parameters({ Action: 'search', Skip: String(from) }),
      timeoutSeconds: this.settings.searchTimeoutSeconds,
      tags: { [TASK_TAG]: this.task.task._id },
    });
    if (result.state === 'timed-out' || result.state === 'running') throw new UpdateRunStopped(mrkdwn`the search for updates did not finish within ${minutes(this.settings.searchTimeoutSeconds)}.`);
    const reading = readSearchOutput(result.output, from);
    if (!reading.ok) throw new UpdateRunStopped(mrkdwn`the search for updates in round ${this.state.round} could not be read: ${escapeMrkdwn(reading.failure.reason)}.`);
    return reading.value;
  }

  private async install(update: ApplicableUpdate): Promise<InstallReport> {
    const result = await this.machines.runManagedPowerShell(this.vm, {
      name: RUN_COMMAND_NAME,
      script: WINDOWS_UPDATE_SCRIPT,
      parameters: this.parameters({ Action: 'install', UpdateId: update.id }),
      timeoutSeconds: this.settings.installTimeoutSeconds,
      tags: { [TASK_TAG]: this.task.task._id },
    });
    const name = escapeMrkdwn(updateName(update));
    if (result.state === 'timed-out' || result.state === 'running') {
      throw new UpdateRunStopped(mrkdwn`installing ${name} did not finish within ${minutes(this.settings.installTimeoutSeconds)}; Windows may still be installing it, so check the machine before you retry.`);
    }
    const reading = readInstallOutput(result.output, update.id);
    if (!reading.ok) throw new UpdateRunStopped(mrkdwn`the result of installing ${name} could not be read: ${escapeMrkdwn(reading.failure.reason)}.`);
    const report = reading.value;
    if (installed(report)) {
      const installedOnes = [...this.state.installed, { id: update.id.toLowerCase(), kb: report.kb, title: report.title, round: this.state.round, rebootRequired: report.rebootRequired }];
      await this.save({ installed: installedOnes, roundInstalled: this.state.roundInstalled + 1 });
    }
    return report;
  }

  /** Restarts through Azure (the round's reply has said so) and waits for the VM agent. */
  private async restart(): Promise<void> {
    await this.save({ phase: 'restarting' });
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
          mrkdwn`\`${escapeMrkdwn(this.vm.name)}\` was restarted, but its VM agent has not reported ready within ${minutes(this.settings.agentWaitMs / 1000)} (it is ${escapeMrkdwn(vm.powerState)}); it may still be booting. Look at it in the Azure portal (Boot diagnostics) before you retry.`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, this.settings.agentPollMs));
    }
    this.backNote = mrkdwn`:white_check_mark: \`${escapeMrkdwn(this.vm.name)}\` is back after the restart (VM agent ready).\n`;
  }

  private async finish(found: SearchResult, remaining?: number): Promise<Mrkdwn> {
    const count = this.state.installed.length;
    const restarts = this.state.restarts === 0 ? mrkdwn`no restart` : mrkdwn`${this.state.restarts} restart${this.state.restarts === 1 ? mrkdwn`` : mrkdwn`s`}`;
    const done = mrkdwn`${count} update${count === 1 ? mrkdwn`` : mrkdwn`s`} installed with ${restarts}`;
    await this.save({ status: 'done', phase: 'done', endedAt: new Date(), ...(remaining ? { remaining } : {}) });
    const held = heldLines(found.held, found.heldTotal);
    if (remaining) {
      await this.say(
        mrkdwn`:warning: Stopped after ${this.state.rounds} rounds: ${done}, and ${remaining} update${remaining === 1 ? mrkdwn` is` : mrkdwn`s are`} still applicable. Click *Install updates* again to go on.${held}`,
      );
      return mrkdwn`Stopped after ${this.state.rounds} rounds: ${done}; ${remaining} still applicable.`;
    }
    await this.say(
      mrkdwn`:white_check_mark: Windows updates are done on \`${escapeMrkdwn(this.vm.name)}\`: ${done}; nothing applicable is left (${escapeMrkdwn(UPDATE_MODE_LABEL[this.state.mode].toLowerCase())}).${held}`,
    );
    return mrkdwn`Windows updates are done: ${done}. Nothing applicable is left.`;
  }
}

function minutes(seconds: number): Mrkdwn {
  const m = Math.max(1, Math.round(seconds / 60));
  return mrkdwn`${m} minute${m === 1 ? mrkdwn`` : mrkdwn`s`}`;
}

/** Stop: ends a run that stopped on one update, so its buttons go; answers the clicker. */
export async function stopUpdateRun(run: TaskRun, userId: string): Promise<Mrkdwn> {
  const last = run.version.windowsUpdates;
  if (last?.status !== 'failed') return mrkdwn`There is no stopped update run to end.`;
  await saveRun(run, { ...last, status: 'stopped', endedAt: new Date() });
  const which = last.stuck ? mrkdwn` ${escapeMrkdwn(updateName(last.stuck))} stays pending.` : mrkdwn``;
  await run.thread(mrkdwn`:octagonal_sign: ${mention(userId)} ended the update run.${which} Click *Install updates* to start a new one.`);
  return mrkdwn`The update run is ended.${which}`;
}

/** A new run's id. */
export function newUpdateRunId(): string {
  return randomUUID();
}
