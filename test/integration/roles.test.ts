import type { TestBot } from '../support/bot.js';
import { useTestBot } from '../support/world.js';
import type { SlackClientSim } from '../support/interactions.js';
import { grantRoles, USERS } from '../support/records.js';
import { ROLES_VIEW } from '../../views/roles.js';
import { checkBlockKitLimits } from '../../views/limits.js';
import { assignRole } from '../../src/workflow/roles.js';
import { testConfig } from '../support/bot.js';

let t: TestBot;
let sim: SlackClientSim;
const ADMIN = USERS.administrator;
useTestBot(async (w) => {
  ({ t, sim } = w);
  await grantRoles(t.bot.services.repos);
});

type Json = Record<string, any>;

/** Picks a person in the roles modal: users_select state carries `selected_user`, which the generic simulator does not fill. */
async function assign(user: string, role: string): Promise<Json> {
  const payload = sim.submission(ADMIN, { [ROLES_VIEW.roleBlock]: role });
  payload.view.state.values[ROLES_VIEW.userBlock] = { [ROLES_VIEW.userAction]: { type: 'users_select', selected_user: user } };
  payload.user = { ...payload.user, id: ADMIN };
  const res = await t.interaction(payload);
  return res.body ? (JSON.parse(res.body) as Json) : {};
}

async function openRoles(): Promise<Json> {
  const mark = sim.mark();
  expect(await sim.command(ADMIN, 'roles')).toEqual({});
  return (await sim.waitForCallAfter(mark, 'views.open')).args.view as Json;
}

describe('/oslayer roles', () => {
  it('shows an Administrator who holds which role, bootstrap admins marked as set by configuration', async () => {
    const view = await openRoles();
    const text = JSON.stringify(view.blocks);
    expect(view.title.text).toBe('Roles');
    expect(text).toContain('Administrators from OSLAYER_ADMINS');
    expect(text).toContain(`<@${ADMIN}>`);
    expect(text).toContain(`<@${USERS['manage-os-layers']}> — Manage OS Layers`);
    expect(text).toContain('Everyone else is Read Only');
    expect(checkBlockKitLimits(view, 'modal')).toEqual([]);
  });

  it('assigns a role, shows the change and records it in the audit log', async () => {
    await openRoles();
    const answer = await assign('UNEWCOMER', 'manage-os-layers');
    expect(answer.response_action).toBe('update');
    expect(JSON.stringify(answer.view.blocks)).toContain('<@UNEWCOMER> is now Manage OS Layers (was Read Only).');
    const { repos, config } = t.bot.services;
    expect(await repos.roles.roleOf('UNEWCOMER', config.admins)).toBe('manage-os-layers');
    const entry = await repos.audit.findOne({ action: 'role.assign', target: 'user:UNEWCOMER' });
    expect(entry).toMatchObject({ actor: ADMIN, details: { role: 'Manage OS Layers', previous: 'Read Only' } });

    // The new role takes effect at once: the newcomer may now start the wizard, but still not read the audit log.
    expect(JSON.stringify(await sim.command('UNEWCOMER', 'add-version'))).not.toContain("You can't");
    expect((await sim.command('UNEWCOMER', 'audit')).text).toContain("You can't read the audit log");

    const back = await assign('UNEWCOMER', 'read-only');
    expect(JSON.stringify(back.view.blocks)).toContain('<@UNEWCOMER> is now Read Only (was Manage OS Layers).');
    expect(await repos.roles.roleOf('UNEWCOMER', config.admins)).toBe('read-only');
  });

  it('refuses to change a bootstrap admin, on the person field', async () => {
    await openRoles();
    const answer = await assign(ADMIN, 'read-only');
    expect(answer.response_action).toBe('errors');
    expect(answer.errors[ROLES_VIEW.userBlock]).toContain('set by OSLAYER_ADMINS');
    expect(await t.bot.services.repos.roles.roleOf(ADMIN, t.bot.services.config.admins)).toBe('administrator');
  });

  it.each([USERS['manage-os-layers'], USERS['read-only']])('refuses %s the roles command and a forged submission', async (user) => {
    const answer = await sim.command(user, 'roles');
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toMatch(/You can't see or assign roles: it needs the Administrator role, and you have (Manage OS Layers|Read Only)\./);

    await openRoles();
    const payload = sim.submission(ADMIN, { [ROLES_VIEW.roleBlock]: 'administrator' });
    payload.view.state.values[ROLES_VIEW.userBlock] = { [ROLES_VIEW.userAction]: { type: 'users_select', selected_user: user } };
    payload.user = { ...payload.user, id: user };
    const forged = JSON.parse((await t.interaction(payload)).body) as Json;
    expect(JSON.stringify(forged.view.blocks)).toContain("You can't assign roles");
    expect(await t.bot.services.repos.roles.roleOf(user, t.bot.services.config.admins)).not.toBe('administrator');
  });

  it('keeps at least one Administrator when none are bootstrapped', async () => {
    const services = { repos: t.bot.services.repos, config: testConfig({ admins: [] }) };
    await t.bot.services.repos.roles.insert({ _id: 'UONLYADMIN', role: 'administrator', assignedBy: 'UADMIN1', at: new Date() });
    const refused = await assignRole(services, { actor: 'UONLYADMIN', userId: 'UONLYADMIN', role: 'read-only' });
    expect(refused).toEqual({ ok: false, message: expect.stringContaining('last Administrator') });
    expect(await assignRole(services, { actor: 'UONLYADMIN', userId: 'USECOND', role: 'administrator' })).toMatchObject({ ok: true });
    expect(await assignRole(services, { actor: 'USECOND', userId: 'UONLYADMIN', role: 'read-only' })).toMatchObject({ ok: true });
  });
});
