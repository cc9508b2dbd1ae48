import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventEmitter } from 'node:events';
import { checkBlockKitLimits, messageTextRefusal, slackErrorMessages, viewSizeRefusal, type SurfaceKind } from '../../../views/limits.js';
import { readAppManifest, type AppManifest } from './manifest.js';
import { preservedState, shownState, withIds, type StateValues } from './block-kit.js';
import { RateLimiter, rateKey, type RateLimits } from './rate-limits.js';

/**
 * A local stand-in for Slack's Web API (https://slack.com/api/<method>): it records every call
 * and answers the methods the bot uses the way Slack does, refusing what Slack refuses, with
 * Slack's error codes (method pages at docs.slack.dev/reference/methods; the error names as
 * listed in slack-ruby/slack-api-ref methods/chat/*.json and methods/views/*.json):
 * - where the bot may post: a conversation it is a member of; a public channel it has not joined
 *   only with chat:write.public and only chat.postMessage (chat.postEphemeral answers
 *   `not_in_channel`); private channels, DMs and group DMs it is not in are invisible
 *   (`channel_not_found`); a DM to a user (channel = user id, or the app's IM) while the manifest's
 *   Messages tab is off is `messages_tab_disabled`; an unknown conversation is `channel_not_found`;
 * - blocks Slack would reject (views/limits.ts, the one validator): `invalid_blocks` for messages,
 *   `invalid_arguments` for views, with `response_metadata.messages` in Slack's `[ERROR] …` form;
 *   top-level `text` over 4,000 characters in chat.update or 40,000 in chat.postMessage is
 *   `msg_too_long`, a view over 250 kB `view_too_large` (sources in views/limits.ts);
 * - a trigger_id works once (`exchanged_trigger_id`) and for 3 s (`expired_trigger_id`);
 *   views.push only while the user has a modal open (Slack: push "from within an existing modal");
 * - views.update with a stale hash is `hash_conflict`;
 * - views.update and response_action update keep what an input showed while its block_id and
 *   action_id stay the same, so a new initial value shows only under a new block_id
 *   (block-kit.ts preservedState; the clients report what the person entered with recordState;
 *   source: the views.update method page, "Preserving input entry", and the Block Kit guide on
 *   updating modals, which says to change block_id to replace what a user typed);
 * - files.uploadV2 as Slack serves it (the files.getUploadURLExternal and files.completeUploadExternal
 *   method pages; arguments and errors in slack-api-ref methods/files/*.json at 096df9c7): the upload
 *   URL needs files:write (`missing_scope`), a length (`missing_argument` when 0); the bytes are
 *   POSTed to the upload URL; completing an unknown or not-uploaded file is `file_not_found`, sharing
 *   where the bot may not post `invalid_channel`; a shared file shows as a message with `files`;
 * - a response_url takes 5 posts within 30 minutes (ResponseUrlBudget; "Handling user
 *   interaction": up to five times within thirty minutes);
 * - each method's rate, per app per workspace (rate-limits.ts names the sources: the tier of every
 *   method the bot calls, chat.postMessage's one a second per channel): over it, HTTP 429 with
 *   `Retry-After` and `{"ok": false, "error": "ratelimited"}`. Tests and the bench lower the limits
 *   (`rateLimits` option, setRateLimits) to provoke 429s within seconds; `rateLimited` lists every
 *   refusal and callsInsideRetryAfter() every call a client made before the wait it was told.
 * Used by the tests and the local workspace, so both meet these rules.
 *
 * Events: 'call' (a RecordedCall), 'ratelimited' (a RateLimitedCall), 'message' (a StoredMessage posted or updated), and 'change'
 * after anything stored changed (messages, modal stacks, App Home views), which the workspace
 * page listens to.
 */

export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  at: number;
  /** Slack's error code when the fake answered `ok: false`. */
  error?: string;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text?: string;
  blocks?: unknown[];
  user?: string;
  bot_id: string;
  /** The display name the message was posted under, when not the bot's own (Slack's `username`). */
  username?: string;
  /** Ephemeral messages are seen only by `user`. */
  ephemeral?: boolean;
  /** Files shared with the message (files.completeUploadExternal). */
  files?: Array<{ id: string; name: string; title: string }>;
}

/** A file as files.getUploadURLExternal started it; `content` once its bytes were uploaded. */
export interface StoredFile {
  id: string;
  name: string;
  length: number;
  content?: string;
}

export interface StoredView {
  id: string;
  type: string;
  /** views.publish target, or the user who opened the modal. */
  user?: string;
  view: Record<string, unknown>;
}

/** A call the fake refused for its rate: what it counted against and how long it told the client to wait. */
export interface RateLimitedCall extends RecordedCall {
  rateKey: string;
  retryAfterSeconds: number;
}

/** A conversation the fake knows: its kind and whether the bot is in it (joined or invited). */
export interface Conversation {
  id: string;
  kind: 'public' | 'private' | 'im' | 'mpim';
  name?: string;
  botMember: boolean;
  /** Who else is in it; unset means everyone (a public channel everybody joined). */
  members?: readonly string[];
}

/** What a message needs when it is stored (the fake fills in ts and bot_id). */
export type NewMessage = Omit<StoredMessage, 'ts' | 'bot_id'>;

type Answer = Record<string, unknown> & { ok: boolean };

/** The bot's identity as the fake reports it (auth.test) and as the workspace shows it. */
export const FAKE_BOT = { user_id: 'UBOTOSLAYER', bot_id: 'BOSLAYER', app_id: 'AOSLAYER', team_id: 'TLOCAL', team: 'Local workspace', name: 'oslayer' };

/** Slack keeps at most three views in a user's modal stack. */
const MAX_MODAL_STACK = 3;
/** "trigger_ids expire after three seconds" (Slack, Handling user interaction). */
export const TRIGGER_LIFETIME_MS = 3000;

/**
 * "You can use a response_url five times within 30 minutes" (Slack, Handling user interaction):
 * the stand-ins that hand out response_urls (the test client, the local workspace) ask this
 * before applying a post, and answer Slack's `used_url` / `expired_url` when it is spent.
 */
export class ResponseUrlBudget {
  static readonly USES = 5;
  static readonly LIFETIME_MS = 30 * 60_000;
  private readonly issued = new Map<string, { at: number; uses: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  issue(url: string, at = this.now()): string {
    this.issued.set(url, { at, uses: 0 });
    return url;
  }

  /** Spends one use: undefined when the post may go through, else Slack's error. */
  use(url: string): 'used_url' | 'expired_url' | undefined {
    const entry = this.issued.get(url);
    if (!entry) return 'expired_url';
    if (this.now() - entry.at > ResponseUrlBudget.LIFETIME_MS) return 'expired_url';
    if (entry.uses >= ResponseUrlBudget.USES) return 'used_url';
    entry.uses++;
    return undefined;
  }
}

export class FakeSlackWebApi extends EventEmitter {
  readonly calls: RecordedCall[] = [];
  readonly messages: StoredMessage[] = [];
  readonly views = new Map<string, StoredView>();
  /** Calls refused with HTTP 429, in order; not in `calls`, which holds what Slack served or refused for another reason. */
  readonly rateLimited: RateLimitedCall[] = [];
  private readonly rates: RateLimiter;
  /** Trigger ids the fake has issued, with the user they were issued for and whether one was exchanged already. */
  private readonly triggers = new Map<string, { at: number; user?: string; used: boolean }>();
  private readonly conversations = new Map<string, Conversation>();
  private readonly manifest: Pick<AppManifest, 'messagesTabEnabled' | 'botScopes'>;
  /** Each user's open modals, root first: ids into `views`. */
  private readonly modalStacks = new Map<string, string[]>();
  /** Files by id, from files.getUploadURLExternal on. */
  readonly files = new Map<string, StoredFile>();
  private server?: Server;
  private baseUrl = '';
  private seq = 0;

  /** `manifest`: the app as configured (Messages tab, bot scopes); manifest.yml unless given. `rateLimits`: Slack's published ones unless given. */
  constructor(
    private readonly botToken: string,
    opts: { manifest?: Pick<AppManifest, 'messagesTabEnabled' | 'botScopes'>; rateLimits?: RateLimits } = {},
  ) {
    super();
    this.manifest = opts.manifest ?? readAppManifest();
    this.rates = new RateLimiter(opts.rateLimits);
  }

  /** Other limits from now on, every bucket full again (the bench switches between Slack's and lowered ones). */
  setRateLimits(limits: RateLimits): void {
    this.rates.set(limits);
  }

  /**
   * Calls made while a Retry-After the fake gave for the same method (and channel, for
   * chat.postMessage) was still running: a client that honours Retry-After makes none.
   */
  callsInsideRetryAfter(): RecordedCall[] {
    const made = [...this.calls, ...this.rateLimited];
    return made.filter((c) =>
      this.rateLimited.some((r) => r !== c && rateKey(c.method, c.args) === r.rateKey && c.at > r.at && c.at < r.at + r.retryAfterSeconds * 1000),
    );
  }

  /** A trigger_id such as Slack puts in a command or interaction payload; a modal opened with it belongs to `user`. `at` backdates it. */
  issueTrigger(user?: string, at = Date.now()): string {
    const id = `${at}.${++this.seq}.trigger`;
    this.triggers.set(id, { at, user, used: false });
    return id;
  }

  /** Makes a conversation known (the bot joined it, was invited, or is not in it). */
  addConversation(conversation: Conversation): void {
    this.conversations.set(conversation.id, conversation);
  }

  conversation(id: string): Conversation | undefined {
    return this.conversations.get(id);
  }

  /** Why Slack would refuse the bot's post to `channel`, or undefined when it goes through. */
  refusalFor(channel: string, kind: 'message' | 'ephemeral', user?: string): string | undefined {
    // A user id as the channel is the app's DM with that user.
    if (/^[UW][A-Z0-9]+$/.test(channel)) return this.manifest.messagesTabEnabled ? undefined : 'messages_tab_disabled';
    const c = this.conversations.get(channel);
    if (!c) return 'channel_not_found';
    if (c.kind === 'im' && c.botMember && !this.manifest.messagesTabEnabled) return 'messages_tab_disabled';
    if (!c.botMember) {
      // Private channels, DMs and group DMs the bot is not in are invisible to it.
      if (c.kind !== 'public') return 'channel_not_found';
      // chat:write.public lets a bot post in a public channel it has not joined; ephemerals still need membership.
      if (kind === 'ephemeral' || !this.manifest.botScopes.includes('chat:write.public')) return 'not_in_channel';
    }
    if (kind === 'ephemeral' && user && c.members && !c.members.includes(user)) return 'user_not_in_channel';
    return undefined;
  }

  /** The user's open modals, root first (the last one is the one on screen). */
  modalStack(user: string): StoredView[] {
    return (this.modalStacks.get(user) ?? []).flatMap((id) => this.views.get(id) ?? []);
  }

  homeView(user: string): StoredView | undefined {
    return this.views.get(homeViewId(user));
  }

  /** Opens a modal on top of the user's stack (views.push, or response_action push); undefined when the stack is full. */
  pushModal(user: string, view: Record<string, unknown>): StoredView | undefined {
    const stack = this.modalStacks.get(user) ?? [];
    if (stack.length >= MAX_MODAL_STACK) return undefined;
    const root = stack[0];
    const stored = this.storeView(view, undefined, user || undefined, { root, previous: stack.at(-1) });
    this.modalStacks.set(user, [...stack, stored.id]);
    return stored;
  }

  /**
   * Replaces a stored view in place, keeping its id and stack position (views.update, response_action
   * update), and what its inputs showed where the new view keeps their block_id and action_id.
   */
  replaceView(viewId: string, view: Record<string, unknown>): StoredView | undefined {
    const existing = this.views.get(viewId);
    if (!existing) return undefined;
    const { root_view_id, previous_view_id } = existing.view as { root_view_id?: string; previous_view_id?: string };
    const kept = preservedState(withIds(existing.view.blocks), shownState(existing.view), withIds(view.blocks));
    return this.storeView(view, viewId, existing.user, { root: root_view_id, previous: previous_view_id }, kept);
  }

  /** What the person entered in a view's inputs, as the client reports it with an interaction (view.state.values). */
  recordState(viewId: string, values: StateValues): void {
    const stored = this.views.get(viewId);
    if (stored) stored.view = { ...stored.view, state: { values } };
  }

  /** Closes the top modal, or the whole stack with `clear` (close button, submission, response_action clear). */
  closeModal(user: string, clear: boolean): void {
    const stack = this.modalStacks.get(user) ?? [];
    for (const id of clear ? stack.splice(0) : stack.splice(-1)) this.views.delete(id);
    if (stack.length === 0) this.modalStacks.delete(user);
    this.emit('change');
  }

  /** Stores a message as if the bot had posted it (chat.postMessage/postEphemeral, or a command's ack and response_url). */
  post(message: NewMessage): StoredMessage {
    const msg: StoredMessage = { ...message, ts: this.nextTs(), bot_id: FAKE_BOT.bot_id };
    this.messages.push(msg);
    this.emit('message', msg);
    this.emit('change');
    return msg;
  }

  /** Edits a stored message in place (chat.update, or a response_url with replace_original). */
  updateMessage(msg: StoredMessage, fields: { text?: string; blocks?: unknown[] }): StoredMessage {
    if (fields.text !== undefined) msg.text = fields.text;
    if (fields.blocks !== undefined) msg.blocks = fields.blocks;
    this.emit('message', msg);
    this.emit('change');
    return msg;
  }

  /** Removes one message (its replies stay, as in Slack); false when it is not there. */
  deleteMessage(channel: string, ts: string): boolean {
    const index = this.messages.findIndex((m) => m.channel === channel && m.ts === ts);
    if (index < 0) return false;
    this.messages.splice(index, 1);
    this.emit('change');
    return true;
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    const addr = this.server.address() as AddressInfo;
    this.baseUrl = `http://${host}:${addr.port}`;
    return `${this.baseUrl}/api/`;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /**
   * A post the bot made to a response_url handed out by a stand-in Slack client (the test client,
   * the local workspace): logged with the calls as method `response_url`, `user` being who clicked,
   * so tests see every answer the bot gave, by whichever route.
   */
  recordResponseUrlPost(user: string | undefined, body: Record<string, unknown>): void {
    const call: RecordedCall = { method: 'response_url', args: { ...body, ...(user ? { user } : {}) }, at: Date.now() };
    this.calls.push(call);
    this.emit('call', call);
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Resolves with the first call (already made or future) to `method` that satisfies `match`. */
  waitForCall(method: string, match: (c: RecordedCall) => boolean = () => true, timeoutMs = 10_000): Promise<RecordedCall> {
    return this.waitForAnyCall((c) => c.method === method && match(c), timeoutMs, `no ${method} call matched`);
  }

  /** Resolves with the first call of any method (response_url posts included) that satisfies `match`. */
  waitForAnyCall(match: (c: RecordedCall) => boolean, timeoutMs = 10_000, failure = 'no call matched'): Promise<RecordedCall> {
    const found = this.calls.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('call', onCall);
        reject(new Error(`${failure} within ${timeoutMs} ms; calls: ${this.calls.map((c) => c.method).join(', ')}`));
      }, timeoutMs);
      const onCall = (c: RecordedCall): void => {
        if (!match(c)) return;
        clearTimeout(timer);
        this.off('call', onCall);
        resolve(c);
      };
      this.on('call', onCall);
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const upload = /^\/upload\/(F\w+)$/.exec(req.url ?? '');
    if (upload) return this.receiveUpload(upload[1]!, uploadedBytes(raw, req.headers['content-type'] ?? ''), res);
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
    const args = parseArgs(raw, req.headers['content-type'] ?? '');
    const auth = req.headers.authorization?.replace(/^Bearer\s+/i, '') ?? (args.token as string | undefined);
    let answer: Answer;
    const retryAfterSeconds = auth === this.botToken ? this.rates.take(method, args) : undefined;
    if (auth !== this.botToken) {
      answer = { ok: false, error: auth ? 'invalid_auth' : 'not_authed' };
    } else if (retryAfterSeconds !== undefined) {
      const refused: RateLimitedCall = { method, args, at: Date.now(), error: 'ratelimited', rateKey: rateKey(method, args), retryAfterSeconds };
      this.rateLimited.push(refused);
      this.emit('ratelimited', refused);
      res.writeHead(429, { 'content-type': 'application/json; charset=utf-8', 'retry-after': String(retryAfterSeconds) });
      res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      return;
    } else {
      const call: RecordedCall = { method, args, at: Date.now() };
      this.calls.push(call);
      answer = this.answer(method, args);
      if (!answer.ok) call.error = String(answer.error);
      this.emit('call', call);
    }
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(answer));
  }

  private nextTs(): string {
    const now = Date.now();
    return `${Math.floor(now / 1000)}.${String(++this.seq).padStart(6, '0')}`;
  }

  /** Posts what chat.postMessage and chat.postEphemeral were given, after the channel's refusal and Block Kit's checks. */
  private postChecked(a: Record<string, unknown>, refused: string | undefined, extra: Partial<Pick<NewMessage, 'username' | 'user' | 'ephemeral'>>): StoredMessage | Answer {
    if (refused) return { ok: false, error: refused };
    const invalid = this.invalidBlocks(a.blocks);
    if (invalid) return invalid;
    return this.post({
      channel: String(a.channel),
      thread_ts: a.thread_ts as string | undefined,
      text: a.text as string | undefined,
      blocks: a.blocks as unknown[] | undefined,
      ...extra,
    });
  }

  private answer(method: string, a: Record<string, unknown>): Answer {
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://local.slack.invalid/', user: 'oslayer', ...FAKE_BOT };
      case 'chat.postMessage': {
        if (!a.channel) return { ok: false, error: 'channel_not_found' };
        if (!a.text && !a.blocks) return { ok: false, error: 'no_text' };
        const posted = this.postChecked(a, this.refusalFor(String(a.channel), 'message') ?? messageTextRefusal(a.text, 'chat.postMessage'), {
          username: a.username as string | undefined,
        });
        if (!('ts' in posted)) return posted;
        return { ok: true, channel: posted.channel, ts: posted.ts, message: { ...posted, type: 'message' } };
      }
      case 'chat.update': {
        const msg = this.messages.find((m) => m.channel === a.channel && m.ts === a.ts && !m.ephemeral);
        if (!msg) return { ok: false, error: 'message_not_found' };
        const tooLong = messageTextRefusal(a.text, 'chat.update');
        if (tooLong) return { ok: false, error: tooLong };
        const invalid = this.invalidBlocks(a.blocks);
        if (invalid) return invalid;
        this.updateMessage(msg, { text: a.text as string | undefined, blocks: a.blocks as unknown[] | undefined });
        return { ok: true, channel: msg.channel, ts: msg.ts, text: msg.text ?? '', message: { ...msg } };
      }
      case 'chat.postEphemeral': {
        if (!a.channel || !a.user) return { ok: false, error: 'invalid_arguments' };
        const posted = this.postChecked(a, this.refusalFor(String(a.channel), 'ephemeral', String(a.user)) ?? messageTextRefusal(a.text, 'chat.postEphemeral'), {
          user: String(a.user),
          ephemeral: true,
        });
        if (!('ts' in posted)) return posted;
        return { ok: true, message_ts: posted.ts };
      }
      case 'chat.delete':
        return this.deleteMessage(String(a.channel), String(a.ts))
          ? { ok: true, channel: a.channel, ts: a.ts }
          : { ok: false, error: 'message_not_found' };
      case 'conversations.info': {
        const c = this.conversations.get(String(a.channel));
        // Private channels, DMs and group DMs the bot is not in are invisible to it.
        if (!c || (!c.botMember && c.kind !== 'public')) return { ok: false, error: 'channel_not_found' };
        const needed = { public: 'channels:read', private: 'groups:read', im: 'im:read', mpim: 'mpim:read' }[c.kind];
        if (!this.manifest.botScopes.includes(needed)) return { ok: false, error: 'missing_scope', needed };
        return {
          ok: true,
          channel: {
            id: c.id,
            name: c.name,
            is_channel: c.kind === 'public' || c.kind === 'private',
            is_group: c.kind === 'private',
            is_im: c.kind === 'im',
            is_mpim: c.kind === 'mpim',
            is_private: c.kind !== 'public',
            is_archived: false,
            is_member: c.botMember,
          },
        };
      }
      case 'chat.getPermalink':
        return { ok: true, channel: a.channel, permalink: `https://local.slack.invalid/archives/${a.channel}/p${String(a.message_ts).replace('.', '')}` };
      case 'views.open':
      case 'views.push': {
        const issued = this.triggers.get(String(a.trigger_id));
        if (issued === undefined) return { ok: false, error: 'invalid_trigger_id' };
        if (issued.used) return { ok: false, error: 'exchanged_trigger_id' };
        if (Date.now() - issued.at > TRIGGER_LIFETIME_MS) return { ok: false, error: 'expired_trigger_id' };
        const invalid = this.invalidView(a.view, 'modal');
        if (invalid) return invalid;
        const user = issued.user ?? '';
        if (method === 'views.push' && (this.modalStacks.get(user) ?? []).length === 0) {
          return { ok: false, error: 'invalid_arguments', response_metadata: { messages: ['[ERROR] views.push needs an open modal to push onto; use views.open'] } };
        }
        issued.used = true;
        // views.open starts a new stack; views.push adds to the one on screen.
        if (method === 'views.open') this.closeModal(user, true);
        const view = this.pushModal(user, a.view as Record<string, unknown>);
        if (!view) return { ok: false, error: 'push_limit_reached' };
        return { ok: true, view: view.view };
      }
      case 'views.update': {
        const existing = a.view_id
          ? this.views.get(String(a.view_id))
          : [...this.views.values()].find((v) => a.external_id !== undefined && v.view.external_id === a.external_id);
        if (!existing) return { ok: false, error: 'not_found' };
        if (a.hash !== undefined && a.hash !== existing.view.hash) return { ok: false, error: 'hash_conflict' };
        const invalid = this.invalidView(a.view, existing.type === 'home' ? 'home' : 'modal');
        if (invalid) return invalid;
        const view = this.replaceView(existing.id, a.view as Record<string, unknown>)!;
        return { ok: true, view: view.view };
      }
      case 'views.publish': {
        const invalid = this.invalidView(a.view, 'home');
        if (invalid) return invalid;
        const user = String(a.user_id);
        const view = this.storeView(a.view as Record<string, unknown>, homeViewId(user), user);
        return { ok: true, view: view.view };
      }
      case 'files.getUploadURLExternal': {
        if (!this.manifest.botScopes.includes('files:write')) return { ok: false, error: 'missing_scope', needed: 'files:write' };
        const length = Number(a.length);
        if (!a.filename) return { ok: false, error: 'invalid_arguments' };
        if (!(length > 0)) return { ok: false, error: 'missing_argument' };
        const id = `F${String(++this.seq).padStart(9, '0')}`;
        this.files.set(id, { id, name: String(a.filename), length });
        return { ok: true, upload_url: `${this.baseUrl}/upload/${id}`, file_id: id };
      }
      case 'files.completeUploadExternal': {
        const wanted = (typeof a.files === 'string' ? safeJson(a.files) : a.files) as Array<{ id?: string; title?: string }> | undefined;
        if (!Array.isArray(wanted) || wanted.length === 0) return { ok: false, error: 'invalid_arguments' };
        const found = wanted.map((f) => ({ file: this.files.get(String(f.id)), title: f.title }));
        if (found.some((f) => f.file?.content === undefined)) return { ok: false, error: 'file_not_found' };
        const shared = found.map(({ file, title }) => ({ id: file!.id, name: file!.name, title: title ?? file!.name }));
        if (a.channel_id) {
          if (this.refusalFor(String(a.channel_id), 'message')) return { ok: false, error: 'invalid_channel' };
          this.post({ channel: String(a.channel_id), thread_ts: a.thread_ts as string | undefined, text: (a.initial_comment as string | undefined) ?? '', files: shared });
        }
        return { ok: true, files: shared };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  /** The bytes of a file, POSTed to the URL files.getUploadURLExternal gave; Slack answers 200 "OK - <length>". */
  private receiveUpload(id: string, body: string, res: ServerResponse): void {
    const file = this.files.get(id);
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    file.content = body;
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`OK - ${Buffer.byteLength(body)}`);
  }

  /** Slack's `invalid_blocks` answer when it would refuse these message blocks. */
  private invalidBlocks(blocks: unknown): Answer | undefined {
    if (blocks === undefined) return undefined;
    const found = checkBlockKitLimits({ blocks }, 'message');
    return found.length === 0 ? undefined : { ok: false, error: 'invalid_blocks', response_metadata: { messages: slackErrorMessages(found) } };
  }

  private invalidView(view: unknown, kind: SurfaceKind): Answer | undefined {
    if (typeof view !== 'object' || view === null) return { ok: false, error: 'invalid_arguments', response_metadata: { messages: ['[ERROR] missing required field: view'] } };
    const tooLarge = viewSizeRefusal(view);
    if (tooLarge) return { ok: false, error: tooLarge };
    const found = checkBlockKitLimits(view, kind);
    return found.length === 0 ? undefined : { ok: false, error: 'invalid_arguments', response_metadata: { messages: slackErrorMessages(found) } };
  }

  /** Stores a view with the fields Slack adds (id, hash, state, stack links); a new hash on every change, as Slack does. */
  private storeView(view: Record<string, unknown>, id?: string, user?: string, stack: { root?: string; previous?: string } = {}, state: StateValues = {}): StoredView {
    const viewId = id ?? `V${String(++this.seq).padStart(8, '0')}`;
    const stored: StoredView = {
      id: viewId,
      type: String(view.type),
      user,
      view: {
        ...view,
        id: viewId,
        team_id: FAKE_BOT.team_id,
        app_id: FAKE_BOT.app_id,
        bot_id: FAKE_BOT.bot_id,
        hash: `${Date.now()}.${++this.seq}`,
        state: { values: state },
        root_view_id: stack.root ?? viewId,
        previous_view_id: stack.previous ?? null,
      },
    };
    this.views.set(viewId, stored);
    this.emit('change');
    return stored;
  }
}

function homeViewId(user: string): string {
  return `VHOME${user}`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** What was uploaded: the body as sent, or the one part of a multipart form (the SDK sends the file that way). */
function uploadedBytes(raw: string, contentType: string): string {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!contentType.includes('multipart/form-data') || !boundary) return raw;
  const part = raw.split(`--${boundary[1] ?? boundary[2]}`)[1] ?? '';
  const start = part.indexOf('\r\n\r\n');
  return start < 0 ? '' : part.slice(start + 4).replace(/\r\n$/, '');
}

/** Slack's Web API accepts form fields (complex ones as JSON strings) or a JSON body. */
function parseArgs(raw: string, contentType: string): Record<string, unknown> {
  if (contentType.includes('application/json')) return raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    out[k] = /^[[{]/.test(v) ? safeJson(v) : v;
  }
  return out;
}

function safeJson(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}
