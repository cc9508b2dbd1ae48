/**
 * Finalize clicked on the Action Required message before Shutdown for Finalize: one job finds
 * the machine, checks the layer, shuts it down and finalizes, in the sandbox's simulated Azure
 * (ARM simulator, Azurite) with the real Bolt receiver and the fake Slack Web API.
 */
import { CONDITION_ADVICE } from '../../src/domain/integrity.js';
import type { GuestChanges } from '../../src/sandbox/azure/index.js';
import { CLEAN_GUEST } from '../../src/sandbox/azure/guest.js';
import { endClaimKey } from '../../src/workflow/finalize-steps.js';
import { machineClaimKey, WATCH_MACHINE_JOB } from '../../src/workflow/machine-jobs.js';
import { STARTED } from '../../src/workflow/machine-actions.js';
import { TASK_ACTIONS } from '../../views/task-message.js';
import { TASK_VIEW_IDS } from '../../views/tasks.js';
import type { TestBot } from '../support/bot.js';
import { useTaskButtons } from '../support/world.js';
import { ADMIN, CHANNEL, READER, type TaskButtons, type PublishedVersion } from '../support/task-buttons.js';
import { statusOfMessage, statusShown } from '../support/ready-to-finalize.js';

let t: TestBot;
let ui: TaskButtons;
useTaskButtons((world) => ({ t, ui } = world));

const DONE = /is deployable and is now the layer's latest version/;

/**
 * The statuses the task message showed, in order, without repeats. The message is updated at
 * most every few seconds, so a short-lived status may be skipped; the order never changes.
 */
function statusesShown(v: PublishedVersion, since: number): string[] {
  const shown = t.slack.calls
    .slice(since)
    .filter((c) => c.method === 'chat.update' && c.args.ts === v.ts)
    .map((c) => statusOfMessage(JSON.stringify(c.args.blocks)) ?? '');
  return shown.filter((s, i) => s !== shown[i - 1]);
}

/** A version with its packaging machine deployed (Deploy for me) and booted, its guest as `flags` say. */
async function deployed(name: string, flags: GuestChanges): Promise<PublishedVersion> {
  const v = await ui.publish(name);
  await ui.deploy(v);
  await ui.until('the packaging machine to run', async () => ((await ui.vm(v))?.powerState === 'running' ? true : undefined), 30_000);
  await ui.control.setGuest(v.vmName, flags);
  return v;
}

async function versionStatus(v: PublishedVersion): Promise<string | undefined> {
  return (await t.bot.services.repos.versions.get(v.versionId))?.status;
}

async function claimsHeld(v: PublishedVersion): Promise<string[]> {
  const { claims } = t.bot.services.repos;
  const held = await Promise.all([endClaimKey(v.versionId), machineClaimKey(v.versionId)].map(async (key) => ((await claims.get(key)) ? key : undefined)));
  return held.filter((k): k is string => k !== undefined);
}

describe('Finalize in one click from Action Required', () => {
  it('checks a clean machine, shuts it down and finalizes: a deployable version and nothing of the task left in Azure', async () => {
    const before = await ui.control.inventory();
    const v = await deployed('one-click-1', CLEAN_GUEST);

    const since = ui.mark();
    await ui.click(ADMIN, v, TASK_ACTIONS.finalize);
    expect(await ui.waitForEphemeral(ADMIN, /Checking the packaging machine for Finalize/, since)).toBe(STARTED.finalize);
    await ui.waitForMessage(v, (json) => DONE.test(json), 60_000);

    expect(await versionStatus(v)).toBe('deployable');
    // A render between the click and the job's start (the machine watch's) still shows Action Required; after that, only forward.
    const shown = statusesShown(v, since);
    const afterStart = shown[0] === 'action-required' ? shown.slice(1) : shown;
    expect(shown.at(-1)).toBe('deployable');
    expect(['checking', 'ready-to-finalize', 'finalizing', 'deployable'].filter((s) => afterStart.includes(s))).toEqual(afterStart);
    expect(ui.text(v)).toContain(statusShown('deployable'));
    // The whole path, step by step, in the thread.
    await ui.waitForThread(v, /Created:/);
    const thread = ui.threadTexts(v).join('\n');
    expect(thread).toMatch(
      /started Finalize: I check the layer first[\s\S]*Checking the layer on `one-click-1`[\s\S]*integrity check passed; stopping and deallocating[\s\S]*shut down and deallocated; finalizing[\s\S]*Copied the OS disk into the layer store[\s\S]*Deleted the packaging machine[\s\S]*Created:/,
    );
    expect(await ui.resourcesOf(v)).toEqual([]);
    expect((await ui.control.inventory()).map((r) => r.id).sort()).toEqual(before.map((r) => r.id).sort());
    expect(await claimsHeld(v)).toEqual([endClaimKey(v.versionId)]);
  }, 120_000);

  it('stops at NGen with the machine running and the version Action Required; a second click once NGen is done finalizes', async () => {
    // NGen compiles longer than the queue drain Finalize runs first may wait: it is left running, never interrupted.
    const v = await deployed('one-click-2', { ...CLEAN_GUEST, ngenInProgress: true, ngenOutlastsBudget: true });

    let since = ui.mark();
    await ui.click(ADMIN, v, TASK_ACTIONS.finalize);
    const told = await ui.waitForEphemeral(ADMIN, /I didn't shut the packaging machine down/, since, 30_000);
    expect(told).toContain(CONDITION_ADVICE.ngenInProgress.text);
    expect(told).toMatch(/NGen is still running on the packaging machine \(still on Framework64\\v4\.0\.30319 executeQueuedItems\)/);
    expect(await ui.waitForThread(v, /asked to finalize, but the layer can't be finalized yet/)).toContain(CONDITION_ADVICE.ngenInProgress.text);
    const blocked = await ui.waitForMessage(v, (json) => json.includes("The layer can't be finalized yet"));
    expect(blocked).toContain(statusShown('action-required'));
    expect(blocked).toContain(TASK_ACTIONS.expediteNgen);
    const shown = statusesShown(v, since);
    expect(shown.at(-1)).toBe('action-required');
    expect(shown.filter((s) => s !== 'checking' && s !== 'action-required')).toEqual([]);
    expect((await ui.vm(v))?.powerState).toBe('running');
    expect(await versionStatus(v)).toBe('action-required');
    expect(await claimsHeld(v)).toEqual([]);
    // The machine is back in the admin's hands, and watched again: one watch job, with its next look
    // planned (a look running at this moment has none until it has planned the next).
    const watches = async () => {
      const { jobs } = await t.bot.services.scheduler.agenda.queryJobs({ name: WATCH_MACHINE_JOB });
      return jobs.filter((job) => (job.data as { taskId?: string } | undefined)?.taskId === v.taskId);
    };
    await ui.until('the watch to plan its next look', async () => ((await watches()).some((job) => job.nextRunAt) ? true : undefined), 10_000);
    expect(await watches()).toHaveLength(1);

    // NGen has finished; the same button on the same message now goes all the way.
    await ui.control.setGuest(v.vmName, CLEAN_GUEST);
    since = ui.mark();
    await ui.click(ADMIN, v, TASK_ACTIONS.finalize);
    await ui.waitForMessage(v, (json) => DONE.test(json), 60_000);
    expect(await versionStatus(v)).toBe('deployable');
    expect(await ui.resourcesOf(v)).toEqual([]);
  }, 180_000);

  it('has given both claims back by the time the message shows why it stopped: a click the same moment starts afresh', async () => {
    const v = await deployed('one-click-5', { ...CLEAN_GUEST, rebootPending: true });
    let since = ui.mark();
    await ui.click(ADMIN, v, TASK_ACTIONS.finalize);
    await ui.waitForMessage(v, (json) => json.includes("The layer can't be finalized yet"), 60_000);
    // What the message shows is what a person acts on: here, at once, Finalize again.
    expect(await claimsHeld(v)).toEqual([]);
    await ui.control.setGuest(v.vmName, CLEAN_GUEST);
    since = ui.mark();
    await ui.click(ADMIN, v, TASK_ACTIONS.finalize);
    expect(await ui.waitForEphemeral(ADMIN, /Checking the packaging machine for Finalize|already finalizing|is checking the packaging machine/, since)).toBe(STARTED.finalize);
    await ui.waitForMessage(v, (json) => DONE.test(json), 60_000);
    expect(await versionStatus(v)).toBe('deployable');
  }, 120_000);

  it('answers a second click (and the machine buttons) while the check runs, and runs one finalize', async () => {
    const v = await deployed('one-click-3', CLEAN_GUEST);
    const actionRequired = { blocks: ui.message(v).blocks };
    // The check takes well over the message's 3 s update interval (even on a loaded machine), as a real Run Command does.
    await ui.control.setFaults([{ method: 'POST', pathPattern: `virtualMachines/${v.vmName}/runCommand$`, delayMs: 10_000, times: 1 }]);

    const since = ui.mark();
    await Promise.all([ui.click(ADMIN, v, TASK_ACTIONS.finalize), ui.click(ADMIN, v, TASK_ACTIONS.finalize)]);
    expect(await ui.waitForEphemeral(ADMIN, /already finalizing/, since)).toBe('Version one-click-3 is already finalizing.');
    // The job starts through Agenda; on a loaded machine that alone can take longer than a few seconds.
    await ui.waitForMessage(v, (json) => json.includes(statusShown('checking')), 60_000);
    expect(ui.text(v)).toContain(':mag: Checking the layer');
    expect(ui.text(v)).not.toContain(TASK_ACTIONS.finalize);

    // The buttons of the message as it was a moment ago, clicked during the check.
    const click = (action: string) => ui.sim.clickInMessage(ADMIN, actionRequired, action, { value: v.taskId, channel: CHANNEL });
    await click(TASK_ACTIONS.finalize);
    await ui.waitForEphemeral(ADMIN, /already finalizing: its layer is being checked first/, since);
    await click(TASK_ACTIONS.cancel);
    await ui.waitForEphemeral(ADMIN, /can't be cancelled: finalize is already under way/, since);
    await click(TASK_ACTIONS.shutdownForFinalize);
    await ui.waitForEphemeral(ADMIN, /isn't waiting on its packaging machine any more|Finalize is checking the packaging machine/, since);

    await ui.waitForMessage(v, (json) => DONE.test(json), 60_000);
    expect(ui.ephemerals(ADMIN, since).filter((text) => text === STARTED.finalize)).toHaveLength(1);
    expect(ui.threadTexts(v).filter((text) => text.includes('started Finalize'))).toHaveLength(1);
    expect(ui.threadTexts(v).filter((text) => text.includes('Copied the OS disk'))).toHaveLength(1);
    expect(await versionStatus(v)).toBe('deployable');
  }, 120_000);

  it('from the task detail, without a machine: says so and changes nothing; Read Only is refused', async () => {
    const v = await ui.publish('one-click-4');
    // Publish leaves only the machine's OS disk, prepared for either path to attach.
    const published = await ui.resourcesOf(v);
    expect(published).toEqual([expect.objectContaining({ type: 'Microsoft.Compute/disks', name: 'one-click-4-osdisk' })]);
    let since = ui.mark();
    await ui.click(READER, v, TASK_ACTIONS.finalize);
    expect(await ui.waitForEphemeral(READER, /can't finalize/, since)).toContain('Manage OS Layers or Administrator');

    // `/oslayer tasks` → View: the detail carries the message's buttons.
    const list = await ui.sim.command(ADMIN, 'tasks', CHANNEL);
    since = ui.mark();
    await ui.sim.clickInMessage(ADMIN, list, TASK_VIEW_IDS.view, { value: v.taskId, channel: CHANNEL });
    await ui.sim.waitForCallAfter(since, 'views.open');
    await ui.sim.clickInView(ADMIN, TASK_ACTIONS.finalize);
    const notice = await ui.sim.waitForCallAfter(since, 'views.push');
    expect(JSON.stringify(notice.args.view)).toContain('Checking the packaging machine for Finalize');
    const told = await ui.waitForEphemeral(ADMIN, /no packaging machine/, since, 30_000);
    expect(told).toContain("There's no packaging machine for this version yet");

    expect(await versionStatus(v)).toBe('action-required');
    // The message may be redrawn (the publish's last refresh can land late), but it never shows another status.
    expect(statusesShown(v, since).filter((status) => status !== 'action-required')).toEqual([]);
    expect(ui.text(v)).toContain(statusShown('action-required'));
    expect(await claimsHeld(v)).toEqual([]);
    expect(await ui.resourcesOf(v)).toEqual(published);
  }, 120_000);
});
