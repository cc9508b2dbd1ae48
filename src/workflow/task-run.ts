import type { ConnectorConfig, LayerVersion, OsLayer, Task, TaskStep } from '../domain/model.js';
import { taskStatusOf, transition, type VersionEvent } from '../domain/version-status.js';
import type { Services } from '../services.js';
import type { AzureSession } from '../azure/gateway.js';
import { escapeMrkdwn, mention, mrkdwn, type Mrkdwn } from '../../views/blocks.js';
import type { LeaseGuard } from './task-lease.js';
import { addLogFields } from '../log-context.js';

/**
 * One task with its version, layer and connector, as a job or listener works on it. Every
 * change is written to the store first and then shown in Slack, so a restarted process
 * resumes from what the records say: steps already done are skipped.
 */
export class TaskRun {
  private constructor(
    readonly services: Services,
    public task: Task,
    public version: LayerVersion,
    readonly layer: OsLayer,
    readonly connector: ConnectorConfig,
  ) {}

  static async load(services: Services, taskId: string): Promise<TaskRun | null> {
    const { repos } = services;
    const task = await repos.tasks.get(taskId);
    if (!task) return null;
    const [version, layer] = await Promise.all([repos.versions.get(task.versionId), repos.layers.get(task.layerId)]);
    const connector = version ? await repos.connectors.get(version.connectorId) : null;
    if (!version || !layer || !connector) return null;
    addLogFields({ taskId, connector: connector.name });
    return new TaskRun(services, task, version, layer, connector);
  }

  private guard?: LeaseGuard;

  /** From now on every change first checks that this run still holds the task (see task-lease.ts). */
  holdBy(guard: LeaseGuard): void {
    this.guard = guard;
  }

  /** Aborted when another process takes the task over; long waits (disk copies) listen to it. */
  get signal(): AbortSignal | undefined {
    return this.guard?.signal;
  }

  azure(): AzureSession {
    return this.services.azure.session(this.connector);
  }

  /** Runs `work` as the named step unless a previous run already finished it. */
  async step<T>(name: string, work: () => Promise<T>): Promise<T | undefined> {
    if (this.task.steps.some((s) => s.name === name && s.status === 'done')) return undefined;
    this.guard?.assertHeld();
    const started: TaskStep = { name, status: 'running', startedAt: new Date() };
    await this.saveSteps([...this.task.steps.filter((s) => !(s.name === name && s.status !== 'done')), started], { progress: undefined });
    const result = await work();
    this.guard?.assertHeld();
    const done: TaskStep = { ...started, status: 'done', endedAt: new Date() };
    await this.saveSteps(this.task.steps.map((s) => (s.name === name && s.status === 'running' ? { ...done, detail: s.detail } : s)));
    await this.services.notifier.thread(this.task._id, mrkdwn`:white_check_mark: ${escapeMrkdwn(name)}`);
    return result;
  }

  /**
   * Progress of the running step (e.g. copy %); the message follows at Slack's pace. A poll that
   * finds the same percent changes nothing a person would see, so it is neither stored nor sent.
   */
  async progress(percent: number, detail?: string): Promise<void> {
    const running = this.task.steps.at(-1);
    if (this.task.progress === percent && (detail === undefined || running?.detail === detail)) return;
    const steps = this.task.steps.map((s, i, all) => (i === all.length - 1 && detail ? { ...s, detail } : s));
    await this.saveSteps(steps, { progress: percent });
    void this.services.notifier.refresh(this.task._id);
  }

  /** Moves the version (and its task) through the state machine; illegal moves throw. */
  async moveVersion(event: VersionEvent, fields: Partial<LayerVersion> = {}): Promise<void> {
    this.guard?.assertHeld();
    const status = transition(this.version.status, event);
    const now = new Date();
    this.version = { ...this.version, ...fields, status, updatedAt: now };
    await this.services.repos.versions.update(this.version._id, { ...fields, status, updatedAt: now });
    await this.updateTask({ status: taskStatusOf(status), ...(status === 'failed' ? {} : { failureReason: undefined, retryable: undefined }) });
    await this.services.notifier.refresh(this.task._id, { immediate: true });
  }

  /** Fails the version and task with a sentence a person can act on; says whether Retry is safe. */
  async fail(reason: string, opts: { retryable: boolean }): Promise<void> {
    this.guard?.assertHeld();
    const steps = this.task.steps.map((s) => (s.status === 'running' ? { ...s, status: 'failed' as const, endedAt: new Date(), detail: reason } : s));
    await this.saveSteps(steps);
    await this.updateTask({ failureReason: reason, retryable: opts.retryable });
    await this.moveVersion({ type: 'failed' });
    await this.services.notifier.thread(this.task._id, mrkdwn`:x: ${mention(this.task.startedBy)} ${escapeMrkdwn(reason)}`);
  }

  async thread(text: Mrkdwn): Promise<void> {
    this.guard?.assertHeld();
    await this.services.notifier.thread(this.task._id, text);
  }

  /** A file in the task's thread (files.uploadV2), introduced by `comment`. */
  async threadFile(file: { filename: string; title: string; content: string }, comment: Mrkdwn): Promise<void> {
    this.guard?.assertHeld();
    await this.services.notifier.threadFile(this.task._id, file, comment);
  }

  private async saveSteps(steps: TaskStep[], extra: Partial<Task> = {}): Promise<void> {
    await this.updateTask({ steps, ...extra });
  }

  /**
   * Writes go out one after another: progress reports are not awaited by the copy loop, and
   * two writes racing on different pool connections could land a stale step list last.
   */
  private updateTask(fields: Partial<Task>): Promise<void> {
    this.task = { ...this.task, ...fields, updatedAt: new Date() };
    const write = { ...fields, updatedAt: this.task.updatedAt };
    // A failed write is reported to its own caller and does not block the ones after it.
    this.writes = this.writes
      .catch(() => undefined)
      .then(async () => {
        await this.services.repos.tasks.update(this.task._id, write);
      });
    return this.writes;
  }

  private writes: Promise<void> = Promise.resolve();
}
