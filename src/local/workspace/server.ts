import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SimulatorAddress } from '../../sandbox/azure/client-options.js';
import type { FakeSlackWebApi } from '../../sandbox/slack/web-api.js';
import type { Inputs } from '../../sandbox/slack/block-kit.js';
import type { BotEndpoint } from './bot-endpoint.js';
import { directoryForPage, type LocalChannel, type LocalUser } from './directory.js';
import { guestChangeSchema, SandboxProxy } from './sandbox-proxy.js';
import { Workspace, type ActionRequest, type Outcome } from './workspace.js';

export interface WorkspaceServerOptions {
  fake: FakeSlackWebApi;
  bot: BotEndpoint;
  users: readonly LocalUser[];
  channel: LocalChannel;
  commands: readonly string[];
  /** What the sandbox panel shows; `simulator` once the simulated Azure runs (its address and CA). */
  sandbox: { enabled: boolean; simulator?: SimulatorAddress };
  port: number;
}

export interface WorkspaceServer {
  url: string;
  workspace: Workspace;
  close(): Promise<void>;
}

const STATIC_DIR = fileURLToPath(new URL('./static/', import.meta.url));
const STATIC_FILES = new Set(['index.html', 'app.js', 'blocks.js', 'mrkdwn.js', 'slack-date.js', 'coalesce.js', 'sandbox.js', 'app.css']);
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};
const MAX_BODY_BYTES = 1_000_000;
/** Loopback only: the page can act as any local user, including the Administrator. */
const HOST = '127.0.0.1';

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Serves the workspace page, its JSON API and its change stream (Server-Sent Events). */
export async function startWorkspaceServer(opts: WorkspaceServerOptions): Promise<WorkspaceServer> {
  const streams = new Set<ServerResponse>();
  let pending = false;
  // Many calls land at once (a message and its thread reply); the page needs one nudge for them.
  const nudge = (): void => {
    if (pending) return;
    pending = true;
    setImmediate(() => {
      pending = false;
      for (const res of streams) res.write('data: change\n\n');
    });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      sendJson(res, status, { ok: false, error: (err as Error).message });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, HOST, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${HOST}:${port}`;
  const allowedHosts = new Set([`${HOST}:${port}`, `localhost:${port}`]);
  // Requests are handled only from here on: the server's first event comes after this synchronous run.
  const workspace = new Workspace({ ...opts, baseUrl: url });
  workspace.on('change', nudge);
  opts.fake.on('change', nudge);

  const sandbox = opts.sandbox.enabled && opts.sandbox.simulator ? new SandboxProxy(opts.sandbox.simulator) : undefined;
  const sandboxProxy = (): SandboxProxy => {
    if (!sandbox) throw new HttpError(404, 'the sandbox is not running');
    return sandbox;
  };

  const userFrom = (id: unknown) => {
    const user = workspace.userById(id);
    if (!user) throw new HttpError(400, 'unknown user');
    return user;
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // A page on another site must not drive this one: same host only (DNS rebinding), JSON only (no simple cross-site POSTs).
    if (!allowedHosts.has(req.headers.host ?? '')) throw new HttpError(403, 'unexpected Host header');
    const { pathname, searchParams } = new URL(req.url ?? '/', url);
    if (req.method === 'GET') return serveGet(pathname, searchParams, res);
    if (req.method !== 'POST') throw new HttpError(405, 'method not allowed');
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) throw new HttpError(415, 'JSON bodies only');
    const body = await readJson(req);
    if (pathname === '/api/sandbox/guest') return sendJson(res, 200, await setGuest(body));
    const responseToken = /^\/response\/([0-9a-f]+)$/.exec(pathname)?.[1];
    let outcome: Outcome;
    if (responseToken) outcome = workspace.respond(responseToken, body);
    else if (pathname === '/api/compose') outcome = await workspace.compose(userFrom(body.user), String(body.channel ?? opts.channel.id), String(body.text ?? ''));
    else if (pathname === '/api/action') outcome = await workspace.act(userFrom(body.user), actionRequest(body));
    else if (pathname === '/api/submit') outcome = await workspace.submit(userFrom(body.user), String(body.viewId), body.inputs as Inputs | undefined);
    else if (pathname === '/api/close') outcome = await workspace.close(userFrom(body.user), String(body.viewId), body.inputs as Inputs | undefined);
    else if (pathname === '/api/home-opened') outcome = await workspace.homeOpened(userFrom(body.user));
    else throw new HttpError(404, 'not found');
    sendJson(res, outcome.ok ? 200 : outcome.status, outcome);
  }

  async function serveGet(pathname: string, params: URLSearchParams, res: ServerResponse): Promise<void> {
    if (pathname === '/api/state') return sendJson(res, 200, workspace.state(userFrom(params.get('user')), Number(params.get('since')) || 0));
    if (pathname === '/api/session') {
      return sendJson(res, 200, { ...directoryForPage(opts.users, opts.channel), sandbox: { enabled: opts.sandbox.enabled, running: sandbox !== undefined } });
    }
    if (pathname === '/api/sandbox') return sendJson(res, 200, await sandboxProxy().snapshot().catch(unreachable));
    if (pathname === '/api/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write('retry: 1000\n\n');
      streams.add(res);
      res.on('close', () => streams.delete(res));
      return;
    }
    const name = pathname === '/' ? 'index.html' : pathname.replace(/^\/static\//, '');
    if (!STATIC_FILES.has(name)) throw new HttpError(404, 'not found');
    const content = await readFile(join(STATIC_DIR, name));
    res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(name)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(content);
  }

  async function setGuest(body: Record<string, unknown>) {
    const change = guestChangeSchema.safeParse(body);
    if (!change.success) throw new HttpError(400, 'a guest change needs vm, and known flags (true or false) or a pending update (KB, title, classification)');
    const flags = await sandboxProxy().setGuest(change.data).catch(unreachable);
    if (!flags) throw new HttpError(404, `there is no packaging machine named ${change.data.vm}`);
    // Every open page shows the flags: tell them all, as for a change the bot made.
    nudge();
    return flags;
  }

  return {
    url,
    workspace,
    close: async () => {
      opts.fake.off('change', nudge);
      for (const res of streams) res.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function unreachable(err: Error): never {
  throw new HttpError(502, `the simulated Azure did not answer: ${err.message}`);
}

function actionRequest(body: Record<string, unknown>): ActionRequest {
  const source = body.source as ActionRequest['source'] | undefined;
  const known = source?.type === 'message' || source?.type === 'view';
  if (!known || typeof body.blockId !== 'string' || typeof body.actionId !== 'string') throw new HttpError(400, 'an action needs source, blockId and actionId');
  return body as unknown as ActionRequest;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'body too large');
    chunks.push(chunk);
  }
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new HttpError(400, 'the body must be a JSON object');
}
