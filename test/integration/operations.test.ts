import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestBot, TEST_BOT_TOKEN, TEST_SIGNING_SECRET, type TestBot } from '../support/bot.js';
import { useTestBot } from '../support/world.js';
import { clickInHome, openHome, USERS } from '../support/records.js';
import type { SlackClientSim } from '../support/interactions.js';
import { OPERATIONS_ACTIONS } from '../../views/operations.js';
import { cancelJob, listJobs } from '../../src/workflow/job-queue.js';
import { DEMO_LAYER_NAME } from '../../src/sandbox/index.js';
import { AZURITE_KEY } from '../../src/sandbox/azure/azurite.js';
import { startEmbeddedFerretdb } from '../../src/store/embedded-ferretdb.js';
import { createVersion, PUBLISH_JOB } from '../../src/workflow/create-version.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus text format, the lines a scraper reads: `name{label="value",…} number`. */
function parseMetrics(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!m) throw new Error(`not a metric line: ${line}`);
      const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]));
      return { name: m[1]!, labels, value: Number(m[3]) };
    });
}

const sum = (samples: Sample[], name: string, match: (labels: Record<string, string>) => boolean = () => true) =>
  samples.filter((s) => s.name === name && match(s.labels)).reduce((total, s) => total + s.value, 0);

let t: TestBot;
let sim: SlackClientSim;
useTestBot(async (w) => {
  ({ t, sim } = w);
}, { sandbox: { enabled: true } });

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    const found = await check();
    if (found !== undefined) return found;
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('a sandbox workflow, seen by operations', () => {
  let taskId: string;
  beforeAll(async () => {
    const { services } = t.bot;
    const layer = (await services.repos.layers.findOne({ name: DEMO_LAYER_NAME }))!;
    const created = await createVersion(services, {
      layerId: layer._id,
      name: 'ops-check',
      description: 'logs and metrics of a whole publish',
      baseVersionId: layer.latestVersionId!,
      maxLayerSizeGb: 2,
      connectorId: layer.connectorId,
      packagingDiskFilename: 'ops-check.vhd',
      requestedBy: USERS.administrator,
    });
    if (!created.ok) throw new Error(created.message);
    taskId = created.task._id;
    const where = await services.notifier.post(taskId, 'CNOTIFY1');
    await t.slack.waitForCall('chat.update', (c) => c.args.ts === where.ts && JSON.stringify(c.args.blocks).includes('Action Required'), 30_000);
  }, 60_000);

  it('writes every log line as one JSON object with time, level and msg, and no secret in any', () => {
    const secrets = [TEST_BOT_TOKEN, TEST_SIGNING_SECRET, t.bot.sandbox!.simulator.clientSecret, AZURITE_KEY, t.bot.services.secretKey.toString('base64')];
    expect(t.logLines.length).toBeGreaterThan(10);
    for (const line of t.logLines) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      expect(entry).toEqual(expect.objectContaining({ time: expect.any(String), level: expect.stringMatching(/^(debug|info|warn|error)$/), msg: expect.any(String) }));
      for (const secret of secrets) expect({ line, leaked: line.includes(secret) }).toEqual({ line, leaked: false });
      expect(line).not.toMatch(/[?&]sig=/);
    }
    // A job's lines say which job, task and connector they are about.
    const jobLines = t.logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.job === PUBLISH_JOB);
    expect(jobLines.length).toBeGreaterThan(0);
    expect(jobLines.some((e) => e.taskId === taskId && e.connector === t.bot.sandbox!.connector.name)).toBe(true);
  });

  it('counts the task, the job run, the Azure requests and the Slack calls in /metrics', async () => {
    const scrape = async () => {
      const res = await fetch(`http://127.0.0.1:${t.bot.port}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      return parseMetrics(await res.text());
    };
    const publishRuns = (s: Sample[]) => sum(s, 'oslayer_job_run_seconds_count', (l) => l.job === PUBLISH_JOB && l.outcome === 'succeeded');
    // The publish job ends just after the message shows Action Required: scrape until its run is counted.
    let samples = await scrape();
    for (const deadline = Date.now() + 20_000; publishRuns(samples) === 0 && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      samples = await scrape();
    }

    const tasks = await t.bot.services.repos.tasks.list();
    for (const status of new Set(tasks.map((task) => task.status))) {
      expect({ status, n: sum(samples, 'oslayer_tasks', (l) => l.status === status) }).toEqual({ status, n: tasks.filter((x) => x.status === status).length });
    }
    expect(sum(samples, 'oslayer_tasks', (l) => l.status === 'action-required')).toBe(1);

    expect(publishRuns(samples)).toBe(1);
    expect(sum(samples, 'oslayer_job_run_seconds_sum', (l) => l.job === PUBLISH_JOB)).toBeGreaterThan(0);
    expect(samples.some((s) => s.name === 'oslayer_job_queue_depth')).toBe(true);

    // ARM (the packaging disk is a managed disk) and the storage data plane (its VHD pages), with their answers.
    expect(sum(samples, 'oslayer_azure_requests_total', (l) => l.operation === 'PUT Microsoft.Compute/disks' && /^2\d\d$/.test(l.status!))).toBeGreaterThanOrEqual(1);
    expect(sum(samples, 'oslayer_azure_requests_total', (l) => l.operation === 'PUT blob comp=page' && l.status === '201')).toBeGreaterThan(0);
    expect(sum(samples, 'oslayer_azure_token_requests_total', (l) => l.outcome === 'ok')).toBeGreaterThanOrEqual(1);

    // Every Web API call the fake Slack received, counted by method.
    for (const method of ['chat.postMessage', 'chat.update']) {
      expect({ method, n: sum(samples, 'oslayer_slack_calls_total', (l) => l.method === method) }).toEqual({ method, n: t.slack.callsTo(method).length });
    }
    expect(t.slack.callsTo('chat.update').length).toBeGreaterThan(0);
  });

  it('is ready while the store and Slack answer', async () => {
    const res = await fetch(`http://127.0.0.1:${t.bot.port}/readyz`);
    expect({ status: res.status, body: await res.json() }).toEqual({ status: 200, body: { ok: true, store: 'ok', slack: 'ok' } });
  });
});

describe('/readyz and /healthz', () => {
  it('/readyz answers 503 naming the store when the store is down, and 200 while it is up; /healthz (alive) answers 200 throughout', async () => {
    const ferret = await startEmbeddedFerretdb(mkdtempSync(join(tmpdir(), 'oslayer-readyz-')), () => undefined);
    let bot: TestBot | undefined;
    try {
      bot = await startTestBot({ mongodbUri: ferret.uri });
      const url = `http://127.0.0.1:${bot.bot.port}/readyz`;
      const up = await fetch(url);
      expect({ status: up.status, body: await up.json() }).toEqual({ status: 200, body: { ok: true, store: 'ok', slack: 'ok' } });

      await ferret.stop();
      const down = await fetch(url);
      expect({ status: down.status, body: await down.json() }).toEqual({ status: 503, body: { ok: false, store: 'down', slack: 'ok', failed: ['store'] } });
      // Liveness is the process answering: a store outage must not make an orchestrator restart every replica.
      const alive = await fetch(`http://127.0.0.1:${bot.bot.port}/healthz`);
      expect({ status: alive.status, body: await alive.json() }).toEqual({ status: 200, body: { ok: true, scheduler: 'running' } });
    } finally {
      await bot?.stop().catch(() => undefined);
      await ferret.stop().catch(() => undefined);
    }
  }, 60_000);
});

describe('Operations on App Home', () => {
  it('lists a failed job with its task and last error, and Retry runs it again', async () => {
    const { agenda } = t.bot.services.scheduler;
    // A job of the test's own, defined on the bot's real Agenda: its first run fails, the next succeeds.
    let runs = 0;
    agenda.define('ops-test-flaky', async () => {
      runs += 1;
      if (runs === 1) throw new Error('the first run fails <here> & stops');
    });
    await agenda.now('ops-test-flaky', { taskId: 'T-ops-1' });
    const failed = await until('the failed job', async () => (await agenda.queryJobs({ name: 'ops-test-flaky', state: 'failed' })).jobs[0]);

    const admin = USERS.administrator;
    await openHome(t, admin);
    const before = t.slack.calls.length;
    await clickInHome(t, admin, OPERATIONS_ACTIONS.open);
    const open = await t.slack.waitForCall('views.open', (c) => t.slack.calls.indexOf(c) >= before);
    const shown = JSON.stringify(open.args.view);
    expect(shown).toContain('Failed (1)');
    expect(shown).toContain('*ops-test-flaky* · task `T-ops-1`');
    expect(shown).toContain('Last error: the first run fails &lt;here&gt; &amp; stops');

    const clicked = t.slack.calls.length;
    await sim.clickInView(admin, OPERATIONS_ACTIONS.retry);
    await t.slack.waitForCall('views.update', (c) => t.slack.calls.indexOf(c) >= clicked);
    await until('the retried run', async () => (runs === 2 ? true : undefined));
    await until('no failed job left', async () => ((await agenda.queryJobs({ name: 'ops-test-flaky', state: 'failed' })).total === 0 ? true : undefined));
    expect((await agenda.queryJobs({ id: String(failed._id) })).jobs).toEqual([]);
  }, 60_000);

  it('Cancel removes a waiting job from the queue', async () => {
    const { agenda } = t.bot.services.scheduler;
    const job = await agenda.schedule(new Date(Date.now() + 3_600_000), 'ops-test-flaky', { taskId: 'T-ops-2' });
    const id = String(job.attrs._id);
    expect((await listJobs(agenda)).find((j) => j.id === id)).toMatchObject({ state: 'waiting', taskId: 'T-ops-2' });
    expect(await cancelJob(agenda, id)).toBe(true);
    expect((await listJobs(agenda)).find((j) => j.id === id)).toBeUndefined();
    expect(await cancelJob(agenda, id)).toBe(false);
  });

  it('refuses Operations to anyone but an Administrator', async () => {
    const manager = USERS['manage-os-layers'];
    const home = await openHome(t, manager);
    expect(JSON.stringify(home)).not.toContain(OPERATIONS_ACTIONS.open);
  });
});
