import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { ResponseUrlBudget, type FakeSlackWebApi, type StoredView } from '../../sandbox/slack/web-api.js';
import { actionOf, clientErrors, findElement, shownState, stateValues, withIds, type InputValue, type Inputs } from '../../sandbox/slack/block-kit.js';
import { parseAck, type BotAnswer, type BotEndpoint } from './bot-endpoint.js';
import type { LocalChannel, LocalUser } from './directory.js';
import * as payloads from './payloads.js';
import { workspaceState, type WorkspaceState } from './state.js';

export type Outcome = { ok: true } | { ok: false; status: number; error: string };

export interface ActionRequest {
  source: { type: 'message'; channel: string; ts: string } | { type: 'view'; viewId: string };
  blockId: string;
  actionId: string;
  /** The chosen option value(s), or the text of an input that dispatches actions. */
  chosen?: InputValue;
  /** What the person entered so far in the message or view. */
  inputs?: Inputs;
}

/** Where a response_url posts: the conversation, the person, and the message it came from. */
interface ResponseTarget {
  channel: string;
  user: string;
  messageTs?: string;
  threadTs?: string;
}

const OK: Outcome = { ok: true };
const SLACKBOT = 'Slackbot';

function flag(v: unknown): boolean {
  return v === true || v === 'true';
}

function failed(answer: Extract<BotAnswer, { ok: false }>): Outcome {
  return { ok: false, status: 502, error: answer.error };
}

/**
 * What Slack's servers and client do between a person and the app: turn what the person does
 * into signed requests, and apply the app's answers (ack bodies, response_action, response_url)
 * to the conversation and the modal stack kept in the fake Web API. Emits 'change' when only
 * the workspace's own state (submission errors) changed.
 */
export class Workspace extends EventEmitter {
  private readonly viewErrors = new Map<string, Record<string, string>>();
  private readonly responseTargets = new Map<string, ResponseTarget>();
  /** Slack's rule for response_urls: five posts within 30 minutes. */
  private readonly responseBudget = new ResponseUrlBudget();

  constructor(
    private readonly opts: {
      fake: FakeSlackWebApi;
      bot: BotEndpoint;
      users: readonly LocalUser[];
      channel: LocalChannel;
      /** The slash commands the app declares (manifest.yml). */
      commands: readonly string[];
      /** This workspace's address, for response_urls. */
      baseUrl: string;
    },
  ) {
    super();
  }

  userById(id: unknown): LocalUser | undefined {
    return this.opts.users.find((u) => u.id === id);
  }

  /** What `user` sees; `since` (the page's load time) drops older ephemerals, which Slack does not keep across a reload. */
  state(user: LocalUser, since?: number): WorkspaceState {
    return workspaceState(this.opts.fake, user.id, this.opts.channel, this.viewErrors, since);
  }

  /** The composer: a slash command goes to the app; anything else gets Slackbot's word, as nothing else here reads it. */
  async compose(user: LocalUser, channelId: string, text: string): Promise<Outcome> {
    const channel = this.channelOf(channelId);
    const match = /^(\/\S+)(?:\s+([\s\S]*))?$/.exec(text.trim());
    if (!match) {
      this.notice(user, channel.id, 'Only slash commands reach the app in this local workspace. Try `/oslayer help`.');
      return OK;
    }
    const [, command = '', args = ''] = match;
    if (!this.opts.commands.includes(command)) {
      this.notice(user, channel.id, `\`${command}\` is not a valid command. The app here answers ${this.opts.commands.map((c) => `\`${c}\``).join(', ')}.`);
      return OK;
    }
    const target: ResponseTarget = { channel: channel.id, user: user.id };
    const fields = payloads.slashCommandFields(this.who(user), channel, command, args, this.responseUrl(target));
    const answer = await this.opts.bot.command(fields);
    if (!answer.ok) {
      this.notice(user, channel.id, `\`${command}\` failed with the error "${answer.error}"`);
      return failed(answer);
    }
    const ack = parseAck(answer.body);
    if (ack) this.deliver(target, ack);
    return OK;
  }

  /** A click or a choice on an element of a message, a modal or the Home tab. */
  async act(user: LocalUser, req: ActionRequest): Promise<Outcome> {
    const payload = req.source.type === 'message' ? this.messageAction(user, req, req.source) : this.viewAction(user, req, req.source.viewId);
    if (!payload) return { ok: false, status: 404, error: 'element_not_found' };
    const answer = await this.opts.bot.interaction(payload);
    return answer.ok ? OK : failed(answer);
  }

  async submit(user: LocalUser, viewId: string, inputs: Inputs = {}): Promise<Outcome> {
    const top = this.modalOnScreen(user, viewId);
    if (!top) return { ok: false, status: 409, error: 'view_not_on_screen' };
    const blocks = withIds(top.view.blocks);
    const values = stateValues(blocks, inputs, shownState(top.view));
    this.opts.fake.recordState(viewId, values);
    const refused = clientErrors(blocks, values);
    if (Object.keys(refused).length > 0) return this.showErrors(viewId, refused);
    const answer = await this.opts.bot.interaction(payloads.viewSubmission(this.who(user), payloads.viewField(top.view, blocks, values)));
    if (!answer.ok) return failed(answer);
    this.viewErrors.delete(viewId);
    return this.applyResponseAction(user, top, parseAck(answer.body));
  }

  /** The modal's close button: Slack closes it at once, then tells the app if it asked (notify_on_close). */
  async close(user: LocalUser, viewId: string, inputs: Inputs = {}): Promise<Outcome> {
    const top = this.modalOnScreen(user, viewId);
    if (!top) return { ok: false, status: 409, error: 'view_not_on_screen' };
    const cleared = top.view.clear_on_close === true;
    this.viewErrors.delete(viewId);
    this.opts.fake.closeModal(user.id, cleared);
    if (top.view.notify_on_close !== true) return OK;
    const blocks = withIds(top.view.blocks);
    const view = payloads.viewField(top.view, blocks, stateValues(blocks, inputs, shownState(top.view)));
    const answer = await this.opts.bot.interaction(payloads.viewClosed(this.who(user), view, cleared));
    return answer.ok ? OK : failed(answer);
  }

  async homeOpened(user: LocalUser): Promise<Outcome> {
    const answer = await this.opts.bot.event(payloads.appHomeOpened(user, this.opts.fake.homeView(user.id)?.view));
    return answer.ok ? OK : failed(answer);
  }

  /** A POST from the app to a response_url this workspace handed out. */
  respond(token: string, body: Record<string, unknown>): Outcome {
    const target = this.responseTargets.get(token);
    const spent = this.responseBudget.use(token);
    if (!target || spent) return { ok: false, status: 404, error: spent ?? 'expired_url' };
    this.deliver(target, body);
    return OK;
  }

  private who(user: LocalUser): payloads.Who {
    return { user, triggerId: this.opts.fake.issueTrigger(user.id) };
  }

  private channelOf(id: string): LocalChannel {
    return id === this.opts.channel.id ? this.opts.channel : { id, name: id };
  }

  private responseUrl(target: ResponseTarget): string {
    const token = this.responseBudget.issue(randomBytes(12).toString('hex'));
    this.responseTargets.set(token, target);
    return `${this.opts.baseUrl}/response/${token}`;
  }

  /** Slack's own voice: an ephemeral message from Slackbot. */
  private notice(user: LocalUser, channel: string, text: string): void {
    this.opts.fake.post({ channel, user: user.id, ephemeral: true, text, username: SLACKBOT });
  }

  /** A command's ack body or a response_url post: delete or replace the source message, or post a new one. */
  private deliver(target: ResponseTarget, body: Record<string, unknown>): void {
    const { fake } = this.opts;
    const original = target.messageTs ? fake.messages.find((m) => m.channel === target.channel && m.ts === target.messageTs) : undefined;
    if (flag(body.delete_original) && original) {
      fake.deleteMessage(original.channel, original.ts);
      return;
    }
    const content = { text: body.text as string | undefined, blocks: body.blocks as unknown[] | undefined };
    if (flag(body.replace_original) && original) {
      fake.updateMessage(original, content);
      return;
    }
    if (content.text === undefined && content.blocks === undefined) return;
    const inChannel = body.response_type === 'in_channel';
    fake.post({ channel: target.channel, thread_ts: target.threadTs, ...content, ...(!inChannel && { user: target.user, ephemeral: true }) });
  }

  private messageAction(user: LocalUser, req: ActionRequest, source: { channel: string; ts: string }) {
    const msg = this.opts.fake.messages.find((m) => m.channel === source.channel && m.ts === source.ts && (!m.ephemeral || m.user === user.id));
    if (!msg) return undefined;
    const blocks = withIds(msg.blocks);
    const found = findElement(blocks, req.blockId, req.actionId);
    if (!found) return undefined;
    const url = this.responseUrl({ channel: msg.channel, user: user.id, messageTs: msg.ts, threadTs: msg.thread_ts });
    const from = { msg, blocks, channel: this.channelOf(msg.channel), values: stateValues(blocks, req.inputs) };
    return payloads.messageBlockActions(this.who(user), from, actionOf(found.block, found.element, req.chosen), url);
  }

  private viewAction(user: LocalUser, req: ActionRequest, viewId: string) {
    const stored = this.opts.fake.views.get(viewId);
    if (!stored || stored.user !== user.id) return undefined;
    const blocks = withIds(stored.view.blocks);
    const found = findElement(blocks, req.blockId, req.actionId);
    if (!found) return undefined;
    const values = stateValues(blocks, req.inputs, shownState(stored.view));
    // Slack knows what the person entered when the click arrives, and keeps it across the update the click may cause.
    this.opts.fake.recordState(viewId, values);
    const view = payloads.viewField(stored.view, blocks, values);
    return payloads.viewBlockActions(this.who(user), view, actionOf(found.block, found.element, req.chosen));
  }

  private modalOnScreen(user: LocalUser, viewId: string): StoredView | undefined {
    const top = this.opts.fake.modalStack(user.id).at(-1);
    return top?.id === viewId ? top : undefined;
  }

  private showErrors(viewId: string, errors: Record<string, string>): Outcome {
    this.viewErrors.set(viewId, errors);
    this.emit('change');
    return OK;
  }

  /** A view_submission's ack: no body closes the view; otherwise update, push, clear or errors. */
  private applyResponseAction(user: LocalUser, view: StoredView, ack: Record<string, unknown> | undefined): Outcome {
    const { fake } = this.opts;
    const next = ack?.view as Record<string, unknown> | undefined;
    switch (ack?.response_action) {
      case undefined:
        fake.closeModal(user.id, false);
        return OK;
      case 'clear':
        fake.closeModal(user.id, true);
        return OK;
      case 'update':
        if (!next) break;
        fake.replaceView(view.id, next);
        return OK;
      case 'push':
        if (!next) break;
        return fake.pushModal(user.id, next) ? OK : { ok: false, status: 502, error: 'push_limit_reached' };
      case 'errors':
        return this.showErrors(view.id, (ack.errors as Record<string, string> | undefined) ?? {});
    }
    return { ok: false, status: 502, error: `invalid response_action ${JSON.stringify(ack?.response_action)}` };
  }
}
