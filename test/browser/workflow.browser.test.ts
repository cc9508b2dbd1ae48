import type { Locator, Page } from 'playwright-core';
import { DEMO_LAYER_NAME } from '../../src/sandbox/index.js';
import { SimulatorControl } from '../../src/sandbox/azure/control-client.js';
import { openWorkspace, type WorkspaceBrowser } from './chromium.js';
import { ADMIN, startTestWorkspace } from './test-workspace.js';

/**
 * The whole workflow as a person does it on `npm run local`'s page, with the simulated Azure:
 * the wizard, Deploy for me, an NGen flag blocking Shutdown for Finalize, Expedite NGen,
 * Shutdown for Finalize, Finalize, and the version deployable; then a second version the
 * one-click way: Finalize straight from Action Required, stopped by NGen, and clicked again
 * once NGen is done. Each step waits for what the page shows next; the bot's jobs and the
 * simulator decide how long that takes.
 */

const STEP_TIMEOUT_MS = 90_000;
/** How long one change may take to show: a job, a machine operation, a rate-limited message update. */
const SHOWS_WITHIN = { timeout: 30_000 };
const VERSION = '2026-11';
/** The version finalized in one click from its Action Required message. */
const ONE_CLICK_VERSION = '2026-12';

let run: Awaited<ReturnType<typeof startTestWorkspace>>;
let browser: WorkspaceBrowser;
let page: Page;

beforeAll(async () => {
  run = await startTestWorkspace({ sandbox: true });
  browser = await openWorkspace(`${run.url}/?user=${ADMIN.id}`, 'workflow');
  page = browser.page;
}, STEP_TIMEOUT_MS);

afterAll(async () => {
  await browser?.close();
  await run?.stop();
});

const modal = () => page.getByRole('dialog');
const panel = () => page.getByRole('complementary', { name: 'Sandbox (simulated Azure)' });
const taskMessage = (version = VERSION) =>
  page.locator('#messages > article', { has: page.getByRole('heading', { name: `Add version ${version} to OS layer ${DEMO_LAYER_NAME}` }) });
/** The packaging machine's entry in the sandbox's inventory, once it exists. */
const machineInInventory = () => panel().getByRole('listitem').filter({ hasText: 'virtualMachines' });
const guestFlags = () => panel().getByRole('group', { name: /^Guest flags · / });

/** Saves the step with the task message in view: the replies only its clicker sees pile up below it. */
async function screenshot(step: string, version = VERSION): Promise<void> {
  if (await taskMessage(version).count()) await taskMessage(version).evaluate((article) => (article as { scrollIntoView(opts: object): void }).scrollIntoView({ block: 'start' }));
  await browser.screenshot(step);
}

async function send(text: string): Promise<void> {
  const composer = page.getByLabel('Message #os-layers');
  await composer.fill(text);
  await composer.press('Enter');
}

async function click(scope: Locator, name: string): Promise<void> {
  await scope.getByRole('button', { name, exact: true }).click();
}

/** Shutdown for Finalize on the task message, through the confirm dialog that says the machine is shut down. */
async function shutdownForFinalize(version = VERSION): Promise<void> {
  await click(taskMessage(version), 'Shutdown for Finalize');
  const confirm = page.getByRole('alertdialog');
  await confirm.getByRole('heading', { name: 'Check and shut down the machine?' }).waitFor();
  expect(await confirm.getByText(/I shut it down \(deallocate it\)/).isVisible()).toBe(true);
  await click(confirm, 'Check and shut down');
}

/** `/oslayer add-version` and the four wizard steps for `version`, saving a screenshot of each step when asked. */
async function addVersion(version: string, shoot: (step: string) => Promise<void> = async () => {}): Promise<void> {
  await send('/oslayer add-version');
  await modal().getByRole('heading', { name: 'Create OS Version' }).waitFor(SHOWS_WITHIN);
  // The command named no layer: the wizard asks for one, then shows its versions and sizes.
  await modal().getByLabel('OS Layer').selectOption({ label: DEMO_LAYER_NAME });
  await modal().getByLabel('Max Layer Size (GB)').waitFor(SHOWS_WITHIN);
  await modal().getByLabel('Version', { exact: true }).fill(version);
  expect(await modal().getByLabel('Max Layer Size (GB)').inputValue()).toBe('100');
  await shoot('wizard-version-details');

  await click(modal(), 'Next');
  const connector = modal().getByLabel('Platform Connector Configuration');
  await connector.waitFor(SHOWS_WITHIN);
  expect(await connector.locator('option:checked').textContent()).toContain('Sandbox');
  await shoot('wizard-connector');

  await click(modal(), 'Next');
  const filename = modal().getByLabel('Packaging Disk Filename');
  await filename.waitFor(SHOWS_WITHIN);
  expect(await filename.inputValue()).toMatch(/\.vhd$/);
  expect(await modal().getByRole('radio', { name: /Fixed VHD/ }).isChecked()).toBe(true);
  await shoot('wizard-packaging-disk');

  await click(modal(), 'Next');
  await modal().getByRole('button', { name: 'Create Version' }).waitFor(SHOWS_WITHIN);
  expect(await modal().getByText(new RegExp(`^Version\\s+${version}$`)).isVisible()).toBe(true);
  await shoot('wizard-confirm');
  // The confirm step says where the task message goes; Create Version answers at once, checks, then says it is under way.
  expect(await modal().getByText(/The task message will be posted in/).isVisible()).toBe(true);
  await click(modal(), 'Create Version');
  await modal().getByText(/is being created/).waitFor(SHOWS_WITHIN);
  // The modal's own Close button (the × in its corner is labelled Close too).
  await modal().getByRole('button', { name: 'Close', exact: true }).last().click();
  await modal().waitFor({ state: 'detached', ...SHOWS_WITHIN });
}

describe('the whole workflow in the local workspace, on the simulated Azure', () => {
  it('shows the sandbox running with its inventory and no machine yet', async () => {
    await panel().getByText('Sandbox running').waitFor();
    expect(await panel().getByRole('listitem').filter({ hasText: 'resourceGroups' }).count()).toBeGreaterThan(0);
    expect(await machineInInventory().count()).toBe(0);
    await screenshot('sandbox-before');
  }, STEP_TIMEOUT_MS);

  it('creates version 2026-11 of the demo layer through the four wizard steps', async () => {
    await addVersion(VERSION, screenshot);
  }, STEP_TIMEOUT_MS);

  it('publishes the packaging disk and asks for the packaging machine', async () => {
    await taskMessage().getByText('Action Required').waitFor(SHOWS_WITHIN);
    expect(await taskMessage().getByRole('button', { name: 'Finalize', exact: true }).isVisible()).toBe(true);
    expect(await taskMessage().getByRole('button', { name: 'Deploy for me' }).isVisible()).toBe(true);
    expect(await taskMessage().getByRole('button', { name: 'Shutdown for Finalize' }).isVisible()).toBe(true);
    await screenshot('task-action-required');
  }, STEP_TIMEOUT_MS);

  it('deploys the packaging machine on Deploy for me, and the sandbox shows it running with its guest flags', async () => {
    await click(taskMessage(), 'Deploy for me');
    await machineInInventory().filter({ hasText: 'running' }).waitFor(SHOWS_WITHIN);
    await guestFlags().waitFor(SHOWS_WITHIN);
    expect(await guestFlags().getByRole('checkbox', { name: 'ngenInProgress' }).isChecked()).toBe(false);
    await taskMessage().getByText(/Packaging machine.*: running/).waitFor(SHOWS_WITHIN);
    await screenshot('machine-deployed');
  }, STEP_TIMEOUT_MS);

  it('installs an update set as pending in the sandbox panel through Install updates, restarting the machine for it', async () => {
    const windowsUpdate = panel().getByRole('group', { name: /^Windows Update · / });
    await windowsUpdate.getByLabel('KB number').fill('KB5041578');
    await windowsUpdate.getByLabel('Update title').fill('2024-08 Cumulative Update for Windows 10');
    await windowsUpdate.getByLabel('Needs a restart').check();
    await click(windowsUpdate, 'Add pending update');
    await windowsUpdate.getByRole('listitem').filter({ hasText: 'KB5041578' }).waitFor(SHOWS_WITHIN);

    await taskMessage().getByRole('button', { name: 'Install updates' }).waitFor(SHOWS_WITHIN);
    await click(taskMessage(), 'Install updates');
    await modal().getByRole('heading', { name: 'Install updates' }).waitFor(SHOWS_WITHIN);
    expect(await modal().getByRole('radio', { name: /Security and critical updates only/ }).isChecked()).toBe(true);
    await screenshot('install-updates-modal');
    await click(modal(), 'Install');
    await modal().waitFor({ state: 'detached', ...SHOWS_WITHIN });

    await taskMessage().getByText(/Windows updates.*1 update installed, 1 restart\. Nothing applicable is left/).waitFor({ timeout: 60_000 });
    await panel().getByText('Installed: KB5041578').waitFor(SHOWS_WITHIN);
    await screenshot('updates-installed');
  }, STEP_TIMEOUT_MS);

  it('refuses Shutdown for Finalize while NGen is compiling, and offers Expedite NGen', async () => {
    const ngen = guestFlags().getByRole('checkbox', { name: 'ngenInProgress' });
    await ngen.check();
    // Shutdown for Finalize drains NGen first: only NGen that outlasts the drain blocks it.
    await guestFlags().getByRole('checkbox', { name: 'ngenOutlastsBudget' }).check();
    await screenshot('ngen-flag-ticked');

    await shutdownForFinalize();
    await taskMessage().getByText("The layer can't be finalized yet").waitFor(SHOWS_WITHIN);
    expect(await taskMessage().getByText('.NET is compiling native images (NGen)').isVisible()).toBe(true);
    expect(await taskMessage().getByRole('button', { name: 'Expedite NGen' }).isVisible()).toBe(true);
    expect(await machineInInventory().filter({ hasText: 'running' }).count()).toBe(1);
    await screenshot('shutdown-blocked-by-ngen');
  }, STEP_TIMEOUT_MS);

  it('runs NGen on Expedite NGen, which clears the flag and the condition', async () => {
    await guestFlags().getByRole('checkbox', { name: 'ngenOutlastsBudget' }).uncheck();
    await click(taskMessage(), 'Expedite NGen');
    await guestFlags().getByRole('checkbox', { name: 'ngenInProgress', checked: false }).waitFor(SHOWS_WITHIN);
    await taskMessage().getByText("The layer can't be finalized yet").waitFor({ state: 'detached', ...SHOWS_WITHIN });
    await screenshot('ngen-expedited');
  }, STEP_TIMEOUT_MS);

  it('shuts the machine down on Shutdown for Finalize and offers Finalize', async () => {
    await shutdownForFinalize();
    await taskMessage().getByText('the machine passed the layer integrity check and is shut down').waitFor(SHOWS_WITHIN);
    expect(await taskMessage().getByText(/Ready to Finalize$/).isVisible()).toBe(true);
    expect(await taskMessage().getByRole('button', { name: 'Finalize', exact: true }).isVisible()).toBe(true);
    await machineInInventory().filter({ hasText: 'deallocated' }).waitFor(SHOWS_WITHIN);
    await screenshot('ready-to-finalize');
  }, STEP_TIMEOUT_MS);

  it('asks before Finalize, then makes the version deployable and deletes the machine', async () => {
    await click(taskMessage(), 'Finalize');
    const confirm = page.getByRole('alertdialog');
    await confirm.getByRole('heading', { name: 'Finalize this version?' }).waitFor();
    // Plain words: Slack shows a confirm dialog as plain text, so nothing in it is bold or code.
    expect(await confirm.getByText(/The packaging machine will be deleted/).isVisible()).toBe(true);
    expect(await confirm.locator('strong, code').count()).toBe(0);
    await screenshot('finalize-confirm');
    await click(confirm, 'Finalize');

    await taskMessage().getByText(`version ${VERSION} is deployable`, { exact: false }).waitFor(SHOWS_WITHIN);
    expect(await taskMessage().getByText(/Deployable$/).isVisible()).toBe(true);
    await machineInInventory().first().waitFor({ state: 'detached', ...SHOWS_WITHIN });
    await screenshot('version-deployable');
  }, STEP_TIMEOUT_MS);

  it('lists the new version as deployable in /oslayer layers', async () => {
    await send('/oslayer layers');
    const layers = page.locator('#messages > article', { has: page.getByRole('heading', { name: 'OS layers' }) });
    await layers.waitFor(SHOWS_WITHIN);
    expect(await layers.getByText(`${VERSION} — Deployable`, { exact: false }).isVisible()).toBe(true);
    await screenshot('layers-list');
  }, STEP_TIMEOUT_MS);
});

describe('Finalize in one click from the Action Required message', () => {
  const message = () => taskMessage(ONE_CLICK_VERSION);
  const shot = (step: string) => screenshot(step, ONE_CLICK_VERSION);

  /** Finalize on the message, through its confirm dialog. */
  async function finalize(): Promise<void> {
    await click(message(), 'Finalize');
    const confirm = page.getByRole('alertdialog');
    await confirm.getByText('I check the layer first').waitFor();
    await click(confirm, 'Finalize');
  }

  it('creates version 2026-12 and deploys its packaging machine', async () => {
    await addVersion(ONE_CLICK_VERSION);
    await message().getByText('Action Required').waitFor(SHOWS_WITHIN);
    await click(message(), 'Deploy for me');
    await message().getByText(/Packaging machine.*: running/).waitFor(SHOWS_WITHIN);
    await guestFlags().waitFor(SHOWS_WITHIN);
    // Once the machine is ready the bot reads what it has installed (the changelog's base); the machine is busy until then.
    await message().getByRole('button', { name: /^\d+ repl(y|ies)$/ }).click();
    // The thread's line, not the machine line's "reading what it has installed before any change" on the message itself.
    await message().getByText(/Read what .* has installed before any change/).waitFor(SHOWS_WITHIN);
    await message().getByText(/reading what it has installed/).waitFor({ state: 'detached', ...SHOWS_WITHIN });
    await message().getByRole('button', { name: /^Hide \d+ repl(y|ies)$/ }).click();
    await shot('one-click-machine-deployed');
  }, STEP_TIMEOUT_MS);

  it('stops at NGen: the condition with its remedy, the machine still running, the version still Action Required', async () => {
    await guestFlags().getByRole('checkbox', { name: 'ngenInProgress' }).check();
    await guestFlags().getByRole('checkbox', { name: 'ngenOutlastsBudget' }).check();
    await finalize();
    await message().getByText("The layer can't be finalized yet").waitFor(SHOWS_WITHIN);
    expect(await message().getByText('.NET is compiling native images (NGen)').isVisible()).toBe(true);
    expect(await message().getByText(/Action Required$/).isVisible()).toBe(true);
    expect(await machineInInventory().filter({ hasText: 'running' }).count()).toBe(1);
    await shot('one-click-blocked-by-ngen');
  }, STEP_TIMEOUT_MS);

  it('finalizes on a second click once NGen is done, and the machine is gone', async () => {
    await guestFlags().getByRole('checkbox', { name: 'ngenOutlastsBudget' }).uncheck();
    await guestFlags().getByRole('checkbox', { name: 'ngenInProgress' }).uncheck();
    await finalize();
    await message().getByText(`version ${ONE_CLICK_VERSION} is deployable`, { exact: false }).waitFor(SHOWS_WITHIN);
    expect(await message().getByText(/Deployable$/).isVisible()).toBe(true);
    await machineInInventory().first().waitFor({ state: 'detached', ...SHOWS_WITHIN });
    await shot('one-click-deployable');
  }, STEP_TIMEOUT_MS);
});

describe('storage, reached as production reaches it', () => {
  it('signed nothing with the storage account’s key in both workflows: Entra ID tokens and user delegation SAS only', async () => {
    const simulator = run.bot.sandbox!.simulator;
    const { requests } = await new SimulatorControl(simulator).storage(simulator.storageAccount);
    expect({ sharedKey: requests.sharedKey, keySas: requests.keySas }).toEqual({ sharedKey: 0, keySas: 0 });
    expect(requests.bearer).toBeGreaterThan(0);
    expect(requests.userDelegationSas).toBeGreaterThan(0);
  });
});
