import { CONDITION_ADVICE, INTEGRITY_CONDITIONS, type IntegrityCondition } from '../../src/domain/integrity.js';
import type { GuestChanges } from '../../src/sandbox/azure/index.js';
import { CLEAN_GUEST } from '../../src/sandbox/azure/guest.js';
import { finalizeBlocker } from '../../src/workflow/finalize.js';
import type { TestBot } from '../support/bot.js';
import { useTaskButtons } from '../support/world.js';
import { ADMIN, READER, type TaskButtons, type PublishedVersion } from '../support/task-buttons.js';
import { TASK_ACTIONS } from '../../views/task-message.js';
import { TaskRun } from '../../src/workflow/task-run.js';
import { statusShown } from '../support/ready-to-finalize.js';

let t: TestBot;
let ui: TaskButtons;
let v: PublishedVersion;
useTaskButtons(async (world) => {
  ({ t, ui } = world);
  v = await ui.publish('integrity-1');
  await ui.deploy(v);
});

const SETUP_ENTRY = { view: '64' as const, key: 'RunOnce' as const, name: 'Finish <!here> setup', command: 'C:\\setup\\finish.cmd' };

/**
 * The guest state that makes exactly `conditions` block Shutdown for Finalize. NGen at work
 * blocks it only while it outlasts the queue drain Shutdown for Finalize runs first.
 */
function guestWith(...conditions: IntegrityCondition[]): GuestChanges {
  const ngen = conditions.includes('ngenInProgress') ? { ngenOutlastsBudget: true } : {};
  return { ...CLEAN_GUEST, ...ngen, ...Object.fromEntries(conditions.map((c) => [c, c === 'runOnce' ? [SETUP_ENTRY] : true])) };
}

/** The button that clears each condition; none where only the admin can act on the machine. */
const REMEDY_BUTTON: Readonly<Record<IntegrityCondition, string | undefined>> = {
  driverRebootPending: TASK_ACTIONS.reboot,
  deviceRestartPending: TASK_ACTIONS.reboot,
  rebootPending: TASK_ACTIONS.reboot,
  windowsUpdateRebootRequired: TASK_ACTIONS.reboot,
  updateAgentRebootRequired: TASK_ACTIONS.reboot,
  fileRenamesPending: TASK_ACTIONS.reboot,
  computerRenamePending: TASK_ACTIONS.reboot,
  domainJoinPending: TASK_ACTIONS.reboot,
  msiInProgress: undefined,
  installerInProgress: undefined,
  ngenInProgress: TASK_ACTIONS.expediteNgen,
  runOnce: TASK_ACTIONS.runOnceRun,
  smsCfgPresent: undefined,
};
const clearedBy = (button: string | undefined) => INTEGRITY_CONDITIONS.filter((c) => REMEDY_BUTTON[c] === button);

type Block = { type: string; text?: { text: string }; accessory?: { action_id: string }; elements?: Array<{ action_id?: string }> };

/** The section of the task message that shows `condition`, with its accessory button if any. */
function conditionSection(condition: IntegrityCondition): Block | undefined {
  const blocks = ui.message(v).blocks as Block[];
  return blocks.find((b) => b.type === 'section' && b.text?.text.includes(CONDITION_ADVICE[condition].text));
}

/** Every button action_id on the task message now. */
function buttonsShown(): string[] {
  const blocks = ui.message(v).blocks as Block[];
  return blocks.flatMap((b) => [...(b.accessory ? [b.accessory.action_id] : []), ...(b.elements ?? []).flatMap((e) => (e.action_id ? [e.action_id] : []))]);
}

/** Clicks `actionId` and answers the job's final word to the clicking user. */
async function clickAndWait(actionId: string, answer: RegExp, user = ADMIN): Promise<string> {
  const since = ui.mark();
  await ui.click(user, v, actionId);
  return ui.waitForEphemeral(user, answer, since, 30_000);
}

const CHECK_RESULT = /The integrity check found|The layer integrity check passed|check itself failed/;
const REFUSED = /I didn't shut the packaging machine down/;

async function expectStillRunningAndNotFinalizable(): Promise<void> {
  expect((await ui.vm(v))?.powerState).toBe('running');
  const run = (await TaskRun.load(t.bot.services, v.taskId))!;
  expect(run.version.status).toBe('action-required');
  expect(run.version.lastIntegrity?.clean).toBe(false);
  expect(await finalizeBlocker(run)).toMatch(/only a version that is ready to finalize can be finalized/);
  // Finalize stays on the message (one-click), but it re-runs the check before anything else.
  expect(buttonsShown()).toContain(TASK_ACTIONS.checkAgain);
}

describe('Shutdown for Finalize and the layer integrity check', () => {
  it('refuses a Read Only user', async () => {
    const told = await clickAndWait(TASK_ACTIONS.shutdownForFinalize, /You can't/, READER);
    expect(told).toContain('Manage OS Layers or Administrator');
    expect((await ui.vm(v))?.powerState).toBe('running');
  });

  // Conditions grouped by what clears them; every condition is in exactly one group.
  it.each<[string, string | undefined]>([
    ['Reboot machine', TASK_ACTIONS.reboot],
    ['Expedite NGen', TASK_ACTIONS.expediteNgen],
    ['Run them once', TASK_ACTIONS.runOnceRun],
    ['the admin on the machine', undefined],
  ])('conditions cleared by %s block Shutdown for Finalize, each shown in plain words with its remedy, until cleared', async (_by, button) => {
    const conditions = clearedBy(button);
    await ui.control.setGuest(v.vmName, guestWith(...conditions));
    const told = await clickAndWait(TASK_ACTIONS.shutdownForFinalize, REFUSED);
    for (const condition of conditions) {
      expect(told).toContain(CONDITION_ADVICE[condition].text);
      expect(conditionSection(condition)).toBeDefined();
      if (button && button !== TASK_ACTIONS.runOnceRun) expect(conditionSection(condition)?.accessory?.action_id).toBe(button);
      if (!button) expect(conditionSection(condition)?.accessory).toBeUndefined();
    }
    for (const other of INTEGRITY_CONDITIONS.filter((c) => !conditions.includes(c))) expect(conditionSection(other)).toBeUndefined();
    expect(buttonsShown()).toContain(TASK_ACTIONS.checkAgain);
    await expectStillRunningAndNotFinalizable();

    if (button) {
      // NGen finishes its long compilation: Expedite NGen can now wait for it.
      if (conditions.includes('ngenInProgress')) await ui.control.setGuest(v.vmName, { ngenOutlastsBudget: false });
      const answer = await clickAndWait(button, /has restarted|The integrity check found|passed: nothing is pending|still running|could not/);
      // Reboot leaves the check to the admin (the machine needs to finish booting); the others check again themselves.
      const verdict = /has restarted/.test(answer) ? await clickAndWait(TASK_ACTIONS.checkAgain, CHECK_RESULT) : answer;
      expect(verdict).toMatch(/passed: nothing is pending/);
      expect(await ui.control.setGuest(v.vmName, {})).toMatchObject(CLEAN_GUEST);
    } else {
      await ui.control.setGuest(v.vmName, CLEAN_GUEST);
      expect(await clickAndWait(TASK_ACTIONS.checkAgain, CHECK_RESULT)).toMatch(/passed: nothing is pending/);
    }
    for (const condition of conditions) expect(conditionSection(condition)).toBeUndefined();
  }, 60_000);

  it('puts every condition in one of those groups', () => {
    const grouped = [TASK_ACTIONS.reboot, TASK_ACTIONS.expediteNgen, TASK_ACTIONS.runOnceRun, undefined].flatMap(clearedBy);
    expect([...grouped].sort()).toEqual([...INTEGRITY_CONDITIONS].sort());
  });

  it.each<[string, GuestChanges, RegExp]>([
    ['a probe that cannot answer', { failProbe: 'msi-mutex' }, /the msi-mutex probe could not answer: Access to the path/],
    ['a 32-bit PowerShell that cannot start the 64-bit one', { failProbe: 'architecture' }, /the architecture probe could not answer: the script runs in a 32-bit PowerShell and could not start the 64-bit one/],
    ['a warning line', { emitWarning: true }, /printed a warning message/],
    ['a byte order mark', { bom: true }, /byte order mark/],
  ])('%s ends as "the check failed", with Check again; the machine keeps running and Finalize stays refused', async (_what, fault, reason) => {
    // The guest is otherwise clean: a check that could not look must still never pass it.
    await ui.control.setGuest(v.vmName, { ...CLEAN_GUEST, ...fault });
    const told = await clickAndWait(TASK_ACTIONS.shutdownForFinalize, REFUSED);
    expect(told).toMatch(/the check itself failed/);
    expect(told).toMatch(reason);
    await ui.waitForMessage(v, (json) => json.includes('The layer integrity check failed'));
    const text = (ui.message(v).blocks as Block[]).map((b) => b.text?.text ?? '').join('\n');
    expect(text).toMatch(reason);
    expect(text).toContain('This is not a pass');
    expect(buttonsShown()).toContain(TASK_ACTIONS.checkAgain);
    await expectStillRunningAndNotFinalizable();
    expect((await t.bot.services.repos.versions.get(v.versionId))?.lastIntegrity).toMatchObject({ clean: false, failure: expect.stringMatching(reason) });

    await ui.control.setGuest(v.vmName, CLEAN_GUEST);
    expect(await clickAndWait(TASK_ACTIONS.checkAgain, CHECK_RESULT)).toMatch(/passed: nothing is pending/);
    expect(ui.text(v)).not.toContain('The layer integrity check failed');
  }, 60_000);

  it('answers a second Check again while one runs, instead of running two', async () => {
    await ui.control.setGuest(v.vmName, { ...CLEAN_GUEST, msiInProgress: true });
    await clickAndWait(TASK_ACTIONS.shutdownForFinalize, REFUSED);
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
    await clickAndWait(TASK_ACTIONS.shutdownForFinalize, /A check is already running on the packaging machine/);
  }, 60_000);

  it('Expedite NGen that outlasts its time budget says NGen still runs and must not be interrupted, and stops nothing', async () => {
    await ui.control.setGuest(v.vmName, { ...CLEAN_GUEST, ngenQueued: true, ngenOutlastsBudget: true });
    await clickAndWait(TASK_ACTIONS.shutdownForFinalize, REFUSED);
    const told = await clickAndWait(TASK_ACTIONS.expediteNgen, /NGen is still running/);
    expect(told).toMatch(/don't restart or shut down the machine/);
    expect(ui.threadTexts(v).some((text) => /NGen is still running on the packaging machine \(still on Framework64\\v4\.0\.30319 executeQueuedItems\)/.test(text))).toBe(true);
    expect(await ui.control.setGuest(v.vmName, {})).toMatchObject({ ngenQueued: true });
    expect((await ui.vm(v))?.powerState).toBe('running');
  }, 60_000);

  it('NGen update /force runs only on request, then checks again', async () => {
    await ui.control.setGuest(v.vmName, { ...CLEAN_GUEST, ngenInProgress: true });
    await clickAndWait(TASK_ACTIONS.checkAgain, CHECK_RESULT);
    expect(buttonsShown()).toContain(TASK_ACTIONS.ngenUpdateForce);
    expect(await clickAndWait(TASK_ACTIONS.ngenUpdateForce, CHECK_RESULT)).toMatch(/passed: nothing is pending/);
    expect(ui.threadTexts(v).some((text) => /`ngen update \/force`, which recompiles every native image,/.test(text))).toBe(true);
  }, 60_000);

  it('shows RunOnce entries by name, escaped, and removes them after the confirm, whatever their names hold', async () => {
    const scriptLike = { view: '64' as const, key: 'RunOnce' as const, name: "x'; Remove-Item -Recurse C:\\ # $(whoami) `\"" };
    await ui.control.setGuest(v.vmName, { ...CLEAN_GUEST, runOnce: [SETUP_ENTRY, { view: '32', key: 'RunOnceEx', name: '0001' }, scriptLike] });
    await clickAndWait(TASK_ACTIONS.shutdownForFinalize, REFUSED);
    const text = ui.text(v);
    expect(text).toContain('RunOnce › Finish &lt;!here&gt; setup');
    expect(text).toContain('32-bit RunOnceEx › 0001');
    expect(text).not.toContain('<!here>');
    expect(await clickAndWait(TASK_ACTIONS.runOnceRemove, CHECK_RESULT)).toMatch(/passed: nothing is pending/);
    expect(ui.threadTexts(v).some((text) => text.includes('RunOnce › Finish &lt;!here&gt; setup removed'))).toBe(true);
    expect(await ui.control.setGuest(v.vmName, {})).toMatchObject({ runOnce: [] });
  }, 60_000);

  it('tells what to do when the machine is stopped', async () => {
    await ui.control.setGuest(v.vmName, { ...CLEAN_GUEST, smsCfgPresent: true });
    await clickAndWait(TASK_ACTIONS.shutdownForFinalize, REFUSED);
    const azure = (await TaskRun.load(t.bot.services, v.taskId))!.azure();
    await azure.machines.powerOffVm(v.vmName);
    const told = await clickAndWait(TASK_ACTIONS.checkAgain, /shut down/);
    expect(told).toMatch(/Start it .* wait for it to finish booting, then try again/);
    await azure.machines.startVm(v.vmName);
  }, 60_000);

  it('shuts down and deallocates a clean machine, and offers Finalize', async () => {
    await ui.control.setGuest(v.vmName, CLEAN_GUEST);
    await clickAndWait(TASK_ACTIONS.shutdownForFinalize, /passed the check and is shut down and deallocated/);
    const text = await ui.waitForMessage(v, (json) => json.includes(statusShown('ready-to-finalize')));
    expect(text).toContain('"Finalize"');
    expect(text).not.toContain(TASK_ACTIONS.shutdownForFinalize);
    expect((await ui.vm(v))?.powerState).toBe('deallocated');
    const version = await t.bot.services.repos.versions.get(v.versionId);
    expect(version?.status).toBe('ready-to-finalize');
    expect(version?.lastIntegrity).toMatchObject({ clean: true, blocking: [] });
  }, 60_000);
});
