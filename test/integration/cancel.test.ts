import { useSandboxWorld, type SandboxWorld } from '../support/world.js';
import {
  buttonsOf,
  sandboxContents,
  startReadyVersion,
  startVersion,
  taggedWith,
  threadOf,
  waitForEphemeral,
  waitForStatus,
  waitForThread,
} from '../support/ready-to-finalize.js';
import { TASK_ACTIONS } from '../../views/task-message.js';

let world: SandboxWorld;
useSandboxWorld((w) => (world = w), { UREADER1: 'read-only' });

const inventory = () => world.t.bot.sandbox!.simulator.inventory();

describe('Cancel', () => {
  it("also deletes blobs found only by the task's mark (blob-disks.test shows the metadata mark of accounts without index tags)", async () => {
    const { t, sim, layer, base } = world;
    const before = await sandboxContents(t);
    const { task, where } = await startVersion(t, layer, base._id, '2027-04');
    const actionRequired = await waitForStatus(t, where.ts, 'action-required');
    const connector = (await t.bot.services.repos.connectors.get(layer.connectorId))!;
    const blobs = await t.bot.services.azure.session(connector).blobs();
    const tags = { 'oslayer-task': task._id };
    await blobs.uploadJson({ container: connector.container, blob: 'stray/left-by-a-crash.json', json: {}, tags });

    await sim.clickInMessage('UADMIN1', actionRequired.args, TASK_ACTIONS.cancel, { value: task._id, channel: where.channel });
    const deleted = await waitForThread(t, where.ts, 'Cancelled. Deleted');
    expect(deleted).toContain(`blob ${connector.container}/stray/left-by-a-crash.json`);
    expect(await sandboxContents(t)).toEqual(before);
  });

  it('from Action Required deletes the packaging disk and the template; a Read Only user is refused; a second Cancel changes nothing', async () => {
    const { t, sim, layer, base } = world;
    const before = await sandboxContents(t);
    const { task, where } = await startVersion(t, layer, base._id, '2027-05');
    const actionRequired = await waitForStatus(t, where.ts, 'action-required');
    expect((await sandboxContents(t)).blobs).toEqual(expect.arrayContaining(['oslayer-layers/2027-05-packaging.vhd', `oslayer-templates/${task._id}.json`]));

    await sim.clickInMessage('UREADER1', actionRequired.args, TASK_ACTIONS.cancel, { value: task._id, channel: where.channel });
    expect(await waitForEphemeral(t, 'UREADER1', "can't cancel")).toContain('Manage OS Layers or Administrator');

    await sim.clickInMessage('UADMIN1', actionRequired.args, TASK_ACTIONS.cancel, { value: task._id, channel: where.channel });
    const cancelled = await waitForStatus(t, where.ts, 'cancelled');
    expect(JSON.stringify(cancelled.args.blocks)).toContain(':no_entry_sign: Cancelled');
    expect(buttonsOf(cancelled)).toEqual([]);
    const deleted = await waitForThread(t, where.ts, 'Cancelled. Deleted');
    expect(deleted).toContain('<@UADMIN1>');
    expect(deleted).toContain('blob oslayer-layers/2027-05-packaging.vhd');
    expect(deleted).toContain(`blob oslayer-templates/${task._id}.json`);
    expect(await sandboxContents(t)).toEqual(before);

    await sim.clickInMessage('UADMIN1', actionRequired.args, TASK_ACTIONS.cancel, { value: task._id, channel: where.channel });
    expect(await waitForEphemeral(t, 'UADMIN1', 'Version 2027-05 is already')).toMatch(/already (cancelled|being cancelled)/);
    expect(threadOf(t, where.ts).filter((line) => line.includes('cancelled version'))).toHaveLength(1);
    expect((await t.bot.services.repos.versions.get(task.versionId))?.status).toBe('cancelled');
    expect((await t.bot.services.repos.tasks.get(task._id))?.status).toBe('cancelled');
  });

  it('from Ready to Finalize deletes the machine, its disk and NIC as well', async () => {
    const { t, sim, layer, base } = world;
    const before = await sandboxContents(t);
    const { task, where, machine: { vmName, diskName }, ready } = await startReadyVersion(t, layer, base._id, '2027-06');
    expect(await taggedWith(inventory, task._id)).toEqual(
      expect.arrayContaining([`Microsoft.Compute/virtualMachines ${vmName}`, `Microsoft.Compute/disks ${diskName}`, expect.stringMatching(/networkInterfaces/)]),
    );

    await sim.clickInMessage('UADMIN1', ready.args, TASK_ACTIONS.cancel, { value: task._id, channel: where.channel });
    await waitForStatus(t, where.ts, 'cancelled');
    const deleted = await waitForThread(t, where.ts, 'Cancelled. Deleted');
    expect(deleted).toContain(`machine ${vmName} (with its network interface and public IP, if it had one)`);
    expect(deleted).toContain(`disk ${diskName}`);
    expect(await taggedWith(inventory, task._id)).toEqual([]);
    expect(await sandboxContents(t)).toEqual(before);

    // A Finalize button left on screen does nothing for a cancelled version.
    await sim.clickInMessage('UADMIN1', ready.args, TASK_ACTIONS.finalize, { value: task._id, channel: where.channel });
    expect(await waitForEphemeral(t, 'UADMIN1', 'Version 2027-06 is cancelled')).toContain('only a version that is ready to finalize');
  });
});
