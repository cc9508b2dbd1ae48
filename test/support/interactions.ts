/**
 * Drives the bot the way Slack's client does: slash commands, button clicks and modal
 * submissions as signed requests into the real receiver, with the answers applied the way
 * Slack applies them (response_action update/push/clear/errors on the fake's modal stack,
 * response_url posts recorded). Payload fields follow Slack's documented shapes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { commandBody } from '../../src/sandbox/slack/signature.js';
import { ResponseUrlBudget, type RecordedCall, type StoredView } from '../../src/sandbox/slack/web-api.js';
import type { TestBot } from './bot.js';
import { interactionSender, slashCommand } from './slack-payloads.js';
import { whenSlackShows } from './waits.js';
import { checkBlockKitLimits } from '../../views/limits.js';
import { fieldOfBlockId } from '../../views/ids.js';

type Json = Record<string, any>;

/**
 * What the user types or picks, by block_id (or by the field's name, whatever revision its
 * block_id carries: views/ids.ts revisedBlockId): text, an option's value, or null to clear.
 */
export type Inputs = Record<string, string | null>;

export interface ResponseUrlPost {
  url: string;
  body: Json;
}

export interface SentSurface {
  kind: 'modal' | 'message';
  via: string;
  surface: Json;
}

export class SlackClientSim {
  /** Everything the bot posted to response_urls (and Slack took). */
  readonly responses: ResponseUrlPost[] = [];
  /** response_url posts Slack refused (more than five, or after 30 minutes), with its error. */
  readonly refusedResponses: Array<ResponseUrlPost & { error: string }> = [];
  readonly responseBudget = new ResponseUrlBudget();
  /** Who each response_url was handed to (path → user). */
  private readonly responseUsers = new Map<string, string>();
  /** Views and messages the bot answered with in HTTP bodies (acks), which the fake Web API never sees. */
  readonly ackSurfaces: SentSurface[] = [];
  private server?: Server;
  private responseBase = '';
  private seq = 0;

  constructor(private readonly t: TestBot) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const post = { url: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Json };
        const spent = this.responseBudget.use(post.url);
        if (spent) {
          this.refusedResponses.push({ ...post, error: spent });
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ ok: false, error: spent }));
          return;
        }
        this.responses.push(post);
        this.t.slack.recordResponseUrlPost(this.responseUsers.get(post.url), post.body);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.responseBase = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private responseUrl(user: string): string {
    const path = `/actions/${++this.seq}`;
    this.responseBudget.issue(path);
    this.responseUsers.set(path, user);
    return `${this.responseBase}${path}`;
  }

  /** `/oslayer <text>`; returns the ack body (parsed; {} when empty). */
  async command(user: string, text: string, channel = 'CTEST01'): Promise<Json> {
    const res = await this.t.post(
      commandBody(slashCommand(user, text, channel, { responseUrl: this.responseUrl(user), triggerId: this.t.slack.issueTrigger(user) })),
    );
    const body = parse(res.body);
    if (body.blocks) this.ackSurfaces.push({ kind: 'message', via: `/oslayer ${text}`, surface: body });
    return body;
  }

  /** A command that opens a modal after its ack: resolves once views.open was called. */
  async commandOpening(user: string, text: string, channel = 'CTEST01'): Promise<StoredView> {
    const mark = this.mark();
    const ack = await this.command(user, text, channel);
    if (Object.keys(ack).length > 0) throw new Error(`/oslayer ${text} answered ${JSON.stringify(ack)} instead of opening a modal`);
    await this.waitForCallAfter(mark, 'views.open');
    return this.topView(user);
  }

  /** The modal on top of the user's stack. */
  topView(user: string): StoredView {
    const top = this.t.slack.modalStack(user).at(-1);
    if (!top) throw new Error(`${user} has no modal open`);
    return top;
  }

  /**
   * What the user has on screen in the top modal once `inputs` are typed over what it showed;
   * the fake keeps it, as Slack does, for the next views.update.
   */
  private enter(user: string, inputs: Inputs): { stored: StoredView; view: Json } {
    const stored = this.topView(user);
    const values = stateOf(stored.view, inputs);
    this.t.slack.recordState(stored.id, values);
    return { stored, view: { ...stored.view, state: { values } } };
  }

  /** What the top modal shows in the input for `field` (a block_id or a field's name): its text or chosen option's value. */
  shownValue(user: string, field: string): string | null {
    const values = stateOf(this.topView(user).view, {});
    const blockId = Object.keys(values).find((id) => id === field || fieldOfBlockId(id) === field);
    if (blockId === undefined) throw new Error(`the top modal has no input for ${field}`);
    const entry = Object.values(values[blockId] as Json)[0] as Json;
    return entry.selected_option !== undefined ? (entry.selected_option?.value ?? null) : (entry.selected_conversation ?? entry.value ?? null);
  }

  /** The view_submission payload for the top modal with `inputs` typed over what it shows. */
  submission(user: string, inputs: Inputs = {}): Json {
    const { view } = this.enter(user, inputs);
    return {
      type: 'view_submission',
      ...interactionSender(user, this.t.slack.issueTrigger(user)),
      view,
      response_urls: [],
    };
  }

  /** Submits the top modal with `inputs` typed over its initial values; applies the answer as Slack would. */
  async submit(user: string, inputs: Inputs = {}): Promise<Json> {
    const stored = this.topView(user);
    const res = await this.t.interaction(this.submission(user, inputs));
    if (res.status !== 200) throw new Error(`view_submission answered HTTP ${res.status}: ${res.body}`);
    const answer = parse(res.body);
    // Slack refuses a response_action view it would refuse in views.update, and the modal stays as it was.
    const problems = answer.view ? checkBlockKitLimits(answer.view, 'modal') : [];
    if (problems.length > 0) throw new Error(`Slack would refuse the response_action ${answer.response_action} view: ${JSON.stringify(problems)}`);
    switch (answer.response_action) {
      case 'update':
        this.ackSurfaces.push({ kind: 'modal', via: 'response_action update', surface: answer.view });
        this.t.slack.replaceView(stored.id, answer.view);
        break;
      case 'push':
        this.ackSurfaces.push({ kind: 'modal', via: 'response_action push', surface: answer.view });
        this.t.slack.pushModal(user, answer.view);
        break;
      case 'clear':
        this.t.slack.closeModal(user, true);
        break;
      case 'errors':
        break;
      default:
        this.t.slack.closeModal(user, false);
    }
    return answer;
  }

  /**
   * Submits like `submit`; when the bot acks with a "Checking…" view (work that needs Azure runs
   * after the ack), also waits for the views.update that replaces it, as a person would.
   */
  async submitSettled(user: string, inputs: Inputs = {}): Promise<Json> {
    const mark = this.mark();
    const answer = await this.submit(user, inputs);
    if (answer.response_action === 'update' && JSON.stringify(answer.view).includes('Checking')) await this.waitForCallAfter(mark, 'views.update');
    return answer;
  }

  /** Clicks a button (or picks `selected` in a dispatching select) in the top modal, with `inputs` typed first. */
  async clickInView(user: string, actionId: string, opts: { inputs?: Inputs; selected?: string } = {}): Promise<void> {
    const found = findElement(this.topView(user).view, actionId, undefined);
    const { stored, view } = this.enter(user, { ...opts.inputs, ...(opts.selected !== undefined ? { [found.blockId]: opts.selected } : {}) });
    await this.postAction(user, found, { container: { type: 'view', view_id: stored.id }, view }, opts.selected);
  }

  /** Clicks a button (or picks `selected` in a select) in a message the bot answered with (an ack body or a response_url post). */
  async clickInMessage(user: string, message: Json, actionId: string, opts: { value?: string; channel?: string; selected?: string } = {}): Promise<void> {
    const found = findElement(message, actionId, opts.value);
    const channel = opts.channel ?? 'CTEST01';
    await this.postAction(
      user,
      found,
      {
        container: { type: 'message', message_ts: '0000000000.000001', channel_id: channel, is_ephemeral: true },
        channel: { id: channel, name: 'oslayer-test' },
        response_url: this.responseUrl(user),
      },
      opts.selected,
    );
  }

  private async postAction(user: string, found: FoundElement, where: Json, selected?: string): Promise<void> {
    const el = found.element;
    const action: Json = { type: el.type, action_id: el.action_id, block_id: found.blockId, action_ts: `${Date.now() / 1000}` };
    if (el.type === 'button') {
      action.text = el.text;
      if (el.value !== undefined) action.value = el.value;
    } else {
      action.selected_option = optionOf(el, selected ?? null);
    }
    const res = await this.t.interaction({
      type: 'block_actions',
      ...interactionSender(user, this.t.slack.issueTrigger(user)),
      actions: [action],
      ...where,
    });
    if (res.status !== 200) throw new Error(`block_actions answered HTTP ${res.status}: ${res.body}`);
  }

  /** A point in the fake Web API's call log, for waitForCallAfter. */
  mark(): number {
    return this.t.slack.calls.length;
  }

  /** The first `method` call made after `mark` (listeners keep working after their ack). */
  waitForCallAfter(mark: number, method: string) {
    return this.t.slack.waitForCall(method, (c) => this.t.slack.calls.indexOf(c) >= mark);
  }

  /** Waits until the bot has posted `count` response_url answers in total. */
  async waitForResponses(count: number, timeoutMs = 10_000): Promise<ResponseUrlPost[]> {
    // Each accepted post is recorded with the fake Slack's calls, which announces it.
    return whenSlackShows(this.t.slack, `${count} response_url posts`, () => (this.responses.length >= count ? this.responses : undefined), timeoutMs).catch(
      () => {
        throw new Error(`expected ${count} response_url posts, got ${this.responses.length}: ${JSON.stringify(this.responses)}`);
      },
    );
  }

  /** Every view and message the bot sent, by any route, for the Block Kit limits check. */
  allSurfaces(): SentSurface[] {
    const viaApi = this.t.slack.calls.flatMap((c): SentSurface[] => {
      if (['views.open', 'views.push', 'views.update'].includes(c.method)) return [{ kind: 'modal', via: c.method, surface: c.args.view as Json }];
      if (['chat.postMessage', 'chat.update', 'chat.postEphemeral'].includes(c.method) && c.args.blocks) {
        return [{ kind: 'message', via: c.method, surface: c.args as Json }];
      }
      return [];
    });
    const viaResponseUrl = this.responses.filter((r) => r.body.blocks).map((r) => ({ kind: 'message' as const, via: 'response_url', surface: r.body }));
    return [...viaApi, ...this.ackSurfaces, ...viaResponseUrl];
  }
}

/** An answer only `user` sees: an ephemeral through chat.postEphemeral or through a click's response_url. */
export function isEphemeralTo(call: RecordedCall, user: string): boolean {
  if (call.args.user !== user) return false;
  return call.method === 'chat.postEphemeral' || (call.method === 'response_url' && call.args.response_type === 'ephemeral');
}

function parse(body: string): Json {
  return body ? (JSON.parse(body) as Json) : {};
}

interface FoundElement {
  blockId: string;
  element: Json;
}

function findElement(surface: Json, actionId: string, value: string | undefined): FoundElement {
  for (const block of (surface.blocks ?? []) as Json[]) {
    const elements: Json[] = [...(block.elements ?? []), ...(block.element ? [block.element] : []), ...(block.accessory ? [block.accessory] : [])];
    const element = elements.find((e) => e.action_id === actionId && (value === undefined || e.value === value));
    if (element) return { blockId: block.block_id, element };
  }
  throw new Error(`no element ${actionId}${value ? ` with value ${value}` : ''} in ${JSON.stringify(surface.blocks)}`);
}

function optionOf(element: Json, value: string | null): Json | null {
  if (value === null) return null;
  const option = (element.options as Json[] | undefined)?.find((o) => o.value === value);
  if (!option) throw new Error(`no option ${value} in ${element.action_id}`);
  return option;
}

/**
 * view.state.values as Slack fills it: what the user typed or picked now, else what the input
 * already showed (kept by the fake across views.update while block_id and action_id stay the
 * same), else its initial value.
 */
function stateOf(view: Json, inputs: Inputs): Json {
  const values: Json = {};
  for (const block of (view.blocks ?? []) as Json[]) {
    if (block.type !== 'input') continue;
    const el = block.element as Json;
    const key = Object.hasOwn(inputs, block.block_id) ? block.block_id : fieldOfBlockId(block.block_id);
    const typed = Object.hasOwn(inputs, key) ? inputs[key]! : undefined;
    const shown = view.state?.values?.[block.block_id]?.[el.action_id] as Json | undefined;
    if (typed === undefined && shown) {
      values[block.block_id] = { [el.action_id]: shown };
    } else if (el.type === 'static_select' || el.type === 'radio_buttons') {
      const selected = typed !== undefined ? optionOf(el, typed) : (el.initial_option ?? null);
      values[block.block_id] = { [el.action_id]: { type: el.type, selected_option: selected } };
    } else if (el.type === 'conversations_select') {
      const conversation = typed !== undefined ? typed : (el.initial_conversation ?? null);
      values[block.block_id] = { [el.action_id]: { type: el.type, selected_conversation: conversation } };
    } else {
      const value = typed !== undefined ? typed : (el.initial_value ?? null);
      values[block.block_id] = { [el.action_id]: { type: el.type, value } };
    }
  }
  return values;
}
