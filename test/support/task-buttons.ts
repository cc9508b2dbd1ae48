/**
 * The task message as its reader sees it in the sandbox: publish a version, click the buttons
 * that are on the message (signed block_actions into the real receiver, via SlackClientSim), and
 * wait for what the user would see next: the message, the thread, an ephemeral answer.
 */
import { SimulatorControl } from '../../src/sandbox/azure/control-client.js';
import type { InventoryItem } from '../../src/sandbox/azure/index.js';
import { TASK_TAG } from '../../src/azure/machine-spec.js';
import type { RecordedCall, StoredMessage } from '../../src/sandbox/slack/web-api.js';
import { DEMO_LAYER_NAME } from '../../src/sandbox/index.js';
import { createVersion } from '../../src/workflow/create-version.js';
import { GIB } from '../../src/azure/vhd.js';
import { TEST_LAYER_BYTES } from './ready-to-finalize.js';
import type { TestBot } from './bot.js';
import { isEphemeralTo, SlackClientSim } from './interactions.js';
import { until, whenSlackShows } from './waits.js';
import { TASK_ACTIONS } from '../../views/task-message.js';
import { CALLBACK, WIZARD_FIELD as F } from '../../views/ids.js';

export const CHANNEL = 'COSLAYER';
export const ADMIN = 'UADMIN1';
export const READER = 'UREADER1';

export interface PublishedVersion {
  taskId: string;
  versionId: string;
  vmName: string;
  ts: string;
}

export class TaskButtons {
  readonly sim: SlackClientSim;
  readonly control: SimulatorControl;

  constructor(readonly t: TestBot) {
    this.sim = new SlackClientSim(t);
    this.control = new SimulatorControl(t.bot.sandbox!.simulator);
  }

  start(): Promise<void> {
    return this.sim.start();
  }

  stop(): Promise<void> {
    return this.sim.stop();
  }

  /** Create Version for the demo layer, and wait for its Action Required message. */
  async publish(name: string): Promise<PublishedVersion> {
    const published = await this.createVersion(name);
    await this.waitForMessage(published, (text) => text.includes('Action Required') && text.includes('Deploy for me'), 60_000);
    return published;
  }

  /** Create Version for the demo layer (on `connectorId`, default the layer's), its task message posted; nothing waited for. */
  async createVersion(name: string, opts: { connectorId?: string } = {}): Promise<PublishedVersion> {
    const { services } = this.t.bot;
    const layer = (await services.repos.layers.findOne({ name: DEMO_LAYER_NAME }))!;
    const result = await createVersion(services, {
      layerId: layer._id,
      name,
      description: 'integrity and machine tests',
      baseVersionId: layer.latestVersionId!,
      maxLayerSizeGb: TEST_LAYER_BYTES / GIB,
      connectorId: opts.connectorId ?? layer.connectorId,
      packagingDiskFilename: `${name}.vhd`,
      requestedBy: ADMIN,
    });
    if (!result.ok) throw new Error(result.message);
    const where = await services.notifier.post(result.task._id, CHANNEL);
    return { taskId: result.task._id, versionId: result.version._id, vmName: name, ts: where.ts };
  }

  /** /oslayer add-version for the demo layer through the four wizard steps, as the admin would, to Action Required. */
  async createThroughWizard(name: string): Promise<PublishedVersion> {
    const { sim } = this;
    const opened = await sim.commandOpening(ADMIN, `add-version ${DEMO_LAYER_NAME}`, CHANNEL);
    expect(opened.view.callback_id).toBe(CALLBACK.wizardVersionDetails);
    // The smallest Max Layer Size the wizard takes, 1 GB: the simulator's disk import reads every byte.
    expect((await sim.submitSettled(ADMIN, { [F.versionName]: name, [F.maxLayerSizeGb]: '1' })).response_action).toBe('update');
    expect((await sim.submitSettled(ADMIN)).response_action).toBe('update');
    expect((await sim.submitSettled(ADMIN)).response_action).toBe('update');
    expect(sim.topView(ADMIN).view.callback_id).toBe(CALLBACK.wizardConfirm);
    const mark = sim.mark();
    await sim.submit(ADMIN);
    await sim.waitForCallAfter(mark, 'views.update');
    const { repos } = this.t.bot.services;
    const version = await this.until('the version to exist', () => repos.versions.findOne({ name }).then((found) => found ?? undefined), 10_000);
    const task = await this.until('its task message', () => repos.tasks.findOne({ versionId: version._id }).then((found) => (found?.slack ? found : undefined)), 10_000);
    const published = { taskId: task._id, versionId: version._id, vmName: version.packagingDiskFilename.replace(/\.vhd$/, ''), ts: task.slack!.ts };
    await this.waitForMessage(published, (json) => json.includes('Action Required') && json.includes('Deploy for me'), 60_000);
    return published;
  }

  /** The task message as it stands now. */
  message(v: PublishedVersion): StoredMessage {
    const found = this.t.slack.messages.find((m) => m.channel === CHANNEL && m.ts === v.ts);
    if (!found) throw new Error(`no task message ${v.ts}`);
    return found;
  }

  text(v: PublishedVersion): string {
    return JSON.stringify(this.message(v).blocks);
  }

  /** Clicks a button that is on the task message now (fails if it isn't there). */
  click(user: string, v: PublishedVersion, actionId: string): Promise<void> {
    return this.sim.clickInMessage(user, { blocks: this.message(v).blocks }, actionId, { value: v.taskId, channel: CHANNEL });
  }

  /** Resolves when the task message satisfies `match`. */
  waitForMessage(v: PublishedVersion, match: (blocksJson: string) => boolean, timeoutMs = 20_000): Promise<string> {
    return whenSlackShows(this.t.slack, 'the task message to match', () => {
      const found = this.t.slack.messages.find((m) => m.channel === CHANNEL && m.ts === v.ts);
      const text = found ? JSON.stringify(found.blocks) : '';
      return match(text) ? text : undefined;
    }, timeoutMs);
  }

  /** The number of calls so far: pass it to the wait helpers to see only what happens next. */
  mark(): number {
    return this.t.slack.calls.length;
  }

  /** The next ephemeral answer to `user` after `since` whose text matches. */
  waitForEphemeral(user: string, match: RegExp, since: number, timeoutMs = 20_000): Promise<string> {
    return whenSlackShows(this.t.slack, `an ephemeral to ${user} matching ${match}`, () => {
      const call = this.t.slack.calls.slice(since).find((c) => isEphemeralTo(c, user) && match.test(String(c.args.text)));
      return call ? String(call.args.text) : undefined;
    }, timeoutMs);
  }

  /** Every ephemeral answer to `user` after `since`. */
  ephemerals(user: string, since: number): string[] {
    return this.t.slack.calls.slice(since).filter((c) => isEphemeralTo(c, user)).map((c) => String(c.args.text));
  }

  threadTexts(v: PublishedVersion): string[] {
    return this.t.slack.callsTo('chat.postMessage').filter((c: RecordedCall) => c.args.thread_ts === v.ts).map((c) => String(c.args.text));
  }

  waitForThread(v: PublishedVersion, match: RegExp, timeoutMs = 20_000): Promise<string> {
    return whenSlackShows(this.t.slack, `a thread reply matching ${match}`, () => this.threadTexts(v).find((text) => match.test(text)), timeoutMs);
  }

  /** What the simulated subscription holds for the task. */
  async resourcesOf(v: PublishedVersion): Promise<InventoryItem[]> {
    return (await this.control.inventory()).filter((r) => r.tags?.[TASK_TAG] === v.taskId);
  }

  async vm(v: PublishedVersion): Promise<InventoryItem | undefined> {
    return (await this.resourcesOf(v)).find((r) => r.type === 'Microsoft.Compute/virtualMachines');
  }

  /**
   * Deploy for me, and wait until the machine runs, the bot has read its base inventory (it
   * holds the machine meanwhile, so a button clicked before then would be told it is busy) and the
   * message offers Install updates. A
   * machine whose image has no VM agent never reports ready, so nothing is read: `agent: false`.
   */
  async deploy(v: PublishedVersion, opts: { agent?: boolean } = {}): Promise<void> {
    await this.click(ADMIN, v, TASK_ACTIONS.deployForMe);
    await this.waitForThread(v, /is created and starting/, 30_000);
    if (opts.agent === false) return;
    await this.waitForThread(v, /has installed before any change|couldn't read what is installed/, 30_000);
    // The machine is free again: the message now offers Install updates, as the admin sees it.
    await this.waitForMessage(v, (json) => json.includes(TASK_ACTIONS.installUpdates), 30_000);
  }

  until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number): Promise<T> {
    return until(what, probe, timeoutMs);
  }
}
