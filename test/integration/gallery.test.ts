/**
 * Publishing to Azure Compute Gallery end to end, in the sandbox with its gallery on: Finalize
 * makes an image version excluded from latest and replicated; its creator's Promote is refused
 * under the two-person rule; a second Administrator's Promote makes it latest; Roll back makes the
 * previous one latest again; the audit log shows each step.
 */
import { useSandboxWorld, type SandboxWorld } from '../support/world.js';
import { buttonsOf, ephemeralsTo, startReadyVersion, textOf, waitForEphemeral, waitForMessage, waitForStatus, waitForThread } from '../support/ready-to-finalize.js';
import { SimulatorControl } from '../../src/sandbox/azure/control-client.js';
import { TASK_ACTIONS } from '../../views/task-message.js';
import { ACTION } from '../../views/ids.js';
import { connectorScopes, requiredRoleAssignments } from '../../src/azure/required-permissions.js';
import type { InventoryItem } from '../../src/sandbox/azure/index.js';
import { imageDefinitionFor } from '../../src/domain/gallery.js';
import { randomUUID } from 'node:crypto';

let world: SandboxWorld;
useSandboxWorld((w) => (world = w), { UADMIN2: 'administrator', UMANAGER1: 'manage-os-layers' }, { gallery: true });

function imageVersions(items: InventoryItem[]): Record<string, Pick<InventoryItem, 'excludeFromLatest' | 'replication'>> {
  return Object.fromEntries(
    items.filter((r) => r.type === 'Microsoft.Compute/galleries/images/versions').map((r) => [r.name, { excludeFromLatest: r.excludeFromLatest, replication: r.replication }]),
  );
}

describe('Compute Gallery', () => {
  it('publishes every finalized version excluded from latest, promotes under the two-person rule and rolls back in one confirmed click', async () => {
    const { t, sim, layer, base } = world;
    const simulator = t.bot.sandbox!.simulator;
    await new SimulatorControl(simulator).settings({ replicationMsPerRegion: 300 });
    const inventory = async () => imageVersions(await new SimulatorControl(simulator).inventory());
    // The simulator checks every request against Azure RBAC, and the bot's identity holds exactly the
    // README's roles (the gallery's included): publishing, Promote and Roll back below need no more.
    const connector = (await t.bot.services.repos.connectors.get(layer.connectorId))!;
    const identity = (await new SimulatorControl(simulator).principals()).find((p) => p.clientId === simulator.clientId)!;
    expect(identity.roleAssignments).toEqual(requiredRoleAssignments(connectorScopes(connector)));
    expect(identity.roleAssignments).toContainEqual({ role: 'Compute Gallery Artifacts Publisher', scope: simulator.galleryId });

    // Finalize publishes: the version name maps to an image version, replicated, excluded from latest.
    const first = await startReadyVersion(t, layer, base._id, '2026.11.1');
    await sim.clickInMessage('UADMIN1', first.ready.args, TASK_ACTIONS.finalize, { value: first.task._id, channel: first.where.channel });
    const published = await waitForStatus(t, first.where.ts, 'published', 30_000);
    expect(textOf(published)).toContain('Version *2026.11.1* is image version `2026.11.1` in the Compute Gallery');
    expect(textOf(published)).toContain('*excluded from latest* until someone other than its creator with the Approve Versions permission clicks *Promote*');
    expect(buttonsOf(published)).toEqual(['Promote']);
    expect(await waitForThread(t, first.where.ts, 'replicated to')).toContain(`Image version \`2026.11.1\` replicated to ${simulator.location}.`);
    expect(await waitForThread(t, first.where.ts, '*Gallery:*')).toContain('image version `2026.11.1` (from version name `2026.11.1`)');
    expect(await inventory()).toEqual({ '2026.11.1': { excludeFromLatest: true, replication: [{ region: simulator.location, state: 'Completed', progress: 100 }] } });
    const definition = (await new SimulatorControl(simulator).inventory()).find((r) => r.type === 'Microsoft.Compute/galleries/images');
    expect(definition?.name).toBe('windows-server-2022-demo');

    // The creator may not approve their own version; a Manage OS Layers user holds no Approve Versions.
    await sim.clickInMessage('UADMIN1', published.args, TASK_ACTIONS.promote, { value: first.task._id, channel: first.where.channel });
    expect(await waitForEphemeral(t, 'UADMIN1', 'two-person rule')).toBe(
      "You created version 2026.11.1, and this layer's two-person rule needs someone else with the Approve Versions permission to promote it.",
    );
    await sim.clickInMessage('UMANAGER1', published.args, TASK_ACTIONS.promote, { value: first.task._id, channel: first.where.channel });
    expect(await waitForEphemeral(t, 'UMANAGER1', "can't promote")).toContain('needs the Approver or Administrator role, and you have Manage OS Layers');
    expect((await inventory())['2026.11.1']?.excludeFromLatest).toBe(true);

    // A second Administrator's Promote makes it latest and says who approved, the integrity result and the changelog.
    await sim.clickInMessage('UADMIN2', published.args, TASK_ACTIONS.promote, { value: first.task._id, channel: first.where.channel });
    const approved = await waitForThread(t, first.where.ts, 'approved version');
    expect(approved).toContain('<@UADMIN2> approved version *2026.11.1*: image version `2026.11.1` is now included in latest');
    expect(approved).toContain('created by <@UADMIN1>');
    expect(approved).toContain('*Layer integrity:* clean');
    expect((await inventory())['2026.11.1']?.excludeFromLatest).toBe(false);
    const promoted = await waitForMessage(t, first.where.ts, '*Latest:* promoted by <@UADMIN2>');
    expect(buttonsOf(promoted)).toEqual(['Roll back']);

    // The next version is published beside it and promoted in turn.
    const second = await startReadyVersion(t, layer, base._id, '2026.12.1');
    await sim.clickInMessage('UADMIN1', second.ready.args, TASK_ACTIONS.finalize, { value: second.task._id, channel: second.where.channel });
    const secondPublished = await waitForStatus(t, second.where.ts, 'published', 30_000);
    expect((await inventory())['2026.12.1']?.excludeFromLatest).toBe(true);
    await sim.clickInMessage('UADMIN2', secondPublished.args, TASK_ACTIONS.promote, { value: second.task._id, channel: second.where.channel });
    await waitForThread(t, second.where.ts, 'approved version');
    expect(await inventory()).toMatchObject({ '2026.11.1': { excludeFromLatest: false }, '2026.12.1': { excludeFromLatest: false } });

    // Roll back (its button asks first, in plain text): the previous promoted version is latest again.
    const secondPromoted = await waitForMessage(t, second.where.ts, '*Latest:* promoted by <@UADMIN2>');
    const rollBack = (secondPromoted.args.blocks as Array<{ type: string; elements?: Array<{ action_id: string; confirm?: { text: { type: string; text: string } } }> }>)
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === TASK_ACTIONS.rollBack);
    expect(rollBack?.confirm?.text).toMatchObject({ type: 'plain_text', text: expect.stringContaining('Image version 2026.12.1 is excluded from latest') });
    const told = ephemeralsTo(t, 'UADMIN2').length;
    await sim.clickInMessage('UADMIN2', secondPromoted.args, TASK_ACTIONS.rollBack, { value: second.task._id, channel: second.where.channel });
    expect(await waitForThread(t, second.where.ts, 'rolled back')).toContain(
      '`2026.12.1` (version 2026.12.1) is excluded from latest, and `2026.11.1` (version 2026.11.1) is latest again. Nothing was deleted.',
    );
    expect(await inventory()).toMatchObject({ '2026.11.1': { excludeFromLatest: false }, '2026.12.1': { excludeFromLatest: true } });
    expect(ephemeralsTo(t, 'UADMIN2')).toHaveLength(told);
    // Both image versions are still there: nothing is deleted without a confirm.
    expect(Object.keys(await inventory()).sort()).toEqual(['2026.11.1', '2026.12.1']);

    // The audit log shows each step, with who did it.
    const audit = await t.bot.services.repos.audit.list({ action: { $in: ['version.promote', 'version.roll-back'] } }, { sort: { at: 1 } });
    expect(audit.map((e) => [e.action, e.actor, e.details])).toEqual([
      ['version.promote', 'UADMIN2', { imageVersion: '2026.11.1', policy: 'two-person', createdBy: 'UADMIN1' }],
      ['version.promote', 'UADMIN2', { imageVersion: '2026.12.1', policy: 'two-person', createdBy: 'UADMIN1' }],
      ['version.roll-back', 'UADMIN2', { from: '2026.12.1', to: '2026.11.1', fromVersion: '2026.12.1', toVersion: '2026.11.1' }],
    ]);
    const shown = JSON.stringify(await sim.command('UADMIN1', 'audit 5'));
    expect(shown).toContain('version.promote');
    expect(shown).toContain('version.roll-back');
  }, 120_000);

  it('refuses Finalize before it starts when the version maps to an image version that exists', async () => {
    const { t, sim, layer, base } = world;
    const { task, where, ready } = await startReadyVersion(t, layer, base._id, '2026-11-1');
    await sim.clickInMessage('UADMIN1', ready.args, TASK_ACTIONS.finalize, { value: task._id, channel: where.channel });
    expect(await waitForEphemeral(t, 'UADMIN1', 'already exists')).toBe(
      "Version 2026-11-1 can't be finalized here: image version 2026.11.1 already exists in image definition windows-server-2022-demo (version 2026-11-1 maps to it). Compute does not replace an image version; keep or delete that one, and add this version under another name.",
    );
    expect((await t.bot.services.repos.versions.get(task.versionId))?.status).toBe('ready-to-finalize');
  });

  it('deletes the half-made image version when Compute refuses the source, and says why in its words', async () => {
    const { t, sim, layer: demo, base } = world;
    const { repos, azure } = t.bot.services;
    const simulator = t.bot.sandbox!.simulator;
    // A Generation 2 layer whose image definition an administrator already made by hand, for Generation 1.
    const layer = { ...demo, _id: randomUUID(), name: 'Mismatched Layer', latestVersionId: undefined };
    await repos.layers.insert(layer);
    const layerBase = { ...base, _id: randomUUID(), layerId: layer._id };
    await repos.versions.insert(layerBase);
    const connector = (await repos.connectors.get(layer.connectorId))!;
    await azure.session(connector).gallery.ensureImageDefinition(connector.gallery!.galleryId, connector.location, { ...imageDefinitionFor(layer), hyperVGeneration: 'V1' }, {});

    const { task, where, ready } = await startReadyVersion(t, layer, layerBase._id, '2027.1.1');
    await sim.clickInMessage('UADMIN1', ready.args, TASK_ACTIONS.finalize, { value: task._id, channel: where.channel });
    const failed = await waitForStatus(t, where.ts, 'failed', 30_000);
    expect(textOf(failed)).toContain("has a different Hypervisor generation ['V2'] than the parent gallery image Hypervisor generation ['V1']");
    expect(await waitForThread(t, where.ts, 'half-made')).toBe('Deleted the half-made image version 2027.1.1 of mismatched-layer.');
    expect(imageVersions(await new SimulatorControl(simulator).inventory())['2027.1.1']).toBeUndefined();
    expect((await repos.versions.get(task.versionId))?.galleryImage).toBeUndefined();
  }, 120_000);

  it("lets an Administrator set a layer's gallery policy from /oslayer layers, checked on its inputs and audited", async () => {
    const { t, sim } = world;
    const { repos } = t.bot.services;
    const layer = (await repos.layers.findOne({ name: 'Mismatched Layer' }))!;
    const list = await sim.command('UADMIN1', 'layers');
    // Manage OS Layers is not enough to change who may approve.
    await sim.clickInMessage('UMANAGER1', list, ACTION.layersGallerySettings, { value: layer._id });
    expect(await waitForEphemeral(t, 'UMANAGER1', "change a layer's gallery settings")).toContain('needs the Administrator role');

    await sim.clickInMessage('UADMIN1', list, ACTION.layersGallerySettings, { value: layer._id });
    await t.slack.waitForCall('views.open', (c) => JSON.stringify(c.args.view).includes('Who May Promote'));
    const refused = await sim.submit('UADMIN1', { approval: 'single', endOfLifeDays: '0', approvalExpiryDays: '400', trustedLaunchSupported: 'no' });
    expect(refused).toEqual({
      response_action: 'errors',
      errors: { endOfLifeDays: 'End of life is a whole number of days from 1 to 3650.', approvalExpiryDays: 'The approval request is a whole number of days from 1 to 90.' },
    });
    const saved = await sim.submit('UADMIN1', { approval: 'single', endOfLifeDays: '90', approvalExpiryDays: '3', trustedLaunchSupported: 'yes' });
    expect(JSON.stringify(saved)).toContain('single approver (anyone with Approve Versions, the creator included)');
    expect((await repos.layers.get(layer._id))?.gallery).toEqual({ approval: 'single', endOfLifeDays: 90, approvalExpiryDays: 3, trustedLaunchSupported: true });
    const entry = await repos.audit.findOne({ action: 'layer.gallery-settings', target: `layer:${layer._id}` });
    expect(entry).toMatchObject({ actor: 'UADMIN1', details: { approval: 'single', endOfLifeDays: 90, approvalExpiryDays: 3 } });
  });
});
