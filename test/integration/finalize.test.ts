import { useSandboxWorld, type SandboxWorld } from '../support/world.js';
import { whenSlackShows } from '../support/waits.js';
import {
  buttonsOf,
  ephemeralsTo,
  sandboxContents,
  startReadyVersion,
  taggedWith,
  TEST_LAYER_BYTES,
  threadOf,
  waitForEphemeral,
  waitForStatus,
  waitForThread,
} from '../support/ready-to-finalize.js';
import { DEMO_LAYER_NAME } from '../../src/sandbox/index.js';
import { TASK_ACTIONS } from '../../views/task-message.js';
import { fieldOfBlockId, WIZARD_FIELD } from '../../views/ids.js';

let world: SandboxWorld;
useSandboxWorld((w) => (world = w), { UREADER1: 'read-only' });

describe('Finalize', () => {
  it('turns the packaging machine into a deployable version, deletes everything else, and offers it as the next base', async () => {
    const { t, sim, layer, base } = world;
    const before = await sandboxContents(t);
    const { version, task, where, ready } = await startReadyVersion(t, layer, base._id, '2026-11');
    expect(buttonsOf(ready)).toEqual(['Finalize', 'Cancel']);

    // A Read Only user sees the button but is told why they can't use it.
    await sim.clickInMessage('UREADER1', ready.args, TASK_ACTIONS.finalize, { value: task._id, channel: where.channel });
    expect(await waitForEphemeral(t, 'UREADER1', "can't finalize")).toContain('Manage OS Layers or Administrator');

    await sim.clickInMessage('UADMIN1', ready.args, TASK_ACTIONS.finalize, { value: task._id, channel: where.channel });
    const done = await waitForStatus(t, where.ts, 'deployable');
    expect(JSON.stringify(done.args.blocks)).toContain("is deployable and is now the layer's latest version");
    expect(buttonsOf(done)).toEqual([]);
    // The Finalize button of the message as it was, clicked again once the version is deployable.
    await sim.clickInMessage('UADMIN1', ready.args, TASK_ACTIONS.finalize, { value: task._id, channel: where.channel });
    expect(await waitForEphemeral(t, 'UADMIN1', 'Version 2026-11 is')).toBe('Version 2026-11 is deployable; only a version that is ready to finalize can be finalized.');

    const { repos, azure } = t.bot.services;
    const stored = (await repos.versions.get(version._id))!;
    expect(stored.status).toBe('deployable');
    expect(stored.diskUri).toBe('windows-server-2022-demo/2026-11.vhd');
    expect(stored.diskSizeBytes).toBe(TEST_LAYER_BYTES);
    expect((await repos.layers.get(layer._id))?.latestVersionId).toBe(version._id);

    // The new VHD is a fixed VHD of the packaging disk's size; it is the only thing the task left.
    const connector = (await repos.connectors.get(layer.connectorId))!;
    const blobs = await azure.session(connector).blobs();
    const footer = await blobs.readVhdFooter({ container: connector.container, blob: stored.diskUri! });
    expect(footer).toMatchObject({ diskType: 'fixed', currentSize: TEST_LAYER_BYTES });
    const after = await sandboxContents(t);
    expect(after.resources).toEqual(before.resources);
    expect(after.blobs).toEqual([...before.blobs, `${connector.container}/${stored.diskUri}`].sort());
    expect(await taggedWith(() => t.bot.sandbox!.simulator.inventory(), task._id)).toEqual([]);

    // The thread says what was made and what was deleted, and tells the person who started it.
    const summary = await waitForThread(t, where.ts, 'Created:');
    expect(summary).toContain('<@UADMIN1>');
    expect(summary).toContain(`${connector.container}/windows-server-2022-demo/2026-11.vhd`);
    expect(summary).toMatch(/Deleted:.*packaging machine 2026-11-packaging.*network interface and public IP.*OS disk.*2026-11-packaging\.vhd.*template/);
    expect(threadOf(t, where.ts)).toEqual(
      expect.arrayContaining([expect.stringContaining('started Finalize'), expect.stringContaining('Copied the OS disk into the layer store')]),
    );

    // The next /oslayer add-version on this layer starts from the new version.
    await sim.command('UADMIN1', `add-version ${DEMO_LAYER_NAME}`);
    await t.slack.waitForCall('views.open', (c) => JSON.stringify(c.args.view).includes('Base Version'));
    const modal = sim.topView('UADMIN1').view as { blocks: Array<{ block_id?: string; element?: { initial_option?: { value: string } } }> };
    const baseInput = modal.blocks.find((b) => b.block_id !== undefined && fieldOfBlockId(b.block_id) === WIZARD_FIELD.baseVersionId);
    expect(baseInput?.element?.initial_option?.value).toBe(version._id);
  });

  it('says exactly what is missing when the verified machine has been started again', async () => {
    const { t, sim, layer, base } = world;
    const { task, where, machine: { vmName }, ready } = await startReadyVersion(t, layer, base._id, '2026-12');
    // Someone starts the machine again in the portal before Finalize is clicked.
    const connector = (await t.bot.services.repos.connectors.get(layer.connectorId))!;
    await t.bot.services.azure.session(connector).machines.startVm(vmName);
    const told = ephemeralsTo(t, 'UADMIN1').length;
    await sim.clickInMessage('UADMIN1', ready.args, TASK_ACTIONS.finalize, { value: task._id, channel: where.channel });
    await whenSlackShows(t.slack, 'an ephemeral to UADMIN1', () => (ephemeralsTo(t, 'UADMIN1').length > told ? true : undefined), 5_000);
    expect(ephemeralsTo(t, 'UADMIN1').at(-1)).toContain(`the packaging machine ${vmName} is running, not deallocated`);
    expect((await t.bot.services.repos.versions.findOne({ name: '2026-12', layerId: layer._id }))?.status).toBe('ready-to-finalize');
  });
});
