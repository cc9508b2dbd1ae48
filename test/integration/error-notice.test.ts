/**
 * The error handler's notice inside a modal is pushed onto it (views.push), as Slack asks for a
 * view over a modal; opened over App Home. The Bolt app is stood in for by the one method the
 * handler registers through (`error`) and the Web API client it uses, pointed at the fake Slack.
 */
import { WebClient } from '@slack/web-api';
import type { App } from '@slack/bolt';
import { installErrorHandler } from '../../src/slack/error-handler.js';
import { createLogger } from '../../src/logger.js';
import { FakeSlackWebApi } from '../../src/sandbox/slack/web-api.js';

const TOKEN = 'xoxb-error-notice';
const USER = 'UERROR1';
let fake: FakeSlackWebApi;
let handler: (args: Record<string, unknown>) => Promise<void>;

beforeAll(async () => {
  fake = new FakeSlackWebApi(TOKEN);
  const client = new WebClient(TOKEN, { slackApiUrl: await fake.listen() });
  const app = { client, error: (fn: typeof handler) => (handler = fn) } as unknown as App;
  installErrorHandler(app, createLogger('error', () => undefined));
});
afterAll(() => fake.close());

const failure = (body: Record<string, unknown>) => handler({ error: new Error('boom'), body, context: { botToken: TOKEN } });

describe('the error notice', () => {
  it('is pushed onto the modal the click came from, which stays underneath', async () => {
    const underneath = fake.pushModal(USER, { type: 'modal', title: { type: 'plain_text', text: 'Task' }, blocks: [] })!;
    await failure({ user: { id: USER }, trigger_id: fake.issueTrigger(USER), view: { id: underneath.id, type: 'modal' } });
    expect(fake.callsTo('views.push')).toHaveLength(1);
    expect(fake.callsTo('views.open')).toHaveLength(0);
    const stack = fake.modalStack(USER);
    expect(stack.map((v) => v.id)[0]).toBe(underneath.id);
    expect(JSON.stringify(stack[1]?.view.blocks)).toContain('Sorry, something went wrong on my side');
  });

  it('opens a modal over App Home', async () => {
    fake.closeModal(USER, true);
    await failure({ user: { id: USER }, trigger_id: fake.issueTrigger(USER), view: { id: 'VHOME', type: 'home' } });
    expect(fake.callsTo('views.open')).toHaveLength(1);
    expect(fake.modalStack(USER)).toHaveLength(1);
  });
});
