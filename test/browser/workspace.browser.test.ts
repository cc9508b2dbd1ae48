import type { Page } from 'playwright-core';
import { EVERY_BLOCK } from './block-kit-fixture.js';
import { openWorkspace, type WorkspaceBrowser } from './chromium.js';
import { READER, startTestWorkspace } from './test-workspace.js';

// Runs inside the page (locator.evaluate); the project's TypeScript has no DOM library.
declare const getComputedStyle: (element: unknown) => { backgroundColor: string };

const STEP_TIMEOUT_MS = 60_000;

let run: Awaited<ReturnType<typeof startTestWorkspace>>;
let browser: WorkspaceBrowser;
let page: Page;
const screenshot = (step: string) => browser.screenshot(step);

beforeAll(async () => {
  run = await startTestWorkspace();
  browser = await openWorkspace(`${run.url}/`, 'workspace');
  page = browser.page;
}, STEP_TIMEOUT_MS);

afterAll(async () => {
  await browser?.close();
  await run?.stop();
});

const channel = () => page.locator('#messages');

describe('the local workspace in a browser', () => {
  it('answers /oslayer help with help only the person who typed it sees', async () => {
    await page.getByLabel('Message #os-layers').fill('/oslayer help');
    await page.getByLabel('Message #os-layers').press('Enter');

    const help = channel().locator('article', { hasText: 'Add a new version to a Windows OS layer' });
    await help.waitFor();
    expect(await help.getByText('Only visible to you').isVisible()).toBe(true);
    expect(await help.locator('code', { hasText: '/oslayer add-version [layer]' }).isVisible()).toBe(true);
    expect(await help.locator('.author').textContent()).toBe('oslayer');
    await screenshot('help-for-admin');

    await page.getByLabel('You are').selectOption(READER.id);
    await help.waitFor({ state: 'detached' });
    expect(await channel().getByText('Only visible to you').count()).toBe(0);
    await screenshot('help-gone-for-reader');
  }, STEP_TIMEOUT_MS);

  it('renders every supported block faithfully, escapes text, and shows an unknown block as unsupported', async () => {
    run.fake.post({ channel: 'C0LOCALOPS', text: 'fixture', blocks: EVERY_BLOCK });
    const msg = channel().locator('article', { hasText: 'Fixture' });
    await msg.waitFor();

    expect(await msg.getByRole('heading').textContent()).toBe('Fixture <img src=x onerror=alert(1)>');
    expect(await msg.locator('img').count()).toBe(0);
    expect(await msg.locator('strong', { hasText: 'Bold words' }).count()).toBe(1);
    expect(await msg.locator('em', { hasText: 'italic words' }).count()).toBe(1);
    expect(await msg.locator('del', { hasText: 'struck words' }).count()).toBe(1);
    expect(await msg.locator('code', { hasText: 'inline code' }).count()).toBe(1);
    expect(await msg.locator('pre').textContent()).toBe('pre\nformatted');
    const docs = msg.getByRole('link', { name: 'the docs link' });
    expect([await docs.getAttribute('href'), await docs.getAttribute('target')]).toEqual(['https://example.invalid/docs', '_blank']);
    expect(await msg.getByText('@Ada Admin').isVisible()).toBe(true);
    expect(await msg.getByText('✅ done & dusted').isVisible()).toBe(true);
    expect(await msg.getByText('Started by @Max Manager').isVisible()).toBe(true);
    // Slack shows a date token in the reader's time zone (UTC in this browser).
    expect(await msg.getByText('🖥️ checked Tuesday, February 18th, 2014 at 2:39:42 PM').isVisible()).toBe(true);
    expect(await msg.getByText('Action Required').isVisible()).toBe(true);
    expect(await msg.locator('hr').count()).toBe(1);

    const deploy = msg.getByRole('button', { name: 'Deploy for me' });
    const cancel = msg.getByRole('button', { name: 'Cancel task' });
    expect(await deploy.evaluate((b) => getComputedStyle(b).backgroundColor)).toBe('rgb(0, 122, 90)');
    expect(await cancel.evaluate((b) => getComputedStyle(b).backgroundColor)).toBe('rgb(224, 30, 90)');
    const portal = msg.getByRole('link', { name: 'Create Packaging Machine' });
    expect(await portal.getAttribute('target')).toBe('_blank');
    expect(await msg.getByRole('combobox', { name: 'Pick a VM size' }).locator('option').allTextContents()).toEqual(['Pick a VM size', 'Standard_A2_v2', 'Standard_D4s_v5']);
    expect(await msg.getByRole('combobox', { name: 'More actions' }).locator('option').allTextContents()).toEqual(['⋯', 'Check again']);

    expect(await msg.getByLabel('Version', { exact: true }).inputValue()).toBe('2024-06');
    expect(await msg.getByLabel('Version Description (optional)').getAttribute('placeholder')).toBe('What changed');
    expect(await msg.getByLabel('Max Layer Size (GB)').inputValue()).toBe('100');
    expect(await msg.getByText('At least the base disk').isVisible()).toBe(true);
    expect(await msg.getByLabel('Platform Connector Configuration').inputValue()).toBe('weu');
    expect(await msg.getByRole('radio', { name: 'V2' }).isChecked()).toBe(true);
    expect(await msg.getByRole('checkbox', { name: 'Remind me when idle' }).isChecked()).toBe(false);
    // A conversations_select offers the workspace's channels, its initial conversation picked.
    const conversation = msg.getByLabel('Runs post in');
    expect([await conversation.inputValue(), await conversation.locator('option').allTextContents()]).toEqual(['C0LOCALOPS', ['Select an item', '#os-layers']]);

    expect(await msg.getByText('[unsupported block: holographic_projection]').isVisible()).toBe(true);
    await msg.scrollIntoViewIfNeeded();
    await screenshot('every-block');
  }, STEP_TIMEOUT_MS);

  it('shows a thread as "N replies" under its message, opened on a click', async () => {
    const parent = run.fake.post({ channel: 'C0LOCALOPS', text: 'Task t-9: *publishing*' });
    run.fake.post({ channel: 'C0LOCALOPS', thread_ts: parent.ts, text: 'Packaging disk copied' });
    run.fake.post({ channel: 'C0LOCALOPS', thread_ts: parent.ts, text: 'Template uploaded' });
    const msg = channel().locator('article', { hasText: 'Task t-9' });
    await msg.getByRole('button', { name: '2 replies' }).click();
    await msg.getByText('Template uploaded').waitFor();
    expect(await msg.getByText('Packaging disk copied').isVisible()).toBe(true);
    await screenshot('thread-open');
  }, STEP_TIMEOUT_MS);

  it('asks the button’s confirm question first, and sends the click only when confirmed', async () => {
    const clicks: string[] = [];
    run.bot.app.action('cancel_task', async ({ ack, respond, body }) => {
      await ack();
      clicks.push(body.user.id);
      await respond({ text: 'Task cancelled; everything it created is being deleted.' });
    });
    const msg = channel().locator('article', { hasText: 'Fixture' });
    await msg.getByRole('button', { name: 'Cancel task' }).click();
    const dialog = page.getByRole('alertdialog');
    await dialog.getByText('Everything created for it is').waitFor();
    expect(await dialog.locator('strong').textContent()).toBe('deleted');
    await screenshot('confirm-dialog');
    await dialog.getByRole('button', { name: 'Keep it' }).click();
    await dialog.waitFor({ state: 'detached' });

    await msg.getByRole('button', { name: 'Cancel task' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Cancel the task' }).click();
    await channel().getByText('Task cancelled; everything it created is being deleted.').waitFor();
    expect(clicks).toEqual([READER.id]);
    await screenshot('confirmed-and-answered');
  }, STEP_TIMEOUT_MS);

  it('opens the app’s modal from a button, shows its field error under the field, follows its update, and closes', async () => {
    const { app } = run.bot;
    app.action('open_form', async ({ ack, body, client }) => {
      await ack();
      await client.views.open({
        trigger_id: (body as { trigger_id: string }).trigger_id,
        view: {
          type: 'modal',
          callback_id: 'size_form',
          title: { type: 'plain_text', text: 'Create OS Version' },
          submit: { type: 'plain_text', text: 'Next' },
          close: { type: 'plain_text', text: 'Cancel' },
          blocks: [{ type: 'input', block_id: 'size', label: { type: 'plain_text', text: 'Max Layer Size (GB)' }, element: { type: 'number_input', action_id: 'gb', is_decimal_allowed: false, min_value: '1' } }],
        },
      });
    });
    app.view('size_form', async ({ ack, view }) => {
      const gb = Number(view.state.values.size!.gb!.value);
      if (gb < 100) return void (await ack({ response_action: 'errors', errors: { size: 'Must be at least 100 GB, the base disk’s size.' } }));
      await ack({ response_action: 'update', view: { type: 'modal', title: { type: 'plain_text', text: 'Confirm and Complete' }, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `Max Layer Size: *${gb} GB*` } }] } });
    });

    await channel().locator('article', { hasText: 'Fixture' }).getByRole('button', { name: 'Deploy for me' }).click();
    const modal = page.getByRole('dialog');
    await modal.getByRole('heading', { name: 'Create OS Version' }).waitFor();
    await modal.getByLabel('Max Layer Size (GB)').fill('0');
    await modal.getByRole('button', { name: 'Next' }).click();
    await modal.getByText('Please enter a number between 1 and ∞.').waitFor();

    await modal.getByLabel('Max Layer Size (GB)').fill('40');
    await modal.getByRole('button', { name: 'Next' }).click();
    await modal.getByText('Must be at least 100 GB, the base disk’s size.').waitFor();
    await screenshot('modal-field-error');

    await modal.getByLabel('Max Layer Size (GB)').fill('120');
    await modal.getByRole('button', { name: 'Next' }).click();
    await modal.getByRole('heading', { name: 'Confirm and Complete' }).waitFor();
    expect(await modal.locator('strong').textContent()).toBe('120 GB');
    await screenshot('modal-updated');

    await modal.getByRole('button', { name: 'Close' }).click();
    await modal.waitFor({ state: 'detached' });
    await screenshot('modal-closed');
  }, STEP_TIMEOUT_MS);

  it('shows the Home tab the app published for the person, and the sandbox panel says it is not running', async () => {
    run.bot.app.event('app_home_opened', async ({ event, client }) => {
      await client.views.publish({ user_id: event.user, view: { type: 'home', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'OS layers' } }] } });
    });
    await page.getByRole('button', { name: 'oslayer · Home' }).click();
    await page.locator('#home-body').getByRole('heading', { name: 'OS layers' }).waitFor();
    expect(await page.getByText('Sandbox not running.').isVisible()).toBe(true);
    await screenshot('home-tab');
  }, STEP_TIMEOUT_MS);
});
