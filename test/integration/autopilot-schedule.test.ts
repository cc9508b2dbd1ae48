/**
 * The autopilot schedule through the real Bolt receiver with signed requests: the modal, Run now,
 * `/oslayer autopilot run-now`, and the per-layer Agenda job firing. A started run shows as its
 * AutopilotRun record and a queued 'autopilot-run' job: nothing on this side processes that job.
 * The bots here run it as a no-op (what a run does has its own tests, test/integration/autopilot-*.test.ts;
 * these layers have no base version, so a real run would end at once and free the layer).
 */
import { connectDatabase, type Database } from '../../src/store/database.js';
import type { AutopilotSchedule } from '../../src/domain/autopilot.js';
import { nextFiring, wallClock } from '../../src/domain/autopilot-timing.js';
import type { OsLayer } from '../../src/domain/model.js';
import { AUTOPILOT_RUN_JOB } from '../../src/workflow/autopilot-start.js';
import { AUTOPILOT_SCHEDULE_JOB, restoreScheduleJobs, saveSchedule } from '../../src/workflow/autopilot-schedule.js';
import { startTestBot, TEST_CHANNEL, type TestBot } from '../support/bot.js';
import { SlackClientSim } from '../support/interactions.js';
import { grantRoles, layerRecord, seedTask, USERS } from '../support/records.js';
import { until } from '../support/waits.js';
import { useTestBot } from '../support/world.js';

type Json = Record<string, any>;
const MANAGER = USERS['manage-os-layers'];
const ADMIN = USERS.administrator;
const LAYER_NAME = 'Windows 11  Multi Session';

let t: TestBot;
let sim: SlackClientSim;
let db: Database;
let layer: OsLayer;
let other: OsLayer;
useTestBot(async (w) => {
  ({ t, sim } = w);
  const { repos, config } = t.bot.services;
  await grantRoles(repos);
  layer = layerRecord({ name: LAYER_NAME, connectorId: 'conn-1', excludeKbs: ['KB5040442'] });
  other = layerRecord({ name: 'Server 2022', connectorId: 'conn-1' });
  await repos.layers.insert(layer);
  await repos.layers.insert(other);
  holdRuns(t);
  db = await connectDatabase(config.mongodbUri!);
});

/** The bot leaves every autopilot run as it started: open, its job done without doing anything. */
function holdRuns(bot: TestBot): void {
  bot.bot.services.scheduler.agenda.define(AUTOPILOT_RUN_JOB, async () => undefined);
}
afterAll(() => db.close());

const jobs = () => db.db.collection('jobs');
const scheduleJob = (layerId: string) => jobs().findOne({ name: AUTOPILOT_SCHEDULE_JOB, 'data.layerId': layerId });
const textOf = (surface: Json) => JSON.stringify(surface.blocks ?? surface.text);
/** The Slack date token the bot writes for a time (views/blocks.ts slackTime), seconds since the epoch. */
const dateToken = (at: Date) => `<!date^${Math.floor(at.getTime() / 1000)}^`;

function schedule(layerId: string, fields: Partial<AutopilotSchedule> = {}): AutopilotSchedule {
  return {
    layerId,
    enabled: true,
    timing: { kind: 'patch-tuesday', offsetDays: 1, time: '03:00' },
    timeZone: 'Europe/Berlin',
    policy: { updateMode: 'security', excludeKbs: [], maxRunMinutes: 480, channelId: TEST_CHANNEL, approval: 'two-person' },
    updatedBy: ADMIN,
    updatedAt: new Date(),
    ...fields,
  };
}

/** Time travel for the job alone: the layer's schedule job comes due now, for the firing `scheduledFor`. */
async function comeDue(layerId: string, scheduledFor: Date): Promise<void> {
  await jobs().updateOne({ name: AUTOPILOT_SCHEDULE_JOB, 'data.layerId': layerId }, { $set: { nextRunAt: new Date(), 'data.scheduledFor': scheduledFor } });
}

async function openRunOf(layerId: string) {
  return t.bot.services.repos.autopilotRuns.findOne({ layerId, open: true });
}

describe('/oslayer autopilot: the schedule modal', () => {
  it('opens on the named layer (spaces and case as typed), prefilled from the layer, and saves a schedule with its next run', async () => {
    const view = await sim.commandOpening(MANAGER, 'autopilot windows 11 multi session');
    expect((view.view as Json).title.text).toBe('Autopilot');
    expect(textOf(view.view)).toContain('No schedule yet');
    // The layer's own Exclude KBs, the channel the command came from, two people, Security updates.
    expect(sim.shownValue(MANAGER, 'excludeKbs')).toBe('KB5040442');
    expect(sim.shownValue(MANAGER, 'channelId')).toBe(TEST_CHANNEL);
    expect(sim.shownValue(MANAGER, 'approval')).toBe('two-person');

    const answer = await sim.submit(MANAGER, { timeZone: 'Europe/Berlin', offsetDays: '2', time: '04:30', maxRunMinutes: '600' });
    const saved = await t.bot.services.repos.autopilotSchedules.get(layer._id);
    expect(saved).toMatchObject({
      enabled: true,
      timing: { kind: 'patch-tuesday', offsetDays: 2, time: '04:30' },
      timeZone: 'Europe/Berlin',
      policy: { updateMode: 'security', excludeKbs: ['KB5040442'], maxRunMinutes: 600, channelId: TEST_CHANNEL, approval: 'two-person' },
      updatedBy: MANAGER,
    });
    const next = nextFiring(saved!.timing, 'Europe/Berlin', saved!.updatedAt);
    expect(answer.response_action).toBe('update');
    expect(textOf(answer.view)).toContain(`The next run starts ${dateToken(next)}`);
    expect(textOf(answer.view)).toContain(wallClock(next, 'Europe/Berlin'));
    expect(textOf(answer.view)).toContain('Patch Tuesday + 2 days at 04:30');
    // One job for the layer, due at that firing.
    expect(await jobs().countDocuments({ name: AUTOPILOT_SCHEDULE_JOB, 'data.layerId': layer._id })).toBe(1);
    expect((await scheduleJob(layer._id))?.nextRunAt).toEqual(next);
    expect(await t.bot.services.repos.audit.findOne({ action: 'layer.autopilot-schedule', target: `layer:${layer._id}` })).toMatchObject({ actor: MANAGER });

    // Opened again, it shows when that next run starts, in the zone and as a date token.
    const again = await sim.commandOpening(MANAGER, `autopilot ${LAYER_NAME}`);
    expect(textOf(again.view)).toContain(`*Next run:* ${dateToken(next)}`);
    expect(sim.shownValue(MANAGER, 'offsetDays')).toBe('2');
  });

  it('moves the job when the schedule is edited, and removes it when autopilot is turned off', async () => {
    await sim.commandOpening(MANAGER, `autopilot ${LAYER_NAME}`);
    await sim.submit(MANAGER, { timingKind: 'cron', cron: '0 3 * * 3', timeZone: 'America/New_York' });
    const edited = (await t.bot.services.repos.autopilotSchedules.get(layer._id))!;
    expect(edited.timing).toEqual({ kind: 'cron', expression: '0 3 * * 3' });
    expect((await scheduleJob(layer._id))?.nextRunAt).toEqual(nextFiring(edited.timing, 'America/New_York', edited.updatedAt));

    await sim.commandOpening(MANAGER, `autopilot ${LAYER_NAME}`);
    const off = await sim.submit(MANAGER, { enabled: 'off' });
    expect(textOf(off.view)).toContain('Autopilot is off');
    expect(await scheduleJob(layer._id)).toBeNull();
    const reopened = await sim.commandOpening(MANAGER, `autopilot ${LAYER_NAME}`);
    expect(textOf(reopened.view)).toContain('*Autopilot is off* for this layer');
  });

  it('gives an enabled schedule its job back at start when the job was cancelled (Operations) or has no next run', async () => {
    const third = layerRecord({ name: 'Windows 10 LTSC', connectorId: 'conn-1' });
    await t.bot.services.repos.layers.insert(third);
    await saveSchedule(t.bot.services, schedule(third._id, { timing: { kind: 'cron', expression: '30 4 * * 2' }, timeZone: 'Asia/Tokyo' }));
    const now = new Date();
    const due = nextFiring({ kind: 'cron', expression: '30 4 * * 2' }, 'Asia/Tokyo', now);
    await t.bot.services.scheduler.agenda.cancel({ name: AUTOPILOT_SCHEDULE_JOB, data: { layerId: third._id } });
    expect(await scheduleJob(third._id)).toBeNull();
    expect(await restoreScheduleJobs(t.bot.services, now)).toBe(1);
    expect((await scheduleJob(third._id))?.nextRunAt).toEqual(due);
    // A job left with no next run (it failed) is put back too; a due one is left alone.
    await jobs().updateOne({ name: AUTOPILOT_SCHEDULE_JOB, 'data.layerId': third._id }, { $set: { nextRunAt: null } });
    expect(await restoreScheduleJobs(t.bot.services, now)).toBe(1);
    expect(await restoreScheduleJobs(t.bot.services, now)).toBe(0);
    expect(await jobs().countDocuments({ name: AUTOPILOT_SCHEDULE_JOB, 'data.layerId': third._id })).toBe(1);
    expect((await scheduleJob(third._id))?.nextRunAt).toEqual(due);
    await saveSchedule(t.bot.services, schedule(third._id, { enabled: false }));
    await t.bot.services.repos.autopilotSchedules.remove(third._id);
    await t.bot.services.repos.layers.remove(third._id);
  });

  it('puts every problem on its own field and saves nothing', async () => {
    const before = await t.bot.services.repos.autopilotSchedules.get(layer._id);
    await sim.commandOpening(MANAGER, `autopilot ${LAYER_NAME}`);
    const answer = await sim.submit(MANAGER, { timingKind: 'cron', cron: '61 * * * *', excludeKbs: 'KB12x', maxRunMinutes: '5', approval: 'single' });
    expect(answer.response_action).toBe('errors');
    const byField = Object.fromEntries(Object.entries(answer.errors as Record<string, string>).map(([blockId, message]) => [blockId.split('#')[0], message]));
    expect(byField).toEqual({
      cron: expect.stringMatching(/^"61 \* \* \* \*" is not a cron expression cron-parser can read: .*0-59/),
      excludeKbs: 'KB12x is not a KB number (write KB5041578, or 5041578).',
      maxRunMinutes: 'Minutes from 30 to 1440 (24 hours).',
      approval: 'A single approver needs the Administrator role (it sets approval policies); keep Two people.',
    });
    // Slack keeps what was entered; the fixed fields are entered again, two new problems with them.
    const zone = await sim.submit(MANAGER, { timingKind: 'patch-tuesday', otherTimeZone: 'Mars/Olympus_Mons', time: '25:00', excludeKbs: '', maxRunMinutes: '480', approval: 'two-person' });
    expect(Object.values(zone.errors as Record<string, string>).sort()).toEqual([
      '"Mars/Olympus_Mons" is not an IANA time zone; use a name such as Europe/Berlin or America/New_York.',
      'A time of day as HH:MM, 24-hour (e.g. 03:00 or 22:30).',
    ]);
    // Every field right but a private channel the bot is not in: runs could not post there.
    t.slack.addConversation({ id: 'GSECRET1', kind: 'private', name: 'secret', botMember: false });
    const channel = await sim.submit(MANAGER, { otherTimeZone: '', time: '03:00', channelId: 'GSECRET1' });
    expect(channel.errors).toEqual({ [`channelId#${layer._id}`]: 'I can’t post there (a DM, a group DM or a private channel I am not in): invite @oslayer, or pick a channel I am in.' });
    expect(await t.bot.services.repos.autopilotSchedules.get(layer._id)).toEqual(before);
  });

  it('refuses, in words, whoever lacks Manage OS Layers (Read Only, Approver)', async () => {
    for (const user of [USERS['read-only'], USERS.approver]) {
      const answer = await sim.command(user, `autopilot ${LAYER_NAME}`);
      expect(answer.text).toMatch(/^You can't change an OS layer's autopilot schedule or start a run: it needs the Manage OS Layers or Administrator role, and you have (Read Only|Approver)\./);
      expect((await sim.command(user, `autopilot run-now ${LAYER_NAME}`)).text).toContain("You can't change an OS layer's autopilot schedule or start a run");
    }
    expect(await openRunOf(layer._id)).toBeNull();
  });
});

describe('Run now', () => {
  it('answers an unknown layer with the layers there are, and a layer without a schedule with what to do first', async () => {
    const unknown = await sim.command(MANAGER, 'autopilot run-now Windows 12');
    expect(unknown.text).toBe(`There is no OS layer named “Windows 12”. The OS layers are:\n• Server 2022\n• ${LAYER_NAME}`);
    const none = await sim.command(MANAGER, 'autopilot run-now server 2022');
    expect(none.text).toBe('*Server 2022* has no autopilot schedule yet: set one up with `/oslayer autopilot` first (Run now uses its settings).');
  });

  it('starts one run (its record and its queued job), and a second Run now says a run is open', async () => {
    await saveSchedule(t.bot.services, schedule(other._id, { policy: { ...schedule(other._id).policy, channelId: 'COSLAYER' } }));
    const first = await sim.command(MANAGER, 'autopilot run-now "Server 2022"');
    expect(first.text).toMatch(/^:rocket: Autopilot run of \*Server 2022\* started\. Its task message will appear in <#COSLAYER>/);
    const run = await openRunOf(other._id);
    expect(run).toMatchObject({ trigger: { kind: 'run-now', userId: MANAGER }, policy: { channelId: 'COSLAYER' }, open: true });
    expect(await jobs().countDocuments({ name: AUTOPILOT_RUN_JOB, 'data.runId': run!._id })).toBe(1);

    const second = await sim.command(MANAGER, 'autopilot run-now Server 2022');
    expect(second.text).toContain('Nothing started: A run started <!date^');
    expect(second.text).toContain(`by <@${MANAGER}> is still open`);
    expect(await t.bot.services.repos.autopilotRuns.list({ layerId: other._id })).toHaveLength(1);
  });

  it('the button in the modal says what happened, a run already open included', async () => {
    await sim.commandOpening(ADMIN, 'autopilot Server 2022');
    expect(textOf(sim.topView(ADMIN).view)).toContain(`A run started <!date^`);
    const mark = sim.mark();
    await sim.clickInView(ADMIN, 'autopilot_run_now');
    const pushed = await sim.waitForCallAfter(mark, 'views.push');
    expect(JSON.stringify(pushed.args.view)).toContain('Nothing started: A run started');
    expect(await t.bot.services.repos.autopilotRuns.list({ layerId: other._id })).toHaveLength(1);
  });

  it('picking another layer in the modal shows that layer’s schedule', async () => {
    await sim.commandOpening(ADMIN, 'autopilot Server 2022');
    const mark = sim.mark();
    await sim.clickInView(ADMIN, 'autopilot_layer_selected', { selected: layer._id });
    const updated = await sim.waitForCallAfter(mark, 'views.update');
    const shown = updated.args.view as Json;
    expect(shown.private_metadata).toBe(layer._id);
    expect(JSON.stringify(shown.blocks)).toContain('*Autopilot is off* for this layer');
  });
});

describe('the schedule firing', () => {
  it('starts one run when due, moves to the next firing, and skips the next one with a note while that run is open', async () => {
    const { repos } = t.bot.services;
    const seeded = await seedTask(repos, { layer: { name: 'Windows 10 LTSC' }, task: { slack: { channel: 'COSLAYER', ts: '1700000000.000100' } } });
    const fired = seeded.layer;
    await saveSchedule(t.bot.services, schedule(fired._id, { timing: { kind: 'cron', expression: '0 3 * * 3' } }));
    // Two Wednesdays 03:00 in Berlin that have passed: a firing runs late after downtime just the same.
    const firstFiring = new Date('2026-11-25T02:00:00.000Z');
    await comeDue(fired._id, firstFiring);
    const run = await until('the scheduled run', () => openRunOf(fired._id).then((r) => r ?? undefined), 20_000);
    expect(run.trigger).toEqual({ kind: 'schedule', scheduledFor: firstFiring });
    expect(await jobs().countDocuments({ name: AUTOPILOT_RUN_JOB, 'data.runId': run._id })).toBe(1);
    // Rescheduled to the first firing after now, not to the missed ones in between.
    const rescheduled = await until('the job at its next firing', async () => {
      const job = await scheduleJob(fired._id);
      return job?.nextRunAt && job.nextRunAt > new Date() && !job.lockedAt ? job : undefined;
    }, 20_000);
    expect(new Date(rescheduled.data.scheduledFor)).toEqual(rescheduled.nextRunAt);
    expect(rescheduled.nextRunAt).toEqual(nextFiring({ kind: 'cron', expression: '0 3 * * 3' }, 'Europe/Berlin', new Date()));

    // The run has a task now; the next firing comes round while it is open.
    await repos.autopilotRuns.update(run._id, { taskId: seeded.task._id });
    const secondFiring = new Date('2026-12-02T02:00:00.000Z');
    await comeDue(fired._id, secondFiring);
    const notes = await until('the skip note in the channel and the thread', () => {
      const posted = t.slack.calls.filter((c) => c.method === 'chat.postMessage' && String(c.args.text).includes('Autopilot skipped the run of *Windows 10 LTSC*'));
      return posted.length >= 2 ? posted : undefined;
    }, 20_000);
    expect(notes.map((c) => [c.args.channel, c.args.thread_ts]).sort()).toEqual([
      ['COSLAYER', '1700000000.000100'],
      [TEST_CHANNEL, undefined],
    ]);
    const note = String(notes[0]!.args.text);
    expect(note).toContain(`due ${dateToken(secondFiring)}`);
    expect(note).toContain('(Wed 2026-12-02 03:00 (Europe/Berlin))');
    expect(note).toContain('A run started <!date^');
    expect(note).toContain('by the schedule is still open');
    expect(note).toMatch(/Next run: <!date\^\d+\^/);
    expect(await repos.autopilotRuns.list({ layerId: fired._id })).toHaveLength(1);
  });
});

describe('a firing that cannot start its run', () => {
  it('is tried again in five minutes, for the same firing, and leaves the layer free', async () => {
    const { repos } = t.bot.services;
    const failing = layerRecord({ name: 'Windows 10 Enterprise', connectorId: 'conn-1' });
    await repos.layers.insert(failing);
    await saveSchedule(t.bot.services, schedule(failing._id));
    // The store refusing one write has no stand-in: the run's insert is replaced for one call (a mock, for that reason only).
    const insert = repos.autopilotRuns.insert.bind(repos.autopilotRuns);
    repos.autopilotRuns.insert = async () => {
      repos.autopilotRuns.insert = insert;
      throw new Error('store unreachable');
    };
    const firing = new Date('2026-11-11T02:00:00.000Z');
    const due = new Date();
    await comeDue(failing._id, firing);
    const job = await until('the failed firing', async () => {
      const found = await scheduleJob(failing._id);
      return found?.failedAt && found.failedAt > due && !found.lockedAt ? found : undefined;
    }, 20_000);
    expect(job.failReason).toBe('store unreachable');
    expect(new Date(job.data.scheduledFor)).toEqual(firing);
    expect(job.nextRunAt.getTime() - job.failedAt.getTime()).toBeGreaterThan(4 * 60_000);
    expect(job.nextRunAt.getTime() - Date.now()).toBeLessThanOrEqual(5 * 60_000);
    // The claim went back with the failure: Run now starts a run.
    expect((await sim.command(MANAGER, 'autopilot run-now Windows 10 Enterprise')).text).toContain(':rocket: Autopilot run of *Windows 10 Enterprise* started');
  });
});

describe('two bots on one database', () => {
  it('start one run per firing, and a firing run again (its process died after starting the run) starts nothing and notes nothing', async () => {
    const second = await startTestBot({ mongodbUri: t.bot.services.config.mongodbUri }, { slack: { api: t.slack, url: t.bot.services.config.slack.apiUrl! } });
    holdRuns(second);
    try {
      const { repos } = t.bot.services;
      const both = layerRecord({ name: 'Windows Server 2025', connectorId: 'conn-1' });
      await repos.layers.insert(both);
      await saveSchedule(t.bot.services, schedule(both._id));
      // Patch Tuesday + 1 at 03:00 Berlin in November 2026.
      const firing = new Date('2026-11-11T02:00:00.000Z');
      for (let attempt = 0; attempt < 2; attempt++) {
        const due = new Date();
        await comeDue(both._id, firing);
        await until('the firing done and the job at its next one', async () => {
          const job = await scheduleJob(both._id);
          return job?.lastFinishedAt && job.lastFinishedAt > due && job.nextRunAt > new Date() ? job : undefined;
        }, 20_000);
      }
      const runs = await repos.autopilotRuns.list({ layerId: both._id });
      expect(runs.map((r) => r.trigger)).toEqual([{ kind: 'schedule', scheduledFor: firing }]);
      expect(await jobs().countDocuments({ name: AUTOPILOT_RUN_JOB, 'data.runId': runs[0]!._id })).toBe(1);
      expect(t.slack.calls.some((c) => String(c.args.text ?? '').includes('Autopilot skipped the run of *Windows Server 2025*'))).toBe(false);
    } finally {
      await second.stop();
    }
  });
});
