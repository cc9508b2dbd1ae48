/**
 * Every answer to a click leaves for Slack as mrkdwn built by construction (views/blocks.ts
 * Mrkdwn): a version named `<!here> *v2* <script>` comes back escaped through response_url
 * ephemerals and thread posts, whichever button is clicked in whichever state — never raw, as
 * finalize once sent it ("Version … is deployable; only a version that is ready to finalize…").
 * The buttons are clicked on the message as it was at Action Required, as a person can click an
 * older copy (or the task detail) after the version moved on.
 */
import type { VersionStatus } from '../../src/domain/model.js';
import type { TestBot } from '../support/bot.js';
import { useTaskButtons } from '../support/world.js';
import { ADMIN, CHANNEL, type PublishedVersion, type TaskButtons } from '../support/task-buttons.js';
import { isEphemeralTo } from '../support/interactions.js';
import { TASK_ACTIONS } from '../../views/task-message.js';

const HOSTILE = '<!here> *v2* <script>';
const ESCAPED = '&lt;!here&gt; *v2* &lt;script&gt;';

let t: TestBot;
let ui: TaskButtons;
let v: PublishedVersion;
let actionRequiredBlocks: unknown;
useTaskButtons(async (world) => {
  ({ t, ui } = world);
  v = await ui.publish('hostile-1');
  actionRequiredBlocks = ui.message(v).blocks;
  // The name as a person could have typed it; every listener reads it from the store.
  await t.bot.services.repos.versions.update(v.versionId, { name: HOSTILE });
});

/** Everything the bot said after `since`: ephemerals to the clicker (response_url or chat.postEphemeral) and thread posts. */
function saidSince(since: number): string[] {
  return t.slack.calls
    .slice(since)
    .filter((c) => isEphemeralTo(c, ADMIN) || (c.method === 'chat.postMessage' && c.args.thread_ts === v.ts))
    .map((c) => String(c.args.text));
}

const CASES: Array<[VersionStatus, string, RegExp]> = [
  ['deployable', TASK_ACTIONS.finalize, /is deployable; only a version that is ready to finalize can be finalized/],
  ['checking', TASK_ACTIONS.finalize, /is already finalizing: its layer is being checked first/],
  ['finalizing', TASK_ACTIONS.finalize, /is already finalizing/],
  ['publishing', TASK_ACTIONS.finalize, /can't be finalized yet: its packaging disk is still being published/],
  ['cancelled', TASK_ACTIONS.cancel, /is already cancelled; there is nothing to cancel/],
  ['deployable', TASK_ACTIONS.cancel, /is already deployable; there is nothing to cancel/],
];

describe('answers to clicks escape the version name', () => {
  it.each(CASES)('version %s, %s: the answer names the version as typed and never as markup', async (status, actionId, expected) => {
    await t.bot.services.repos.versions.update(v.versionId, { status });
    const since = ui.mark();
    await ui.sim.clickInMessage(ADMIN, { blocks: actionRequiredBlocks }, actionId, { value: v.taskId, channel: CHANNEL });
    const answer = await ui.waitForEphemeral(ADMIN, expected, since);
    expect(answer).toContain(`Version ${ESCAPED}`);
    for (const text of saidSince(since)) {
      expect(text).not.toContain('<!here>');
      expect(text).not.toContain('<script>');
    }
  });
});
