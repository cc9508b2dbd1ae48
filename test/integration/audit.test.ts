import { startTestBot, type TestBot } from '../support/bot.js';
import { connectorRecord, daysAgo, grantRoles, seedTask, taskRecord, USERS } from '../support/records.js';
import { checkBlockKitLimits } from '../../views/limits.js';
import { recordAudit } from '../../src/workflow/audit.js';
import { saveConnector, deleteConnector } from '../../src/workflow/connectors.js';
import { createVersion } from '../../src/workflow/create-version.js';
import { enforceRetention } from '../../src/workflow/retention.js';
import { RETENTION_JOB } from '../../jobs/enforce-retention.js';
import type { ConnectorInput } from '../../src/domain/validation.js';

let t: TestBot;
beforeAll(async () => {
  t = await startTestBot();
  await grantRoles(t.bot.services.repos);
});
afterAll(async () => {
  await t.stop();
});

type Json = Record<string, any>;
async function command(text: string, user: string = USERS.administrator): Promise<Json> {
  return JSON.parse((await t.command(text, user)).body) as Json;
}

const SECRET = 'client-secret-that-must-stay-hidden-4711';
function connectorInput(name: string, clientSecret?: string): ConnectorInput {
  const { _id, createdAt, updatedAt, createdBy, auth, ...rest } = connectorRecord({ name });
  return { ...rest, auth: { kind: 'client-secret', clientId: '11111111-1111-1111-1111-111111111111', clientSecret } } as ConnectorInput;
}

describe('audit entries', () => {
  it('records who created, edited and deleted a connector, and who created a version, never the secret', async () => {
    const { repos } = t.bot.services;
    const saved = await saveConnector(t.bot.services, connectorInput('Audit connector', SECRET), { actor: USERS.administrator });
    if (!saved.ok) throw new Error(JSON.stringify(saved.errors));
    await saveConnector(t.bot.services, connectorInput('Audit connector renamed'), { actor: USERS.administrator, existing: saved.connector });
    expect(await deleteConnector(t.bot.services, saved.connector._id, USERS.administrator)).toMatchObject({ ok: true });

    const { layer, version } = await seedTask(repos, { version: { status: 'deployable' } });
    const created = await createVersion(t.bot.services, {
      layerId: layer._id,
      name: 'audited-version',
      description: '',
      baseVersionId: version._id,
      maxLayerSizeGb: 100,
      connectorId: layer.connectorId,
      packagingDiskFilename: 'audited.vhd',
      requestedBy: USERS['manage-os-layers'],
    });
    expect(created.ok).toBe(true);

    const entries = await repos.audit.list({}, { sort: { at: 1 } });
    expect(entries.map((e) => [e.action, e.actor])).toEqual(
      expect.arrayContaining([
        ['connector.create', USERS.administrator],
        ['connector.update', USERS.administrator],
        ['connector.delete', USERS.administrator],
        ['version.create', USERS['manage-os-layers']],
      ]),
    );
    for (const e of entries) expect(e.at).toBeInstanceOf(Date);
    expect(JSON.stringify(entries)).not.toContain(SECRET);

    const answer = await command('audit');
    expect(answer.response_type).toBe('ephemeral');
    const text = JSON.stringify(answer.blocks);
    for (const action of ['connector.create', 'connector.update', 'connector.delete', 'version.create']) expect(text).toContain(action);
    expect(text).toContain(`<@${USERS['manage-os-layers']}>`);
    expect(text).toContain('Audit connector');
    expect(text).not.toContain(SECRET);
    expect(checkBlockKitLimits(answer, 'message')).toEqual([]);
  });
});

describe('/oslayer audit [n]', () => {
  beforeAll(async () => {
    for (let i = 0; i < 120; i++) {
      await t.bot.services.repos.audit.insert({ _id: `bulk-${i}`, at: new Date(Date.now() - 86400_000 - i * 1000), actor: USERS.administrator, action: 'bulk.entry', target: `thing:${i}` });
    }
  });

  it('shows the latest n entries, newest first, 20 by default and at most 100', async () => {
    expect((await command('audit')).text).toBe('The latest 20 audit entries');
    const two = await command('audit 2');
    expect(two.text).toBe('The latest 2 audit entries');
    expect(JSON.stringify(two.blocks)).not.toContain('bulk.entry');
    const most = await command('audit 500');
    expect(most.text).toBe('The latest 100 audit entries');
    expect(JSON.stringify(most.blocks)).toContain('You asked for 500; at most 100 are shown at once.');
    const listed = JSON.stringify(most.blocks);
    expect(listed.indexOf('thing:0')).toBeLessThan(listed.indexOf('thing:1'));
    expect(checkBlockKitLimits(most, 'message')).toEqual([]);
    expect((await command('audit lots')).text).toContain('n is how many of the latest entries to show');
  });

  it.each([USERS['manage-os-layers'], USERS['read-only']])('refuses %s', async (user) => {
    const answer = await command('audit', user);
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toMatch(/^You can't read the audit log: it needs the Administrator role/);
    expect(answer.blocks).toBeUndefined();
  });
});

describe('retention', () => {
  async function seedHistory() {
    const { repos } = t.bot.services;
    const { layer, version } = await seedTask(repos, { task: { status: 'done' } });
    const task = (status: 'done' | 'failed' | 'cancelled' | 'running' | 'action-required', days: number) =>
      taskRecord({ layerId: layer._id, versionId: version._id, status, createdAt: daysAgo(days + 1), updatedAt: daysAgo(days) });
    const old = { done: task('done', 200), failed: task('failed', 200), cancelled: task('cancelled', 181) };
    const kept = { recentDone: task('done', 10), oldRunning: task('running', 400), oldWaiting: task('action-required', 400) };
    for (const record of [...Object.values(old), ...Object.values(kept)]) await repos.tasks.insert(record);
    await repos.audit.insert({ _id: `old-audit-${version._id}`, at: daysAgo(366), actor: 'U1', action: 'x.old', target: 't' });
    await repos.audit.insert({ _id: `recent-audit-${version._id}`, at: daysAgo(300), actor: 'U1', action: 'x.recent', target: 't' });
    const draft = (id: string, expiresAt: Date) => repos.drafts.insert({ _id: id, userId: 'U1', step: 's', values: {}, used: false, expiresAt, createdAt: daysAgo(1) });
    await draft(`expired-${version._id}`, new Date(Date.now() - 60_000));
    await draft(`live-${version._id}`, new Date(Date.now() + 3600_000));
    return { old, kept, versionId: version._id };
  }

  it('runs daily as the enforce-retention job, deleting old finished tasks, old audit entries and expired drafts only', async () => {
    const { repos, scheduler } = t.bot.services;
    const { old, kept, versionId } = await seedHistory();
    // Scheduled once at start, right after the scheduler's store is ready.
    let scheduled = await scheduler.agenda.queryJobs({ name: RETENTION_JOB });
    while (scheduled.jobs.length === 0) scheduled = await scheduler.agenda.queryJobs({ name: RETENTION_JOB });
    expect(scheduled.jobs.map((j) => j.repeatInterval)).toEqual(['1 day']);

    await scheduler.agenda.now(RETENTION_JOB);
    // The job's last write is its own audit entry: once it is there, every delete has happened.
    while (!(await repos.audit.findOne({ action: 'retention.enforce' }))) await new Promise((r) => setTimeout(r, 50));

    for (const gone of Object.values(old)) expect(await repos.tasks.get(gone._id)).toBeNull();
    for (const stays of Object.values(kept)) expect(await repos.tasks.get(stays._id)).not.toBeNull();
    expect(await repos.audit.get(`old-audit-${versionId}`)).toBeNull();
    expect(await repos.audit.get(`recent-audit-${versionId}`)).not.toBeNull();
    expect(await repos.drafts.get(`expired-${versionId}`)).toBeNull();
    expect(await repos.drafts.get(`live-${versionId}`)).not.toBeNull();
    expect(await repos.audit.findOne({ action: 'retention.enforce' })).toMatchObject({ actor: 'oslayer', details: { taskDays: 180, auditDays: 365 } });
  });

  it('follows the configured days and deletes nothing more when run again', async () => {
    const { repos } = t.bot.services;
    const { old, kept } = await seedHistory();
    // The daily job may run meanwhile and take the 180-day ones itself; what is left is the same.
    await enforceRetention(repos, { taskDays: 5, auditDays: 365 });
    for (const gone of [...Object.values(old), kept.recentDone]) expect(await repos.tasks.get(gone._id)).toBeNull();
    expect(await repos.tasks.get(kept.oldRunning._id)).not.toBeNull();
    expect(await enforceRetention(repos, { taskDays: 5, auditDays: 365 })).toEqual({ tasks: 0, audit: 0, drafts: 0 });
  });

  it('records nothing in the audit log when there was nothing to delete', async () => {
    const fresh = await startTestBot();
    try {
      await recordAudit(fresh.bot.services.repos, { actor: 'U1', action: 'x.kept', target: 't' });
      expect(await enforceRetention(fresh.bot.services.repos, fresh.bot.services.config.retention)).toEqual({ tasks: 0, audit: 0, drafts: 0 });
      expect(await fresh.bot.services.repos.audit.findOne({ action: 'retention.enforce' })).toBeNull();
    } finally {
      await fresh.stop();
    }
  });
});
