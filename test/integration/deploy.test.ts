import { LAYER_TAG, TASK_TAG, VERSION_TAG } from '../../src/azure/machine-spec.js';
import { TEMPLATES_CONTAINER } from '../../src/workflow/publish.js';
import type { TestBot } from '../support/bot.js';
import { useTaskButtons } from '../support/world.js';
import { ADMIN, CHANNEL, READER, type TaskButtons } from '../support/task-buttons.js';
import { TASK_ACTIONS } from '../../views/task-message.js';

let t: TestBot;
let ui: TaskButtons;
useTaskButtons((world) => ({ t, ui } = world));

interface TemplateResource {
  type: string;
  name: string;
  tags: Record<string, string>;
  properties: { hardwareProfile?: { vmSize: string } };
}

describe('Deploy for me', () => {
  it('creates the packaging machine the template describes, tagged with the task, once however often it is clicked', async () => {
    const v = await ui.publish('deploy-1');
    const since = ui.mark();

    await ui.click(READER, v, TASK_ACTIONS.deployForMe);
    await ui.waitForEphemeral(READER, /can't create the packaging machine: it needs the Manage OS Layers or Administrator role/, since);

    const beforeMachine = ui.message(v).blocks;
    await Promise.all([ui.click(ADMIN, v, TASK_ACTIONS.deployForMe), ui.click(ADMIN, v, TASK_ACTIONS.deployForMe)]);
    await ui.waitForEphemeral(ADMIN, /already being created|already exists/, since);
    await ui.waitForThread(v, /`deploy-1` is created and starting/, 30_000);
    // Once the watch sees the machine the message stops offering Deploy for me; an older copy of it still can.
    await ui.waitForMessage(v, (json) => !json.includes(TASK_ACTIONS.deployForMe) && !json.includes(TASK_ACTIONS.createMachine), 30_000);
    await ui.sim.clickInMessage(ADMIN, { blocks: beforeMachine }, TASK_ACTIONS.deployForMe, { value: v.taskId, channel: CHANNEL });
    await ui.waitForEphemeral(ADMIN, /The packaging machine `deploy-1` already exists/, since);
    expect(ui.threadTexts(v).filter((text) => text.includes('asked me to create'))).toHaveLength(1);

    // Private access, the connector's default: no public IP, no NSG.
    const resources = await ui.resourcesOf(v);
    expect(resources.map((r) => r.type).sort()).toEqual([
      'Microsoft.Compute/disks',
      'Microsoft.Compute/virtualMachines',
      'Microsoft.Network/networkInterfaces',
    ]);
    const layerName = (await t.bot.services.repos.layers.get((await t.bot.services.repos.versions.get(v.versionId))!.layerId))!.name;
    for (const r of resources) expect(r.tags).toMatchObject({ [TASK_TAG]: v.taskId, [LAYER_TAG]: layerName, [VERSION_TAG]: 'deploy-1' });

    // The portal template describes this very machine.
    const version = (await t.bot.services.repos.versions.get(v.versionId))!;
    const connector = (await t.bot.services.repos.connectors.get(version.connectorId))!;
    const blobs = await t.bot.services.azure.session(connector).blobs();
    const templateUrl = await blobs.readSasUrl({ container: TEMPLATES_CONTAINER, blob: version.templateBlob!, expiresOn: new Date(Date.now() + 60_000) });
    // Resource-group scope (the default Portal template scope): the machine's resources themselves.
    const template = (await ui.control.request('GET', templateUrl)).body as { parameters: Record<string, { defaultValue: string }>; resources: TemplateResource[] };
    const disk = resources.find((r) => r.type === 'Microsoft.Compute/disks')!;
    // It attaches the very disk Publish prepared, which Deploy for me attached.
    const templateVm = template.resources.find((r) => r.type === 'Microsoft.Compute/virtualMachines') as unknown as {
      properties: { storageProfile: { osDisk: { managedDisk: { id: string } } } };
    };
    expect(templateVm.properties.storageProfile.osDisk.managedDisk.id.toLowerCase()).toBe(disk.id.toLowerCase());
    expect(template.parameters.vmName!.defaultValue).toBe('deploy-1');
    expect(template.parameters.vmSize!.defaultValue).toBe(connector.vmSize);
    expect(version.packagingMachine).toMatchObject({ name: 'deploy-1', vmId: expect.stringContaining('/virtualMachines/deploy-1') });
    expect(version.status).toBe('action-required');
  }, 120_000);

  it('reports a failed deployment, leaves nothing behind, and can be tried again', async () => {
    const v = await ui.publish('deploy-2');
    await ui.control.setFaults([{ method: 'PUT', pathPattern: 'virtualMachines/deploy-2$', status: 409, code: 'SkuNotAvailable', times: 1 }]);
    const since = ui.mark();

    await ui.click(ADMIN, v, TASK_ACTIONS.deployForMe);
    const told = await ui.waitForEphemeral(ADMIN, /Creating the packaging machine failed/, since, 30_000);
    expect(told).toContain('SkuNotAvailable');
    expect(told).toContain('click *Deploy for me* to try again');
    await ui.waitForThread(v, /<@UADMIN1> Creating the packaging machine failed/);
    // Nothing the attempt made; only the OS disk Publish prepared, which the next try attaches.
    expect(await ui.resourcesOf(v)).toEqual([expect.objectContaining({ type: 'Microsoft.Compute/disks', name: 'deploy-2-osdisk' })]);
    expect((await t.bot.services.repos.versions.get(v.versionId))?.status).toBe('action-required');

    await ui.deploy(v);
    expect((await ui.vm(v))?.powerState).toBe('running');
  }, 120_000);
});
