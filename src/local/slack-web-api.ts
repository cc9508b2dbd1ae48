import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventEmitter } from 'node:events';

/**
 * A local stand-in for Slack's Web API (https://slack.com/api/<method>): it records every call
 * and answers the methods the bot uses the way Slack does, including Slack's error codes for
 * bad tokens, unknown messages and expired trigger ids. Used by the tests and the local workspace.
 */

export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  at: number;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text?: string;
  blocks?: unknown[];
  user?: string;
  bot_id: string;
  /** Ephemeral messages are seen only by `user`. */
  ephemeral?: boolean;
}

export interface StoredView {
  id: string;
  type: string;
  /** views.publish target, or the user who opened the modal. */
  user?: string;
  view: Record<string, unknown>;
  /** Modal stack position (root = 0). */
  stack?: string[];
}

type Answer = Record<string, unknown> & { ok: boolean };

const BOT = { user_id: 'UBOTOSLAYER', bot_id: 'BOSLAYER', team_id: 'TLOCAL', team: 'Local workspace' };

export class FakeSlackWebApi extends EventEmitter {
  readonly calls: RecordedCall[] = [];
  readonly messages: StoredMessage[] = [];
  readonly views = new Map<string, StoredView>();
  /** Trigger ids the fake will accept in views.open/push (Slack's expire after ~3 s). */
  private readonly triggers = new Map<string, number>();
  private server?: Server;
  private seq = 0;

  constructor(private readonly botToken: string) {
    super();
  }

  /** A trigger_id such as Slack puts in a command or interaction payload. */
  issueTrigger(): string {
    const id = `${Date.now()}.${++this.seq}.trigger`;
    this.triggers.set(id, Date.now());
    return id;
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    const addr = this.server.address() as AddressInfo;
    return `http://${host}:${addr.port}/api/`;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Resolves with the first call (already made or future) to `method` that satisfies `match`. */
  waitForCall(method: string, match: (c: RecordedCall) => boolean = () => true, timeoutMs = 10_000): Promise<RecordedCall> {
    const found = this.calls.find((c) => c.method === method && match(c));
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('call', onCall);
        reject(new Error(`no ${method} call matched within ${timeoutMs} ms; calls: ${this.calls.map((c) => c.method).join(', ')}`));
      }, timeoutMs);
      const onCall = (c: RecordedCall): void => {
        if (c.method !== method || !match(c)) return;
        clearTimeout(timer);
        this.off('call', onCall);
        resolve(c);
      };
      this.on('call', onCall);
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
    const raw = await readBody(req);
    const args = parseArgs(raw, req.headers['content-type'] ?? '');
    const auth = req.headers.authorization?.replace(/^Bearer\s+/i, '') ?? (args.token as string | undefined);
    let answer: Answer;
    if (auth !== this.botToken) {
      answer = { ok: false, error: auth ? 'invalid_auth' : 'not_authed' };
    } else {
      const call: RecordedCall = { method, args, at: Date.now() };
      this.calls.push(call);
      answer = this.answer(method, args);
      this.emit('call', call);
    }
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(answer));
  }

  private nextTs(): string {
    const now = Date.now();
    return `${Math.floor(now / 1000)}.${String(++this.seq).padStart(6, '0')}`;
  }

  private answer(method: string, a: Record<string, unknown>): Answer {
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://local.slack.invalid/', user: 'oslayer', ...BOT };
      case 'chat.postMessage': {
        if (!a.channel) return { ok: false, error: 'channel_not_found' };
        if (!a.text && !a.blocks) return { ok: false, error: 'no_text' };
        const msg: StoredMessage = {
          channel: String(a.channel),
          ts: this.nextTs(),
          thread_ts: a.thread_ts as string | undefined,
          text: a.text as string | undefined,
          blocks: a.blocks as unknown[] | undefined,
          bot_id: BOT.bot_id,
        };
        this.messages.push(msg);
        this.emit('message', msg);
        return { ok: true, channel: msg.channel, ts: msg.ts, message: { ...msg, type: 'message' } };
      }
      case 'chat.update': {
        const msg = this.messages.find((m) => m.channel === a.channel && m.ts === a.ts && !m.ephemeral);
        if (!msg) return { ok: false, error: 'message_not_found' };
        if (a.text !== undefined) msg.text = a.text as string;
        if (a.blocks !== undefined) msg.blocks = a.blocks as unknown[];
        this.emit('message', msg);
        return { ok: true, channel: msg.channel, ts: msg.ts, text: msg.text ?? '', message: { ...msg } };
      }
      case 'chat.postEphemeral': {
        if (!a.channel || !a.user) return { ok: false, error: 'invalid_arguments' };
        const msg: StoredMessage = {
          channel: String(a.channel),
          ts: this.nextTs(),
          text: a.text as string | undefined,
          blocks: a.blocks as unknown[] | undefined,
          user: String(a.user),
          bot_id: BOT.bot_id,
          ephemeral: true,
        };
        this.messages.push(msg);
        this.emit('message', msg);
        return { ok: true, message_ts: msg.ts };
      }
      case 'chat.getPermalink':
        return { ok: true, channel: a.channel, permalink: `https://local.slack.invalid/archives/${a.channel}/p${String(a.message_ts).replace('.', '')}` };
      case 'views.open':
      case 'views.push': {
        const issued = this.triggers.get(String(a.trigger_id));
        if (issued === undefined) return { ok: false, error: 'invalid_trigger_id' };
        if (Date.now() - issued > 3000) return { ok: false, error: 'expired_trigger_id' };
        this.triggers.delete(String(a.trigger_id));
        const view = this.storeView(a.view as Record<string, unknown>, undefined);
        return { ok: true, view: { ...view.view, id: view.id } };
      }
      case 'views.update': {
        const existing = a.view_id ? this.views.get(String(a.view_id)) : undefined;
        if (!existing) return { ok: false, error: 'not_found' };
        const view = this.storeView(a.view as Record<string, unknown>, existing.id);
        return { ok: true, view: { ...view.view, id: view.id } };
      }
      case 'views.publish': {
        const id = `VHOME${String(a.user_id)}`;
        const view = this.storeView(a.view as Record<string, unknown>, id, String(a.user_id));
        return { ok: true, view: { ...view.view, id: view.id } };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  private storeView(view: Record<string, unknown>, id?: string, user?: string): StoredView {
    const viewId = id ?? `V${String(++this.seq).padStart(8, '0')}`;
    const stored: StoredView = { id: viewId, type: String(view.type), user, view: { ...view, id: viewId, state: { values: {} } } };
    this.views.set(viewId, stored);
    return stored;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
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
