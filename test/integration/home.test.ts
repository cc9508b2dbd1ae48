import { startTestBot, type TestBot } from '../support/bot.js';
import { clickInHome, grantRoles, openHome, seedTask, USERS } from '../support/records.js';
import { checkBlockKitLimits } from '../../views/limits.js';
import { ACTION } from '../../views/ids.js';
import { HOME_ACTIONS } from '../../views/home.js';
import { TASK_VIEW_IDS } from '../../views/tasks.js';
import type { Role } from '../../src/domain/model.js';

let t: TestBot;
let seeded: Awaited<ReturnType<typeof seedTask>>;
beforeAll(async () => {
  t = await startTestBot();
  const { repos } = t.bot.services;
  await grantRoles(repos);
  seeded = await seedTask(repos, {
    layer: { name: 'Windows 11 Enterprise' },
    version: { name: '2026-05', status: 'action-required' },
    task: { status: 'action-required' },
  });
  await repos.connectors.update(seeded.connector._id, { name: 'Production West Europe' });
});
afterAll(async () => {
  await t.stop();
});

type Json = Record<string, any>;
function actionIdsOf(view: Json): string[] {
  return (view.blocks as Json[]).flatMap((b) => [...(b.elements ?? []), ...(b.accessory ? [b.accessory] : [])]).map((e: Json) => e.action_id as string);
}

describe('App Home', () => {
  it.each<[Role, string[], string[]]>([
    ['administrator', [ACTION.layersAddVersion, ACTION.layersImport, HOME_ACTIONS.manageConnectors, HOME_ACTIONS.roles, TASK_VIEW_IDS.view], []],
    ['manage-os-layers', [ACTION.layersAddVersion, ACTION.layersImport, TASK_VIEW_IDS.view], [HOME_ACTIONS.manageConnectors, HOME_ACTIONS.roles]],
    ['read-only', [TASK_VIEW_IDS.view], [ACTION.layersAddVersion, ACTION.layersImport, HOME_ACTIONS.manageConnectors, HOME_ACTIONS.roles]],
  ])('shows %s the layers, open tasks and connectors, with only the buttons the role allows', async (role, shown, hidden) => {
    const view = await openHome(t, USERS[role]);
    expect(view.type).toBe('home');
    const text = JSON.stringify(view.blocks);
    expect(text).toContain('Windows 11 Enterprise');
    expect(text).toContain('2026-05 — Action Required');
    expect(text).toContain('Production West Europe');
    expect(text).toContain('Open tasks');
    const ids = actionIdsOf(view);
    for (const id of shown) expect(ids).toContain(id);
    for (const id of hidden) expect(ids).not.toContain(id);
    expect(checkBlockKitLimits(view, 'home')).toEqual([]);
  });

  it('opens the task detail modal from a task on Home', async () => {
    const reader = USERS['read-only'];
    await openHome(t, reader);
    const before = t.slack.calls.length;
    await clickInHome(t, reader, TASK_VIEW_IDS.view, seeded.task._id);
    const open = await t.slack.waitForCall('views.open', (c) => t.slack.calls.indexOf(c) >= before);
    expect(JSON.stringify((open.args.view as Json).blocks)).toContain('Add version 2026-05 to OS layer Windows 11 Enterprise');
  });

  it('opens the connector list, with its buttons, in a modal for an Administrator (no DM: the Messages tab is off)', async () => {
    const admin = USERS.administrator;
    await openHome(t, admin);
    const before = t.slack.calls.length;
    await clickInHome(t, admin, HOME_ACTIONS.manageConnectors);
    const open = await t.slack.waitForCall('views.open', (c) => t.slack.calls.indexOf(c) >= before);
    expect(open.error).toBeUndefined();
    expect(JSON.stringify(open.args.view)).toContain('Production West Europe');
    expect(actionIdsOf(open.args.view as Json)).toEqual(expect.arrayContaining([ACTION.connectorsEdit, ACTION.connectorsTest]));
    expect(t.slack.callsTo('chat.postMessage').filter((c) => t.slack.calls.indexOf(c) >= before)).toEqual([]);
  });

  it('opens the roles modal from Home for an Administrator', async () => {
    const admin = USERS.administrator;
    const before = t.slack.calls.length;
    await clickInHome(t, admin, HOME_ACTIONS.roles);
    const open = await t.slack.waitForCall('views.open', (c) => t.slack.calls.indexOf(c) >= before);
    expect((open.args.view as Json).title.text).toBe('Roles');
  });
});
