import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestBot, type TestBot } from '../support/bot.js';
import { commandBody, slackSignatureHeaders } from '../../src/sandbox/slack/signature.js';

let t: TestBot;
beforeAll(async () => {
  t = await startTestBot();
});
afterAll(async () => {
  await t.stop();
});

function ephemeralText(body: string): string {
  const parsed = JSON.parse(body) as { response_type: string; text: string };
  expect(parsed.response_type).toBe('ephemeral');
  return parsed.text;
}

describe('/oslayer over signed HTTP', () => {
  it('answers /oslayer help with the list of subcommands, visible only to the caller', async () => {
    const res = await t.command('help');
    expect(res.status).toBe(200);
    const text = ephemeralText(res.body);
    for (const sub of ['add-version [layer]', 'import-layer', 'layers', 'tasks', 'connectors', 'roles']) {
      expect(text).toContain(`/oslayer ${sub}`);
    }
  });

  it('answers a bare /oslayer with help', async () => {
    expect(ephemeralText((await t.command('')).body)).toContain('/oslayer add-version');
  });

  it('answers an unknown subcommand with help that names what was typed', async () => {
    const text = ephemeralText((await t.command('frobnicate now')).body);
    expect(text).toContain("I don't know `frobnicate now`");
    expect(text).toContain('/oslayer add-version');
  });

  it('rejects a request whose signature does not match', async () => {
    const body = commandBody({ command: '/oslayer', text: 'help', user_id: 'UADMIN1', channel_id: 'C1' });
    const forged = slackSignatureHeaders('some-other-secret', body);
    const res = await t.post(body, forged);
    expect(res.status).toBe(401);
    expect(res.body).not.toContain('/oslayer add-version');
  });

  it('rejects a correctly signed request older than five minutes (replay)', async () => {
    const body = commandBody({ command: '/oslayer', text: 'help', user_id: 'UADMIN1', channel_id: 'C1' });
    const stale = slackSignatureHeaders('test-signing-secret-5f1c', body, Math.floor(Date.now() / 1000) - 6 * 60);
    const res = await t.post(body, stale);
    expect(res.status).toBe(401);
  });

  it('answers GET /healthz (alive) with the scheduler\'s state', async () => {
    const res = await fetch(`http://127.0.0.1:${t.bot.port}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, scheduler: 'running' });
  });

  it('turns a failing listener into a short message with an error id, details only in the log', async () => {
    t.bot.app.command('/boom', async ({ ack }) => {
      await ack();
      throw new Error('kaboom: internal detail');
    });
    // The answer goes to the command's response_url (no DM: the Messages tab is off).
    const posts: Array<{ response_type?: string; text?: string }> = [];
    const hook = createServer((req, res) => {
      let raw = '';
      req.on('data', (d: Buffer) => (raw += d.toString()));
      req.on('end', () => {
        posts.push(JSON.parse(raw) as { text?: string });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const responseUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/commands/1`;
    const body = commandBody({ command: '/boom', text: '', user_id: 'UADMIN1', channel_id: 'CTEST01', trigger_id: 'x', response_url: responseUrl });
    await t.post(body);
    for (let i = 0; i < 200 && posts.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    hook.close();
    expect(posts[0]?.response_type).toBe('ephemeral');
    const text = String(posts[0]?.text);
    // The failed step may have come after others that did their work: it never says nothing changed.
    expect(text).not.toContain('Nothing was changed');
    expect(t.slack.callsTo('chat.postMessage').filter((c) => c.args.channel === 'UADMIN1')).toEqual([]);
    const errorId = text.match(/error id `([0-9a-f]{8})`/)?.[1];
    expect(errorId).toBeDefined();
    expect(text).not.toContain('kaboom');
    expect(t.logLines.some((l) => l.includes(`error ${errorId}`) && l.includes('kaboom: internal detail'))).toBe(true);
  });
});
