import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/free-port.js';
import { FakeSlackWebApi } from '../../src/sandbox/slack/web-api.js';
import { commandBody, slackSignatureHeaders } from '../../src/sandbox/slack/signature.js';

/** `npm start`'s command line after its prestart freshness check: node, its flags, the compiled entry. */
const NPM_START_ARGS = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }).scripts.start.split(' ').slice(1);

interface MainProcess {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  /** Resolves once the output holds `text`, or after `timeoutMs` (the assertions that follow then say what it printed). */
  printed: (text: string, timeoutMs: number) => Promise<void>;
}

/** These tests run exactly the process `npm start` runs. */
function startMain(env: Record<string, string>): MainProcess {
  const child = spawn(process.execPath, NPM_START_ARGS, {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
  });
  let out = '';
  const onOutput = (d: Buffer) => (out += d.toString());
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  const printed = (text: string, timeoutMs: number) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (!out.includes(text)) return;
        done();
      };
      const done = () => {
        clearTimeout(timer);
        child.stdout.off('data', check);
        child.stderr.off('data', check);
        child.off('exit', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      // After onOutput, which was added first: `out` already holds the chunk.
      child.stdout.on('data', check);
      child.stderr.on('data', check);
      child.once('exit', done);
      check();
    });
  return { child, output: () => out, printed };
}

function exitOf(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start', () => {
  // `npm test`'s pretest has built dist/ already; this only matters when the file runs alone.
  beforeAll(() => execFileSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { stdio: 'inherit' }), 180_000);

  it('refuses to start without Slack settings and says how to create the app', async () => {
    const { child, output } = startMain({});
    expect(await exitOf(child)).toBe(1);
    expect(output()).toContain('SLACK_BOT_TOKEN is not set');
    expect(output()).toContain('manifest.yml');
  });

  it('starts the embedded FerretDB, answers a signed /oslayer help, and stops cleanly on SIGTERM', async () => {
    const slack = new FakeSlackWebApi('xoxb-process-test');
    const apiUrl = await slack.listen();
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'oslayer-main-'));
    const secret = 'process-test-signing-secret';
    const { child, output, printed } = startMain({
      SLACK_BOT_TOKEN: 'xoxb-process-test',
      SLACK_SIGNING_SECRET: secret,
      SLACK_API_URL: apiUrl,
      PORT: String(port),
      OSLAYER_DATA_DIR: dataDir,
    });
    try {
      await printed('listening on port', 25_000);
      expect(output()).toContain('starting the embedded FerretDB');
      expect(output()).toContain(`listening on port ${port}`);

      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(await health.json()).toEqual({ ok: true, scheduler: 'running' });

      const body = commandBody({ command: '/oslayer', text: 'help', user_id: 'U1', channel_id: 'C1', trigger_id: 't' });
      const res = await fetch(`http://127.0.0.1:${port}/slack/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackSignatureHeaders(secret, body) },
        body,
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { text: string }).text).toContain('/oslayer add-version');

      // A second bot on the same embedded data directory is refused: FerretDB's SQLite store
      // does not make job locks exclusive across processes.
      const second = startMain({
        SLACK_BOT_TOKEN: 'xoxb-process-test',
        SLACK_SIGNING_SECRET: secret,
        SLACK_API_URL: apiUrl,
        PORT: String(await freePort()),
        OSLAYER_DATA_DIR: dataDir,
      });
      expect(await exitOf(second.child)).toBe(1);
      expect(second.output()).toContain(`another oslayer (pid ${child.pid}) is already using the embedded store`);

      const ferretPid = Number(/pid (\d+)/.exec(output())?.[1]);
      expect(processAlive(ferretPid)).toBe(true);
      child.kill('SIGTERM');
      expect(await exitOf(child)).toBe(0);
      expect(processAlive(ferretPid)).toBe(false);
      expect(output()).not.toContain(secret);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await slack.close();
    }
  });

  it('with OSLAYER_SANDBOX=1 and only Slack settings, runs on the embedded store and simulated Azure', async () => {
    const slack = new FakeSlackWebApi('xoxb-sandbox-test');
    const apiUrl = await slack.listen();
    const port = await freePort();
    const { child, output, printed } = startMain({
      SLACK_BOT_TOKEN: 'xoxb-sandbox-test',
      SLACK_SIGNING_SECRET: 'sandbox-test-signing-secret',
      SLACK_API_URL: apiUrl,
      PORT: String(port),
      OSLAYER_DATA_DIR: mkdtempSync(join(tmpdir(), 'oslayer-sandbox-')),
      OSLAYER_SANDBOX: '1',
    });
    try {
      await printed('listening on port', 25_000);
      const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as Record<string, unknown>;
      expect(health).toMatchObject({ ok: true, scheduler: 'running', sandbox: { armEndpoint: expect.stringMatching(/^https:\/\/127\.0\.0\.1:/) } });
      expect(output()).toContain('starting the embedded FerretDB');
      child.kill('SIGTERM');
      expect(await exitOf(child)).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await slack.close();
    }
  });
});
