import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestBot, TEST_BOT_TOKEN, type TestBot } from '../support/bot.js';
import { freshMongoUri } from '../support/stand-ins.js';
import { TaskButtons } from '../support/task-buttons.js';
import { FakeSlackWebApi } from '../../src/sandbox/slack/web-api.js';
import { TASK_ACTIONS } from '../../views/task-message.js';
import { statusShown } from '../support/ready-to-finalize.js';

/**
 * `npm run local` stopped (Ctrl+C) and started again on the same data directory keeps its
 * simulated Azure: blobs in Azurite's files, the ARM simulator's resources and guests in its
 * JSON file. A version left at Action Required with a running machine is finalized after the restart.
 */
const slack = new FakeSlackWebApi(TEST_BOT_TOKEN);
let slackUrl: string;
const same = { sandbox: { enabled: true }, dataDir: mkdtempSync(join(tmpdir(), 'oslayer-restart-')), mongodbUri: freshMongoUri('restart'), secretKey: randomBytes(32) };
let bot: TestBot | undefined;
let ui: TaskButtons | undefined;

async function start(): Promise<TaskButtons> {
  bot = await startTestBot(same, { slack: { api: slack, url: slackUrl } });
  ui = new TaskButtons(bot);
  await ui.start();
  return ui;
}

async function stop(): Promise<void> {
  await ui?.stop();
  await bot?.stop();
  ui = bot = undefined;
}

beforeAll(async () => {
  slackUrl = await slack.listen();
});
afterAll(async () => {
  await stop();
  await slack.close();
});

it('a version at Action Required with a running machine and a guest condition is still there after a restart, and is finalized', async () => {
  let buttons = await start();
  const v = await buttons.publish('2028-01');
  await buttons.deploy(v);
  await buttons.until('the machine to run', async () => ((await buttons.vm(v))?.powerState === 'running' ? true : undefined), 20_000);
  await buttons.control.setGuest(v.vmName, { smsCfgPresent: true });
  const before = (await buttons.resourcesOf(v)).map((r) => `${r.type} ${r.name} ${r.powerState ?? ''}`).sort();
  await stop();

  buttons = await start();
  expect((await buttons.resourcesOf(v)).map((r) => `${r.type} ${r.name} ${r.powerState ?? ''}`).sort()).toEqual(before);
  expect(before).toContain(`Microsoft.Compute/virtualMachines ${v.vmName} running`);

  // The guest still has its SCCM identity file: the check finds it, and passes once it is gone.
  let since = buttons.mark();
  await buttons.click('UADMIN1', v, TASK_ACTIONS.shutdownForFinalize);
  expect(await buttons.waitForEphemeral('UADMIN1', /I didn't shut the packaging machine down/, since, 30_000)).toContain('SMSCFG.INI');
  await buttons.control.setGuest(v.vmName, { smsCfgPresent: false });
  since = buttons.mark();
  await buttons.click('UADMIN1', v, TASK_ACTIONS.shutdownForFinalize);
  await buttons.waitForEphemeral('UADMIN1', /passed the check and is shut down and deallocated/, since, 30_000);

  await buttons.waitForMessage(v, (text) => text.includes(statusShown('ready-to-finalize')));
  await buttons.click('UADMIN1', v, TASK_ACTIONS.finalize);
  await buttons.waitForMessage(v, (text) => text.includes(statusShown('deployable')), 30_000).catch((err: Error) => {
    throw new Error(`${err.message}\n${buttons.threadTexts(v).join('\n')}\n${buttons.ephemerals('UADMIN1', 0).join('\n')}\n${bot!.logLines.filter((l) => /"level":"(warn|error)"/.test(l)).join('\n')}`);
  });
  expect(await buttons.resourcesOf(v)).toEqual([]);
}, 120_000);
