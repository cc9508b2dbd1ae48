import { BotWorld } from '../support/bot-processes.js';
import { freshMongoUri, blobEndpoint } from '../support/stand-ins.js';
import { PUBLISH_STEP } from '../../src/workflow/publish.js';
import { FINALIZE_STEP } from '../../src/workflow/finalize-steps.js';

/**
 * kill -9 of the bot's process group in the middle of a server-side copy, then the same bot
 * started again on the same store: it takes the job over once the dead one's lock runs out
 * (OSLAYER_JOB_LOCK_SECONDS, short here), says so in the thread, and finishes with one copy,
 * one task message, and nothing of the task left in Azure.
 */
const world = new BotWorld({ mongodbUri: freshMongoUri('crash'), lockSeconds: 3, azuriteEndpoint: blobEndpoint() });
beforeAll(() => world.start(), 30_000);
afterAll(() => world.stop(), 30_000);

const count = (lines: string[], text: string) => lines.filter((line) => line.includes(text)).length;

it('a bot killed during the publish copy and again during the finalize copy is resumed by the restarted bot, within 90 s each time', async () => {
  world.proxy.holdCopies = true;
  let bot = await world.startBot();
  const { taskId, versionId, ts } = await world.createVersion('2027-11');

  // Killed while Azure copies the packaging disk.
  expect(await world.proxy.nextHeldCopy()).toMatch(/\/2027-11-packaging\.vhd$/);
  await world.kill(bot);
  world.proxy.release();
  expect(await world.status(versionId)).toBe('publishing');
  bot = await world.startBot();
  await world.waitForStatus(versionId, 'action-required', 90_000).catch((err: Error) => {
    throw new Error(`${err.message}\n${world.thread(ts).join('\n')}\n${bot.output().slice(-3000)}`);
  });

  // Killed while Azure copies the machine's OS disk into the layer store.
  await world.readyToFinalize(taskId);
  world.proxy.holdCopies = true;
  await world.clickFinalize(taskId);
  expect(await world.proxy.nextHeldCopy()).toMatch(/\/windows-11-enterprise\/2027-11\.vhd$/);
  await world.kill(bot);
  world.proxy.release();
  expect(await world.status(versionId)).toBe('finalizing');
  await world.startBot();
  await world.waitForStatus(versionId, 'deployable', 90_000);
  await world.waitForThread(ts, 'is deployable');

  const thread = world.thread(ts);
  expect(thread.filter((line) => line.includes('Resuming after an interruption'))).toEqual([
    expect.stringContaining(`from the step that was under way: *${PUBLISH_STEP.copy}*`),
    expect.stringContaining(`from the step that was under way: *${FINALIZE_STEP.copy}*`),
  ]);
  // The copies the killed bots started were waited for, not started again.
  expect(world.proxy.copiesTo('/2027-11-packaging.vhd')).toBe(1);
  expect(world.proxy.copiesTo('/windows-11-enterprise/2027-11.vhd')).toBe(1);
  expect(thread.filter((line) => line.startsWith(":white_check_mark: ")).sort()).toEqual([...Object.values(PUBLISH_STEP), ...Object.values(FINALIZE_STEP)].map((step) => `:white_check_mark: ${step}`).sort());
  expect(count(thread, 'Action Required')).toBe(1);
  expect(count(thread, 'is deployable')).toBe(1);
  expect(world.taskMessages()).toBe(1);
  expect(world.tagged(taskId)).toEqual([]);
}, 240_000);
