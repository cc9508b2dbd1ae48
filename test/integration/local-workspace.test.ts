import { spawn } from 'node:child_process';
import { get } from 'node:http';
import type { WorkspaceState } from '../../src/local/workspace/state.js';
import { ADMIN, MANAGER, READER, startTestWorkspace } from '../browser/test-workspace.js';

type Run = Awaited<ReturnType<typeof startTestWorkspace>>;
let run: Run;

beforeAll(async () => {
  run = await startTestWorkspace();
});
afterAll(async () => {
  await run.stop();
});

async function post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${run.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function stateOf(user: string): Promise<WorkspaceState> {
  return (await fetch(`${run.url}/api/state?user=${user}`).then((r) => r.json())) as WorkspaceState;
}

/** The state once `ready` holds: the bot answers some things after its ack (views.open, response_url). */
async function stateWhen(user: string, ready: (s: WorkspaceState) => boolean): Promise<WorkspaceState> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const s = await stateOf(user);
    if (ready(s) || Date.now() > deadline) return s;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const channelMessages = (s: WorkspaceState) => s.channels.find((c) => c.id === 'C0LOCALOPS')!.messages;

/** A bot message with one button, as a task message would carry. */
function postButton(actionId: string, text = 'A message with a button'): string {
  return run.fake.post({
    channel: 'C0LOCALOPS',
    text,
    blocks: [
      { type: 'section', block_id: 'intro', text: { type: 'mrkdwn', text } },
      { type: 'actions', block_id: 'buttons', elements: [{ type: 'button', action_id: actionId, text: { type: 'plain_text', text: 'Go' }, value: 'v1' }] },
    ],
  }).ts;
}

describe('the local workspace', () => {
  it('answers /oslayer help typed in the composer with help only the person who typed it sees', async () => {
    const res = await post('/api/compose', { user: MANAGER.id, channel: 'C0LOCALOPS', text: '/oslayer help' });
    expect(res.status).toBe(200);

    const help = channelMessages(await stateOf(MANAGER.id)).find((m) => m.text.includes('/oslayer add-version'));
    expect(help).toMatchObject({ author: 'oslayer', ephemeral: true });
    expect(JSON.stringify(help!.blocks)).toContain('`/oslayer add-version [layer]`');

    const readerSees = channelMessages(await stateOf(READER.id));
    expect(readerSees.some((m) => m.text.includes('/oslayer add-version'))).toBe(false);
  });

  it('has Slackbot answer text that is not one of the app’s commands', async () => {
    await post('/api/compose', { user: READER.id, channel: 'C0LOCALOPS', text: '/deploy everything' });
    const notice = channelMessages(await stateOf(READER.id)).find((m) => m.author === 'Slackbot');
    expect(notice?.text).toContain('`/deploy` is not a valid command');
  });

  it('runs a modal the way Slack does: open from a button, required-field and app errors, update, close with notify', async () => {
    const seen: { action?: any; submission?: any; closed?: any } = {};
    const { app } = run.bot;
    app.action('open_form', async ({ ack, body, client }) => {
      await ack();
      seen.action = body;
      await client.views.open({
        trigger_id: (body as { trigger_id: string }).trigger_id,
        view: {
          type: 'modal',
          callback_id: 'size_form',
          title: { type: 'plain_text', text: 'Layer size' },
          submit: { type: 'plain_text', text: 'Next' },
          blocks: [
            { type: 'input', block_id: 'size', label: { type: 'plain_text', text: 'Max Layer Size (GB)' }, element: { type: 'number_input', action_id: 'gb', is_decimal_allowed: false, min_value: '1', max_value: '2048' } },
            { type: 'input', block_id: 'note', optional: true, label: { type: 'plain_text', text: 'Note' }, element: { type: 'plain_text_input', action_id: 'text' } },
          ],
        },
      });
    });
    app.view('size_form', async ({ ack, view }) => {
      seen.submission = view;
      const gb = Number(view.state.values.size!.gb!.value);
      if (gb < 100) return void (await ack({ response_action: 'errors', errors: { size: 'Must be at least the base disk (100 GB).' } }));
      await ack({
        response_action: 'update',
        view: { type: 'modal', callback_id: 'done', notify_on_close: true, title: { type: 'plain_text', text: 'All set' }, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `*${gb} GB* it is.` } }] },
      });
    });
    app.view({ callback_id: 'done', type: 'view_closed' }, async ({ ack, body }) => {
      await ack();
      seen.closed = body;
    });

    const ts = postButton('open_form');
    const clicked = await post('/api/action', { user: MANAGER.id, source: { type: 'message', channel: 'C0LOCALOPS', ts }, blockId: 'buttons', actionId: 'open_form' });
    expect(clicked).toEqual({ status: 200, body: { ok: true } });
    expect(seen.action).toMatchObject({
      type: 'block_actions',
      user: { id: MANAGER.id },
      container: { type: 'message', message_ts: ts, channel_id: 'C0LOCALOPS', is_ephemeral: false },
      message: { ts, text: 'A message with a button' },
      actions: [{ type: 'button', action_id: 'open_form', block_id: 'buttons', value: 'v1', text: { text: 'Go' } }],
    });
    expect(seen.action.response_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/response\//);

    let s = await stateWhen(MANAGER.id, (x) => x.modals.length === 1);
    const modal = s.modals[0]!;
    expect(modal.title).toEqual({ type: 'plain_text', text: 'Layer size' });
    expect((await stateOf(READER.id)).modals).toEqual([]);

    // Slack's client refuses an empty required field without asking the app.
    await post('/api/submit', { user: MANAGER.id, viewId: modal.id, inputs: {} });
    expect((await stateOf(MANAGER.id)).modals[0]!.errors).toEqual({ size: 'Please fill out this required field.' });
    expect(seen.submission).toBeUndefined();

    await post('/api/submit', { user: MANAGER.id, viewId: modal.id, inputs: { size: { gb: '40' } } });
    expect((await stateOf(MANAGER.id)).modals[0]!.errors).toEqual({ size: 'Must be at least the base disk (100 GB).' });
    expect(seen.submission.state.values).toEqual({ size: { gb: { type: 'number_input', value: '40' } }, note: { text: { type: 'plain_text_input', value: null } } });

    await post('/api/submit', { user: MANAGER.id, viewId: modal.id, inputs: { size: { gb: '120' }, note: { text: 'monthly patch' } } });
    s = await stateOf(MANAGER.id);
    expect(s.modals).toHaveLength(1);
    expect(s.modals[0]).toMatchObject({ id: modal.id, title: { text: 'All set' }, errors: {} });
    expect(seen.submission.state.values.note).toEqual({ text: { type: 'plain_text_input', value: 'monthly patch' } });

    await post('/api/close', { user: MANAGER.id, viewId: modal.id });
    expect((await stateOf(MANAGER.id)).modals).toEqual([]);
    expect(seen.closed).toMatchObject({ type: 'view_closed', is_cleared: false, user: { id: MANAGER.id }, view: { id: modal.id } });
  });

  it('keeps what an input showed across views.update under the same block_id, and shows the new initial value under a new one', async () => {
    // https://api.slack.com/methods/views.update, "Preserving input entry".
    const { app } = run.bot;
    let submitted: any;
    const sizeView = (blockId: string, initial: string) => ({
      type: 'modal' as const,
      callback_id: 'resize_form',
      title: { type: 'plain_text' as const, text: 'Layer size' },
      submit: { type: 'plain_text' as const, text: 'Next' },
      blocks: [
        { type: 'input', block_id: blockId, label: { type: 'plain_text', text: 'Max Layer Size (GB)' }, element: { type: 'number_input', action_id: 'gb', is_decimal_allowed: false, initial_value: initial } },
        { type: 'actions', block_id: 'layer', elements: [
          { type: 'button', action_id: 'same_block', text: { type: 'plain_text', text: 'Same block' } },
          { type: 'button', action_id: 'new_block', text: { type: 'plain_text', text: 'New block' } },
        ] },
      ],
    });
    app.action('open_resize', async ({ ack, body, client }) => {
      await ack();
      await client.views.open({ trigger_id: (body as { trigger_id: string }).trigger_id, view: sizeView('size', '100') });
    });
    for (const [action, blockId] of [['same_block', 'size'], ['new_block', 'size-2']] as const) {
      app.action(action, async ({ ack, body, client }) => {
        await ack();
        await client.views.update({ view_id: (body as { view: { id: string } }).view.id, view: sizeView(blockId, '300') });
      });
    }
    app.view('resize_form', async ({ ack, view }) => {
      submitted = view.state.values;
      await ack();
    });

    const ts = postButton('open_resize');
    await post('/api/action', { user: MANAGER.id, source: { type: 'message', channel: 'C0LOCALOPS', ts }, blockId: 'buttons', actionId: 'open_resize' });
    const modal = (await stateWhen(MANAGER.id, (x) => x.modals.length === 1)).modals[0]!;
    const shown = (s: WorkspaceState) => (s.modals[0] as any)?.state?.values;

    await post('/api/action', { user: MANAGER.id, source: { type: 'view', viewId: modal.id }, blockId: 'layer', actionId: 'same_block', inputs: { size: { gb: '150' } } });
    let s = await stateWhen(MANAGER.id, (x) => x.modals[0]?.hash !== modal.hash);
    expect(s.modals[0]!.blocks[0]).toMatchObject({ block_id: 'size', element: { initial_value: '300' } });
    expect(shown(s)).toEqual({ size: { gb: { type: 'number_input', value: '150' } } });

    const before = s.modals[0]!.hash;
    await post('/api/action', { user: MANAGER.id, source: { type: 'view', viewId: modal.id }, blockId: 'layer', actionId: 'new_block', inputs: {} });
    s = await stateWhen(MANAGER.id, (x) => x.modals[0]?.hash !== before);
    expect(shown(s)).toEqual({});
    await post('/api/submit', { user: MANAGER.id, viewId: modal.id, inputs: {} });
    expect(submitted).toEqual({ 'size-2': { gb: { type: 'number_input', value: '300' } } });
  });

  it('stacks a pushed view over the one submitted, and clears the whole stack when the app says clear', async () => {
    const { app } = run.bot;
    const step = (callbackId: string, title: string) => ({ type: 'modal' as const, callback_id: callbackId, title: { type: 'plain_text' as const, text: title }, submit: { type: 'plain_text' as const, text: 'Next' }, blocks: [] });
    app.action('open_stack', async ({ ack, body, client }) => {
      await ack();
      await client.views.open({ trigger_id: (body as { trigger_id: string }).trigger_id, view: step('first', 'Connector') });
    });
    app.view('first', async ({ ack }) => ack({ response_action: 'push', view: step('second', 'New connector') }));
    app.view('second', async ({ ack }) => ack({ response_action: 'clear' }));

    const ts = postButton('open_stack');
    await post('/api/action', { user: ADMIN.id, source: { type: 'message', channel: 'C0LOCALOPS', ts }, blockId: 'buttons', actionId: 'open_stack' });
    const [first] = (await stateWhen(ADMIN.id, (x) => x.modals.length === 1)).modals;

    await post('/api/submit', { user: ADMIN.id, viewId: first!.id });
    const stacked = (await stateOf(ADMIN.id)).modals;
    expect(stacked.map((m) => (m.title as { text: string }).text)).toEqual(['Connector', 'New connector']);
    expect(stacked[1]!.previous_view_id).toBe(first!.id);

    // Only the view on screen can be submitted.
    expect((await post('/api/submit', { user: ADMIN.id, viewId: first!.id })).status).toBe(409);
    await post('/api/submit', { user: ADMIN.id, viewId: stacked[1]!.id });
    expect((await stateOf(ADMIN.id)).modals).toEqual([]);
  });

  it('applies what the app posts to a response_url: here, replacing the message that was clicked', async () => {
    run.bot.app.action('replace_me', async ({ ack, respond }) => {
      await ack();
      await respond({ replace_original: true, text: 'Replaced by the app' });
    });
    const ts = postButton('replace_me', 'Before the click');
    await post('/api/action', { user: ADMIN.id, source: { type: 'message', channel: 'C0LOCALOPS', ts }, blockId: 'buttons', actionId: 'replace_me' });
    const s = await stateWhen(ADMIN.id, (x) => channelMessages(x).some((m) => m.ts === ts && m.text === 'Replaced by the app'));
    expect(channelMessages(s).find((m) => m.ts === ts)?.text).toBe('Replaced by the app');
  });

  it('puts thread replies under their message, and keeps a reply whose message is gone in the channel', async () => {
    const parent = run.fake.post({ channel: 'C0LOCALOPS', text: 'Task t-7: publishing' });
    run.fake.post({ channel: 'C0LOCALOPS', thread_ts: parent.ts, text: 'Copy 40% done' });
    run.fake.post({ channel: 'C0LOCALOPS', thread_ts: '1.000001', text: 'Reply to a deleted message' });

    const messages = channelMessages(await stateOf(READER.id));
    expect(messages.find((m) => m.ts === parent.ts)?.replies.map((r) => r.text)).toEqual(['Copy 40% done']);
    expect(messages.some((m) => m.text === 'Copy 40% done')).toBe(false);
    expect(messages.some((m) => m.text === 'Reply to a deleted message')).toBe(true);
  });

  it('gives the three users the roles the switcher names', async () => {
    const { roles } = run.bot.services.repos;
    const { admins } = run.bot.services.config;
    expect(await roles.roleOf(ADMIN.id, admins)).toBe('administrator');
    expect(await roles.roleOf(MANAGER.id, admins)).toBe('manage-os-layers');
    expect(await roles.roleOf(READER.id, admins)).toBe('read-only');
  });

  it('has no sandbox to show when the bot runs without one', async () => {
    const session = (await fetch(`${run.url}/api/session`).then((r) => r.json())) as { sandbox: unknown };
    expect(session.sandbox).toEqual({ enabled: false, running: false });
    const res = await fetch(`${run.url}/api/sandbox`);
    expect([res.status, await res.json()]).toEqual([404, { ok: false, error: 'the sandbox is not running' }]);
  });

  it('refuses requests made through another host name (a web page rebinding its name to this address)', async () => {
    // fetch() will not send a Host of our choosing; node:http will.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      get(`${run.url}/api/state?user=${ADMIN.id}`, { headers: { host: 'attacker.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      }).on('error', reject);
    });
    expect(status).toBe(403);
  });
});

describe('the local workspace, as strict as Slack', () => {
  it('lets an Administrator assign a role through the roles modal (users_select picks a person)', async () => {
    await post('/api/compose', { user: ADMIN.id, channel: 'C0LOCALOPS', text: '/oslayer roles' });
    const opened = await stateWhen(ADMIN.id, (s) => s.modals.length > 0);
    const modal = opened.modals.at(-1)!;
    expect(JSON.stringify(modal)).toContain('users_select');
    await post('/api/submit', { user: ADMIN.id, viewId: modal.id, inputs: { roles_user: { roles_user_select: READER.id }, roles_role: { roles_role_choice: 'manage-os-layers' } } });
    expect(await run.bot.services.repos.roles.get(READER.id)).toMatchObject({ role: 'manage-os-layers', assignedBy: ADMIN.id });
    // The other tests here use this person as Read Only.
    await run.bot.services.repos.roles.update(READER.id, { role: 'read-only' });
  });

  it('drops ephemeral messages on a reload, as Slack does', async () => {
    await post('/api/compose', { user: MANAGER.id, channel: 'C0LOCALOPS', text: '/oslayer help' });
    const shown = await stateWhen(MANAGER.id, (s) => channelMessages(s).some((m) => m.ephemeral));
    expect(channelMessages(shown).some((m) => m.ephemeral)).toBe(true);
    const reloaded = (await fetch(`${run.url}/api/state?user=${MANAGER.id}&since=${Date.now() / 1000 + 1}`).then((r) => r.json())) as WorkspaceState;
    expect(channelMessages(reloaded).some((m) => m.ephemeral)).toBe(false);
  });

  it('refuses, as Slack does, a DM from the bot while the manifest keeps the Messages tab off', () => {
    expect(run.fake.refusalFor(ADMIN.id, 'message')).toBe('messages_tab_disabled');
    expect(run.fake.refusalFor('C0LOCALOPS', 'ephemeral', ADMIN.id)).toBeUndefined();
  });
});

describe('npm run local', () => {
  it('refuses to run when SLACK_BOT_TOKEN is set, and says why', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/local.ts'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', SLACK_BOT_TOKEN: 'xoxb-a-real-looking-token' },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(output).toContain('SLACK_BOT_TOKEN is set');
    expect(output).not.toContain('xoxb-a-real-looking-token');
  });
});
