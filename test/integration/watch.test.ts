import { WATCH_MACHINE_JOB } from '../../src/workflow/machine-jobs.js';
import { TaskRun } from '../../src/workflow/task-run.js';
import { TEST_UPDATE_SETTINGS, type TestBot } from '../support/bot.js';
import { useTaskButtons } from '../support/world.js';
import { type TaskButtons, type PublishedVersion } from '../support/task-buttons.js';
import { TASK_ACTIONS } from '../../views/task-message.js';

let t: TestBot;
let ui: TaskButtons;
useTaskButtons((world) => ({ t, ui } = world), {
  jobs: {
    publish: { templateSasDays: 7, copyPollIntervalMs: 50 },
    watch: { intervalMs: 500, runningReminderMs: 3_000, noMachineReminderMs: 1_500, agentReportTimeoutMs: 1_500 },
    updates: TEST_UPDATE_SETTINGS,
    lockLifetimeMs: 10_000,
  },
});

const machineLine = (v: PublishedVersion, state: string) => (json: string) => json.includes(`*Packaging machine*`) && json.includes(state);

describe('watching the packaging machine', () => {
  it("says once, and on the message, that a running machine's VM agent never reported and what to do about it", async () => {
    const w = await ui.publish('watch-agent');
    await ui.control.setVmAgent(w.vmName, false);
    await ui.deploy(w, { agent: false });
    const warning = await ui.waitForThread(w, /`watch-agent` has been running for .*Azure VM agent has not reported/, 30_000);
    expect(warning).toContain('<@UADMIN1>');
    expect(warning).toMatch(/Install or enable the Azure VM agent .* in the base image/);
    await ui.waitForMessage(w, machineLine(w, 'Azure VM agent has not reported'), 30_000);
    expect(ui.threadTexts(w).filter((text) => /Azure VM agent has not reported/.test(text))).toHaveLength(1);
  }, 90_000);

  let v: PublishedVersion;

  it('shows that no machine exists yet, and reminds the initiator once', async () => {
    v = await ui.publish('watch-1');
    await ui.waitForMessage(v, machineLine(v, 'not created yet'));
    const reminder = await ui.waitForThread(v, /no packaging machine has been created for version \*watch-1\*/);
    expect(reminder).toContain('<@UADMIN1>');
    expect(reminder).toMatch(/Deploy for me/);
  }, 60_000);

  it('follows the machine to running, reminds once that it has been running for a while, and never repeats a reminder', async () => {
    await ui.deploy(v);
    await ui.waitForMessage(v, machineLine(v, '`watch-1`: running'), 30_000);
    const reminder = await ui.waitForThread(v, /`watch-1` has been running for/, 30_000);
    expect(reminder).toContain('<@UADMIN1>');
    expect(reminder).toContain('Shutdown for Finalize');

    // A later look at the machine (it stops) must not remind again.
    const azure = (await TaskRun.load(t.bot.services, v.taskId))!.azure();
    await azure.machines.powerOffVm(v.vmName);
    await ui.waitForMessage(v, machineLine(v, 'stopped but not deallocated'), 30_000);
    expect(ui.threadTexts(v).filter((text) => /has been running for/.test(text))).toHaveLength(1);
    expect(ui.threadTexts(v).filter((text) => /no packaging machine has been created/.test(text))).toHaveLength(1);
  }, 90_000);

  it('reports a machine deleted outside the bot, and Deploy for me creates it again', async () => {
    const azure = (await TaskRun.load(t.bot.services, v.taskId))!.azure();
    await azure.machines.deleteVm(v.vmName);
    const json = await ui.waitForMessage(v, machineLine(v, 'deleted outside oslayer'), 30_000);
    expect(json).toContain(TASK_ACTIONS.deployForMe);
    expect(json).toContain(TASK_ACTIONS.cancel);
    const warning = await ui.waitForThread(v, /`watch-1` was deleted outside oslayer/);
    expect(warning).toContain('<@UADMIN1>');

    const since = ui.threadTexts(v).length;
    await ui.click('UADMIN1', v, TASK_ACTIONS.deployForMe);
    await ui.until('the machine to be created again', () => (ui.threadTexts(v).slice(since).some((text) => /is created and starting/.test(text)) ? true : undefined), 30_000);
    await ui.waitForMessage(v, machineLine(v, '`watch-1`: running'), 30_000);
    expect((await ui.resourcesOf(v)).filter((r) => r.type === 'Microsoft.Compute/disks')).toHaveLength(1);
  }, 90_000);

  it('waits as long as ARM asks when it is throttled', async () => {
    await ui.control.setFaults([{ method: 'GET', pathPattern: `virtualMachines/${v.vmName}$`, status: 429, retryAfterSeconds: 3600, times: 1 }]);
    const nextRead = await ui.until(
      'the watch to be throttled',
      async () => {
        if ((await ui.control.faults()).length > 0) return undefined;
        const { jobs } = await t.bot.services.scheduler.agenda.queryJobs({ name: WATCH_MACHINE_JOB });
        const watch = jobs.find((job) => (job.data as { taskId?: string } | undefined)?.taskId === v.taskId);
        const at = watch?.nextRunAt ? new Date(watch.nextRunAt).getTime() : 0;
        return at > Date.now() + 60_000 ? at : undefined;
      },
      30_000,
    );
    expect(nextRead - Date.now()).toBeGreaterThan(3590_000);
  }, 60_000);
});
