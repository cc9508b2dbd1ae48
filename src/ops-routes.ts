/**
 * The operations endpoints: GET /healthz (liveness: the process answers), GET /readyz (it can
 * serve: store and Slack reachable) and GET /metrics (Prometheus text). Bolt's HTTP receiver
 * serves them as custom routes; in Socket Mode they get their own server on METRICS_PORT.
 *
 * Liveness checks nothing outside the process on purpose: an orchestrator restarts a container
 * whose liveness fails, and restarting every replica because the shared store is down would not
 * bring the store back; it only loses the jobs in flight. Readiness takes a replica out of
 * rotation instead.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';

export interface OpsChecks {
  /** /healthz: what the live process says about itself (always answered with 200). */
  liveness(): Record<string, unknown>;
  /** Whether the store answers a ping. */
  storeUp(): Promise<boolean>;
  /** Whether Slack answers auth.test for the bot token. */
  slackUp(): Promise<boolean>;
  registry: Registry;
}

export interface OpsRoute {
  path: string;
  method: string[];
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

/** A Slack answer is kept this long, so a probe every few seconds does not spend Slack's rate limit. */
const SLACK_CHECK_TTL_MS = 15_000;
/** A readiness probe wants an answer in seconds; the driver would wait out its server selection (10 s). */
const CHECK_TIMEOUT_MS = 2_000;

export function opsRoutes(checks: OpsChecks): OpsRoute[] {
  const slackUp = cachedFor(SLACK_CHECK_TTL_MS, checks.slackUp);
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const route = (path: string, answer: (res: ServerResponse) => Promise<void>): OpsRoute => ({
    path,
    method: ['GET'],
    handler: (_req, res) => {
      answer(res).catch((error: Error) => json(res, 500, { ok: false, error: error.message }));
    },
  });
  return [
    route('/healthz', async (res) => json(res, 200, { ok: true, ...checks.liveness() })),
    route('/readyz', async (res) => {
      const [store, slack] = await Promise.all([within(CHECK_TIMEOUT_MS, checks.storeUp), within(CHECK_TIMEOUT_MS, slackUp)]);
      const down = [...(store ? [] : ['store']), ...(slack ? [] : ['slack'])];
      json(res, down.length === 0 ? 200 : 503, {
        ok: down.length === 0,
        store: store ? 'ok' : 'down',
        slack: slack ? 'ok' : 'unreachable',
        ...(down.length > 0 ? { failed: down } : {}),
      });
    }),
    route('/metrics', async (res) => {
      const text = await checks.registry.metrics();
      res.writeHead(200, { 'content-type': checks.registry.contentType });
      res.end(text);
    }),
  ];
}

/** The ops routes on their own port (Socket Mode, where Bolt has no HTTP server). */
export async function serveOpsRoutes(routes: OpsRoute[], port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const found = routes.find((r) => r.path === path && r.method.includes(req.method ?? 'GET'));
    if (found) found.handler(req, res);
    else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve());
  });
  return server;
}

/** A check's answer kept for `ttlMs`; concurrent callers share one check in flight. */
function cachedFor(ttlMs: number, check: () => Promise<boolean>): () => Promise<boolean> {
  let kept: { at: number; answer: Promise<boolean> } | undefined;
  return () => {
    if (!kept || Date.now() - kept.at > ttlMs) kept = { at: Date.now(), answer: check().catch(() => false) };
    return kept.answer;
  };
}

/** The check's answer, or false when it fails or takes longer than `ms`. */
async function within(ms: number, check: () => Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([check().catch(() => false), late]);
  } finally {
    clearTimeout(timer);
  }
}
