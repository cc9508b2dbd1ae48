import { useSandboxWorld, type SandboxWorld } from '../support/world.js';
import {
  ephemeralsTo,
  sandboxContents,
  startReadyVersion,
  threadOf,
  waitForEphemeral,
  waitForStatus,
  waitForThread,
} from '../support/ready-to-finalize.js';
import { SimulatorControl } from '../../src/sandbox/azure/control-client.js';
import { TASK_ACTIONS } from '../../views/task-message.js';

let world: SandboxWorld;
useSandboxWorld((w) => (world = w), { UMANAGER1: 'manage-os-layers' });

it('two people clicking Finalize at once get one finalize and one "already finalizing"; Cancel is refused meanwhile', async () => {
  const { t, sim, layer, base } = world;
  const before = await sandboxContents(t);
  const { task, where, ready } = await startReadyVersion(t, layer, base._id, '2027-01');
  // Azure takes its time granting access, so the finalize is still under way when Cancel is clicked.
  await new SimulatorControl(t.bot.sandbox!.simulator).setFaults([{ method: 'POST', pathPattern: 'beginGetAccess', delayMs: 4000 }]);

  const click = (user: string) => sim.clickInMessage(user, ready.args, TASK_ACTIONS.finalize, { value: task._id, channel: where.channel });
  await Promise.all([click('UADMIN1'), click('UMANAGER1')]);
  await waitForThread(t, where.ts, 'started Finalize');
  const refusal = await Promise.race([waitForEphemeral(t, 'UADMIN1', 'already finalizing'), waitForEphemeral(t, 'UMANAGER1', 'already finalizing')]);
  expect(refusal).toBe('Version 2027-01 is already finalizing.');

  await sim.clickInMessage('UADMIN1', ready.args, TASK_ACTIONS.cancel, { value: task._id, channel: where.channel });
  expect(await waitForEphemeral(t, 'UADMIN1', "can't be cancelled")).toContain('finalize is already under way');

  await waitForStatus(t, where.ts, 'deployable');
  await waitForThread(t, where.ts, 'Created:');
  const told = [...ephemeralsTo(t, 'UADMIN1'), ...ephemeralsTo(t, 'UMANAGER1')];
  expect(told.filter((text) => text.includes('already finalizing'))).toHaveLength(1);
  expect(threadOf(t, where.ts).filter((text) => text.includes('started Finalize'))).toHaveLength(1);
  expect(threadOf(t, where.ts).filter((text) => text.includes('Copied the OS disk'))).toHaveLength(1);
  const version = (await t.bot.services.repos.versions.get(task.versionId))!;
  expect(version.status).toBe('deployable');
  const after = await sandboxContents(t);
  expect(after.resources).toEqual(before.resources);
  expect(after.blobs).toEqual([...before.blobs, `oslayer-layers/${version.diskUri}`].sort());
});
