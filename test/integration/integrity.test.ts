import { CONDITION_ADVICE, INTEGRITY_CONDITIONS, type IntegrityCondition } from '../../src/domain/integrity.js';
import type { GuestFlags } from '../../src/azure/simulator/index.js';
import { startTestBot, type TestBot } from '../support/bot.js';
import { ADMIN, READER, TaskButtons, type PublishedVersion } from '../support/task-buttons.js';
import { TASK_ACTIONS } from '../../views/task-message.js';
import { TaskRun } from '../../src/workflow/task-run.js';

let t: TestBot;
let ui: TaskButtons;
let v: PublishedVersion;
beforeAll(async () => {
  t = await startTestBot({ sandbox: { enabled: true } });
  ui = new TaskButtons(t);
  await ui.start();
  v = await ui.publish('integrity-1');
  await ui.deploy(v);
}, 120_000);
afterAll(async () => {
  await ui.stop();
  await t.stop();
}, 60_000);

const CLEAN: GuestFlags = {
  driverRebootPending: false,
  rebootPending: false,
  msiInProgress: false,
  ngenInProgress: false,
  ngenQueued: false,
  runOnceOutstanding: false,
  smsCfgPresent: false,
};

const REMEDY_ACTION = { reboot: TASK_ACTIONS.reboot, 'expedite-ngen': TASK_ACTIONS.expediteNgen } as const;

/** The section of the task message that shows `condition`, with its accessory button if any. */
function conditionSection(condition: IntegrityCondition): { accessory?: { action_id: string } } | undefined {
  const blocks = ui.message(v).blocks as Array<{ type: string; text?: { text: string }; accessory?: { action_id: string } }>;
  return blocks.find((b) => b.type === 'section' && b.text?.text.includes(CONDITION_ADVICE[condition].text));
}

/** Clicks `actionId` and answers the job's final word to the clicking user. */
async function clickAndWait(actionId: string, answer: RegExp, user = ADMIN): Promise<string> {
  const since = ui.mark();
  await ui.click(user, v, actionId);
  return ui.waitForEphemeral(user, answer, since, 30_000);
}

const CHECK_RESULT = /The integrity check found|The layer integrity check passed|check itself failed/;

describe('Shutdown for Finalize and the layer integrity check', () => {
  it('refuses a Read Only user', async () => {
    const told = await clickAndWait(TASK_ACTIONS.shutdownForFinalize, /You can't/, READER);
    expect(told).toContain('Manage OS Layers or Administrator');
    expect((await ui.vm(v))?.powerState).toBe('running');
  });

  it('refuses to shut down while something is pending, listing it with its remedy', async () => {
    await ui.control.setGuest(v.vmName, { ...CLEAN, rebootPending: true, ngenQueued: true });
    const told = await clickAndWait(TASK_ACTIONS.shutdownForFinalize, /I didn't shut the packaging machine down/);
    expect(told).toContain(CONDITION_ADVICE.rebootPending.text);
    expect(told).toContain(CONDITION_ADVICE.ngenQueued.text);
    expect(conditionSection('rebootPending')?.accessory?.action_id).toBe(TASK_ACTIONS.reboot);
    expect(conditionSection('ngenQueued')?.accessory?.action_id).toBe(TASK_ACTIONS.expediteNgen);
    expect(ui.text(v)).toContain(TASK_ACTIONS.checkAgain);
    expect((await ui.vm(v))?.powerState).toBe('running');
    expect((await t.bot.services.repos.versions.get(v.versionId))?.status).toBe('action-required');
  }, 60_000);

  it.each(INTEGRITY_CONDITIONS)('shows %s with its remedy after Check again', async (condition) => {
    await ui.control.setGuest(v.vmName, { ...CLEAN, [condition]: true });
    const told = await clickAndWait(TASK_ACTIONS.checkAgain, CHECK_RESULT);
    expect(told).toContain(CONDITION_ADVICE[condition].text);
    const section = conditionSection(condition);
    expect(section).toBeDefined();
    const remedy = CONDITION_ADVICE[condition].remedy;
    expect(section?.accessory?.action_id).toBe(remedy ? REMEDY_ACTION[remedy] : undefined);
    for (const other of INTEGRITY_CONDITIONS.filter((c) => c !== condition)) expect(conditionSection(other)).toBeUndefined();
  }, 60_000);

  it('answers a second Check again while one runs, instead of running two', async () => {
    await ui.control.setGuest(v.vmName, { ...CLEAN, msiInProgress: true });
    const since = ui.mark();
    await Promise.all([ui.click(ADMIN, v, TASK_ACTIONS.checkAgain), ui.click(ADMIN, v, TASK_ACTIONS.checkAgain)]);
    await ui.waitForEphemeral(ADMIN, /A check is already running on the packaging machine/, since);
    await ui.waitForEphemeral(ADMIN, CHECK_RESULT, since, 30_000);
    expect(ui.ephemerals(ADMIN, since).filter((text) => CHECK_RESULT.test(text))).toHaveLength(1);
  }, 60_000);

  it('says a check is already running when Azure refuses a second Run Command', async () => {
    await ui.control.setFaults([
      {
        method: 'POST',
        pathPattern: `virtualMachines/${v.vmName}/runCommand$`,
        status: 409,
        code: 'Conflict',
        // Someone else's Run Command (e.g. from the portal) holds the machine: Compute's own words.
        message: 'Run command extension execution is in progress. Please wait for completion before invoking a run command.',
        times: 1,
      },
    ]);
    await clickAndWait(TASK_ACTIONS.checkAgain, /A check is already running on the packaging machine/);
  }, 60_000);

  it('Expedite NGen runs the queued work, warns not to restart, and checks again', async () => {
    await ui.control.setGuest(v.vmName, { ...CLEAN, ngenInProgress: true, ngenQueued: true });
    await clickAndWait(TASK_ACTIONS.checkAgain, CHECK_RESULT);
    expect(conditionSection('ngenInProgress')?.accessory?.action_id).toBe(TASK_ACTIONS.expediteNgen);

    const told = await clickAndWait(TASK_ACTIONS.expediteNgen, CHECK_RESULT);
    expect(told).toMatch(/passed: nothing is pending/);
    expect(await ui.control.setGuest(v.vmName, {})).toMatchObject({ ngenInProgress: false, ngenQueued: false });
    expect(ui.threadTexts(v).some((text) => /Never restart the machine to stop NGen/.test(text))).toBe(true);
    expect(conditionSection('ngenInProgress')).toBeUndefined();
  }, 60_000);

  it('Reboot machine restarts it, which clears a pending restart', async () => {
    await ui.control.setGuest(v.vmName, { ...CLEAN, driverRebootPending: true, rebootPending: true });
    await clickAndWait(TASK_ACTIONS.shutdownForFinalize, /I didn't shut the packaging machine down/);
    await clickAndWait(TASK_ACTIONS.reboot, /has restarted/);
    await ui.waitForThread(v, /`integrity-1` has restarted/);
    const told = await clickAndWait(TASK_ACTIONS.checkAgain, CHECK_RESULT);
    expect(told).toMatch(/passed: nothing is pending/);
  }, 60_000);

  it('tells what to do when the machine is stopped', async () => {
    await ui.control.setGuest(v.vmName, { ...CLEAN, smsCfgPresent: true });
    await clickAndWait(TASK_ACTIONS.shutdownForFinalize, /I didn't shut the packaging machine down/);
    const azure = (await TaskRun.load(t.bot.services, v.taskId))!.azure();
    await azure.machines.powerOffVm(v.vmName);
    const told = await clickAndWait(TASK_ACTIONS.checkAgain, /shut down/);
    expect(told).toMatch(/Start it .* wait for it to finish booting, then try again/);
    await azure.machines.startVm(v.vmName);
  }, 60_000);

  it('shuts down and deallocates a clean machine, and offers Finalize', async () => {
    await ui.control.setGuest(v.vmName, CLEAN);
    await clickAndWait(TASK_ACTIONS.shutdownForFinalize, /passed the check and is shut down and deallocated/);
    const text = await ui.waitForMessage(v, (json) => json.includes('"Finalize"'));
    expect(text).toContain('version status `ready-to-finalize`');
    expect(text).not.toContain(TASK_ACTIONS.shutdownForFinalize);
    expect((await ui.vm(v))?.powerState).toBe('deallocated');
    const version = await t.bot.services.repos.versions.get(v.versionId);
    expect(version?.status).toBe('ready-to-finalize');
    expect(version?.lastIntegrity).toMatchObject({ clean: true, blocking: [] });
  }, 60_000);
});
