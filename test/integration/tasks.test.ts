import { startTestBot, type TestBot } from '../support/bot.js';
import { useTestBot } from '../support/world.js';
import type { SlackClientSim } from '../support/interactions.js';
import { daysAgo, grantRoles, seedTask, USERS } from '../support/records.js';
import { checkBlockKitLimits } from '../../views/limits.js';
import { TASK_VIEW_IDS } from '../../views/tasks.js';

let t: TestBot;
let sim: SlackClientSim;
const READER = USERS['read-only'];

useTestBot(async (w) => {
  ({ t, sim } = w);
  await grantRoles(t.bot.services.repos);
});

type Json = Record<string, any>;
const textOf = (surface: Json): string => JSON.stringify(surface.blocks);
const viewButtons = (surface: Json): string[] =>
  (surface.blocks as Json[]).filter((b) => b.accessory?.action_id === TASK_VIEW_IDS.view).map((b) => b.accessory.value as string);

describe('/oslayer tasks', () => {
  it('lists the open tasks for anyone, with status, progress, who started them, age and a View button each', async () => {
    const { repos } = t.bot.services;
    const copying = await seedTask(repos, {
      layer: { name: 'Win11 Enterprise' },
      version: { name: '2026-03', status: 'publishing' },
      task: { status: 'running', progress: 42, createdAt: new Date(Date.now() - 2 * 3600_000), steps: [{ name: 'Copying the base disk', status: 'running', startedAt: new Date() }] },
    });
    const waiting = await seedTask(repos, { layer: { name: 'Server 2022' }, version: { name: '2026-04' }, task: { createdAt: daysAgo(3) } });
    const done = await seedTask(repos, { version: { name: 'old-done', status: 'deployable' }, task: { status: 'done' } });

    const answer = await sim.command(READER, 'tasks');
    expect(answer.response_type).toBe('ephemeral');
    const text = textOf(answer);
    expect(text).toContain('Win11 Enterprise › 2026-03');
    expect(text).toContain('Running · 42%');
    // Slack's {ago} token, so the age stays true as time passes: the time it counts from is the task's start.
    expect(text).toContain(`started by <@${USERS['manage-os-layers']}> <!date^${Math.floor(copying.task.createdAt.getTime() / 1000)}^{ago}|`);
    expect(text).toContain('Copying the base disk');
    expect(text).toContain('Server 2022 › 2026-04');
    expect(text).toContain('Action Required');
    expect(text).toContain(`<!date^${Math.floor(waiting.task.createdAt.getTime() / 1000)}^{ago}|`);
    expect(text).not.toContain('old-done');
    expect(viewButtons(answer)).toEqual(expect.arrayContaining([copying.task._id, waiting.task._id]));
    expect(viewButtons(answer)).not.toContain(done.task._id);
    expect(checkBlockKitLimits(answer, 'message')).toEqual([]);

    const all = await sim.command(READER, 'tasks all');
    expect(textOf(all)).toContain('old-done');
    expect(textOf(all)).toContain('Done');
  });

  it('pages `tasks all` ten at a time, newest first, redrawing the message in place', async () => {
    const { repos } = t.bot.services;
    for (let i = 0; i < 12; i++) await seedTask(repos, { version: { name: `paged-${String(i).padStart(2, '0')}` }, task: { status: 'done', createdAt: new Date(Date.now() - (i + 1) * 60_000) } });
    const first = await sim.command(READER, 'tasks all');
    expect(viewButtons(first)).toHaveLength(10);
    expect(textOf(first)).toContain('Page 1 of');
    const before = sim.responses.length;
    await sim.clickInMessage(READER, first, TASK_VIEW_IDS.pageNext);
    const [next] = (await sim.waitForResponses(before + 1)).slice(before);
    expect(next!.body.replace_original).toBe(true);
    expect(textOf(next!.body)).toContain('Page 2 of');
    expect(viewButtons(next!.body).some((id) => viewButtons(first).includes(id))).toBe(false);
  });

  it('says so when nothing is open', async () => {
    const fresh = await startTestBot();
    try {
      const answer = JSON.parse((await fresh.command('tasks', READER)).body) as Json;
      expect(answer.text).toContain('No open tasks');
    } finally {
      await fresh.stop();
    }
  });
});

describe('the task detail modal (View)', () => {
  it('shows the steps with their times, the portal link while it works and the last integrity result', async () => {
    const { repos } = t.bot.services;
    const started = new Date('2026-03-01T10:00:00Z');
    const { task } = await seedTask(repos, {
      layer: { name: 'Detail layer' },
      version: {
        name: 'detail-1',
        portalLink: { url: 'https://portal.azure.com/#create/Microsoft.Template/uri/https%3A%2F%2Fx.invalid%2Ft.json', expiresAt: new Date(Date.now() + 86400_000) },
        lastIntegrity: { checkedAt: new Date(), clean: false, blocking: ['ngenInProgress', 'rebootPending', 'ngenQueued'] },
        packagingMachine: { name: 'detail-1-packaging', resourceGroup: 'rg-layers' },
      },
      task: {
        steps: [
          { name: 'Version created', status: 'done', startedAt: started, endedAt: started },
          { name: 'Copied the base version disk', status: 'done', startedAt: started, endedAt: new Date('2026-03-01T10:05:00Z') },
        ],
      },
    });
    const list = await sim.command(READER, 'tasks');
    const mark = sim.mark();
    await sim.clickInMessage(READER, list, TASK_VIEW_IDS.view, { value: task._id });
    const open = await sim.waitForCallAfter(mark, 'views.open');
    const view = open.args.view as Json;
    expect(view.title.text).toBe('Task');
    const text = textOf(view);
    expect(text).toContain('Add version detail-1 to OS layer Detail layer');
    expect(text).toContain('Copied the base version disk');
    expect(text).toContain(`<!date^${Math.floor(started.getTime() / 1000)}^`);
    expect(text).toContain('2026-03-01T10:05:00.000Z');
    expect(text).toContain('https://portal.azure.com/#create/Microsoft.Template/uri/');
    expect(text).toContain('Blocking finalize');
    expect(text).toContain('compiling native images (NGen)');
    // Stored by an earlier release (report v2): still shown as blocking, with what to do.
    expect(text).toMatch(/An earlier check reported \\?"ngenQueued\\?", which this release no longer checks/);
    expect(text).toContain('waiting for a restart to finish');
    expect(text).toContain('detail-1-packaging');
    expect(checkBlockKitLimits(view, 'modal')).toEqual([]);
  });

  it('leaves out an expired portal link and says it expired', async () => {
    const { repos } = t.bot.services;
    const { task } = await seedTask(repos, {
      version: { portalLink: { url: 'https://portal.azure.com/#create/expired-link', expiresAt: daysAgo(2) }, lastIntegrity: { checkedAt: new Date(), clean: true, blocking: [] } },
    });
    const mark = sim.mark();
    await sim.clickInMessage(READER, { blocks: [{ type: 'actions', block_id: 'b', elements: [{ type: 'button', action_id: TASK_VIEW_IDS.view, value: task._id }] }] }, TASK_VIEW_IDS.view);
    const text = textOf((await sim.waitForCallAfter(mark, 'views.open')).args.view as Json);
    expect(text).not.toContain('expired-link');
    expect(text).toMatch(/The portal link expired <!date\^\d+\^\{ago\}\|/);
    expect(text).toContain('Clean: nothing blocks finalizing');
  });
});
