/**
 * `npm run bench`: the DESIGN §9 targets, measured on this machine, against the bot as
 * `npm start` runs it (a child process), so the load generator's own memory is not counted.
 * - start to ready with an already running MongoDB wire server (FerretDB here)
 * - Slack ack latency (p50/p95/p99) for a command, a button and a view submission at a fixed
 *   request rate, with the store and scheduler live
 * - resident memory once idle
 * - Entra ID token, OpenID metadata and ARM requests per finished workflow (scripts/bench-workflow.ts)
 * Bounded in count and time; talks only to loopback.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startEmbeddedFerretdb } from '../src/store/embedded-ferretdb.js';
import { FakeSlackWebApi } from '../src/local/slack-web-api.js';
import type { RequestCounts } from '../src/azure/simulator/throttle.js';
import { countWorkflowRequests } from './bench-workflow.js';
import { commandBody, interactionBody, slackSignatureHeaders } from '../src/local/slack-signature.js';

const RATE_PER_SECOND = Number(process.env.BENCH_RATE ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const TOKEN = 'xoxb-bench';
const SECRET = 'bench-signing-secret';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

async function waitForHealth(port: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('the bot did not become healthy within 30 s');
}

/** Resident set size in KiB, from the kernel's view of the process. */
function rssOf(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const ferret = await startEmbeddedFerretdb(mkdtempSync(join(tmpdir(), 'oslayer-bench-')));
  const slack = new FakeSlackWebApi(TOKEN);
  const apiUrl = await slack.listen();
  const port = await freePort();
  const t0 = performance.now();
  const bot = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      PATH: process.env.PATH ?? '',
      SLACK_BOT_TOKEN: TOKEN,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: apiUrl,
      PORT: String(port),
      MONGODB_URI: `${ferret.uri}bench`,
      OSLAYER_DATA_DIR: mkdtempSync(join(tmpdir(), 'oslayer-bench-data-')),
      LOG_LEVEL: 'error',
    },
    stdio: ['pipe', 'inherit', 'inherit'],
  });
  await waitForHealth(port);
  const startMs = performance.now() - t0;
  const url = `http://127.0.0.1:${port}/slack/events`;

  const requests: Record<string, () => string> = {
    'command /oslayer help': () => commandBody({ command: '/oslayer', text: 'help', user_id: 'UBENCH', channel_id: 'CBENCH', trigger_id: slack.issueTrigger() }),
    'button (task retry, unknown task)': () =>
      interactionBody({
        type: 'block_actions',
        user: { id: 'UBENCH' },
        api_app_id: 'ABENCH',
        team: { id: 'TBENCH' },
        channel: { id: 'CBENCH' },
        container: { type: 'message', channel_id: 'CBENCH', message_ts: '1.1' },
        trigger_id: slack.issueTrigger(),
        actions: [{ type: 'button', action_id: 'task_retry', block_id: 'b', value: 'no-such-task', action_ts: '1' }],
      }),
    'view submission (wizard step, expired draft)': () =>
      interactionBody({
        type: 'view_submission',
        user: { id: 'UBENCH' },
        api_app_id: 'ABENCH',
        team: { id: 'TBENCH' },
        trigger_id: slack.issueTrigger(),
        view: { id: 'VBENCH', callback_id: 'wizard_version_details', private_metadata: '{"draftId":"no-such-draft"}', state: { values: {} }, hash: 'h' },
      }),
  };

  const results: Array<Record<string, string | number>> = [];
  for (const [name, body] of Object.entries(requests)) {
    const latencies: number[] = [];
    let failures = 0;
    const total = RATE_PER_SECOND * SECONDS;
    const inflight: Promise<void>[] = [];
    const begin = performance.now();
    for (let i = 0; i < total; i++) {
      const due = begin + (i * 1000) / RATE_PER_SECOND;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const raw = body();
      const sent = performance.now();
      inflight.push(
        fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackSignatureHeaders(SECRET, raw) },
          body: raw,
          signal: AbortSignal.timeout(5000),
        }).then(
          async (res) => {
            await res.arrayBuffer();
            latencies.push(performance.now() - sent);
            if (res.status >= 400 && res.status !== 404) failures++;
          },
          () => {
            failures++;
          },
        ),
      );
    }
    await Promise.all(inflight);
    latencies.sort((a, b) => a - b);
    results.push({
      request: name,
      count: latencies.length,
      failures,
      'p50 ms': +percentile(latencies, 50).toFixed(1),
      'p95 ms': +percentile(latencies, 95).toFixed(1),
      'p99 ms': +percentile(latencies, 99).toFixed(1),
      'target p99 ms': 100,
    });
  }

  await new Promise((r) => setTimeout(r, 5000));
  const rssMb = rssOf(bot.pid!) / 1024;
  bot.kill('SIGTERM');
  await new Promise((r) => bot.once('exit', r));
  await slack.close();
  const armCounts = await countWorkflowRequests(`${ferret.uri}benchworkflow`);
  await ferret.stop();

  console.log(`\nstart to ready (process start → /healthz ok, external MongoDB wire server): ${startMs.toFixed(0)} ms (target < 3000 ms)`);
  console.log(`idle RSS of the bot process (npm start, TypeScript via tsx): ${rssMb.toFixed(0)} MB (target < 200 MB)`);
  console.log(`ack latency at ${RATE_PER_SECOND} requests/s for ${SECONDS} s each:`);
  console.table(results);
  const line = ({ tokenRequests, openIdMetadataRequests, armRequests: arm }: RequestCounts) =>
    `${tokenRequests} Entra ID token, ${openIdMetadataRequests} OpenID metadata, ` +
    `${arm.reads + arm.writes + arm.deletes} ARM (${arm.reads} reads, ${arm.writes} writes, ${arm.deletes} deletes)`;
  console.log(`requests per finished workflow (Create Version → Deploy for me → Shutdown for Finalize → Finalize): ${line(armCounts.workflow)}`);
  console.log(`  plus, once at start (sandbox connector and demo layer): ${line(armCounts.startup)} (target: about one token per connector per hour)`);
  process.exit(0);
}

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});
