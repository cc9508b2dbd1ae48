import { startTestBot, type TestBot } from '../support/bot.js';
import { seedTask, USERS } from '../support/records.js';
import { TaskRun } from '../../src/workflow/task-run.js';
import type { RecordedCall } from '../../src/sandbox/slack/web-api.js';

let t: TestBot;
beforeAll(async () => {
  t = await startTestBot();
});
afterAll(async () => {
  await t.stop();
});

const STARTER = USERS['manage-os-layers'];

async function postedTask(versionStatus: 'publishing' | 'finalizing') {
  const { repos, notifier } = t.bot.services;
  const { task } = await seedTask(repos, { version: { status: versionStatus }, task: { status: 'running', startedBy: STARTER } });
  const where = await notifier.post(task._id, 'CNOTIFY1');
  const run = (await TaskRun.load(t.bot.services, task._id))!;
  const thread = () => t.slack.callsTo('chat.postMessage').filter((c) => c.args.thread_ts === where.ts).map((c) => String(c.args.text));
  const update = (match: string) => t.slack.waitForCall('chat.update', (c: RecordedCall) => c.args.ts === where.ts && JSON.stringify(c.args.blocks).includes(match));
  return { run, where, thread, update };
}

describe('the task message thread', () => {
  it('gets a line for every finished step, and the message mentions the initiator on Action Required', async () => {
    const { run, thread, update } = await postedTask('publishing');
    await run.step('Copied the base version disk', async () => undefined);
    await run.step('Wrote the packaging machine template', async () => undefined);
    expect(thread()).toEqual([':white_check_mark: Copied the base version disk', ':white_check_mark: Wrote the packaging machine template']);
    await run.moveVersion({ type: 'published' });
    expect(JSON.stringify((await update('Action Required')).args.blocks)).toContain(`<@${STARTER}>, the packaging disk is published`);
  });

  it('mentions the initiator in the thread when the task fails, with the reason', async () => {
    const { run, thread, update } = await postedTask('publishing');
    await run.fail('the storage account is gone.', { retryable: false });
    expect(thread()).toEqual([`:x: <@${STARTER}> the storage account is gone.`]);
    expect(JSON.stringify((await update('Failed')).args.blocks)).toContain('the storage account is gone.');
  });

  it('mentions the initiator when the version is done', async () => {
    const { run, update } = await postedTask('finalizing');
    await run.moveVersion({ type: 'finalized' });
    expect(JSON.stringify((await update('Deployable')).args.blocks)).toContain(`<@${STARTER}>, version *${run.version.name}* is deployable`);
  });
});
