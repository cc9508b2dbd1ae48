/**
 * The seed's main path, end to end against the strict simulator: the admin opens the portal
 * link, the portal deploys the template the bot wrote (subscription scope, nested deployment
 * into the connector's resource group), and the bot takes the machine from there: Shutdown for
 * Finalize, Finalize, deployable, nothing left; or Cancel, nothing left.
 */
import { TEMPLATES_CONTAINER } from '../../src/workflow/publish.js';
import { deployTemplateLikePortal } from '../../src/azure/simulator/portal-deployment.js';
import type { TestBot } from '../support/bot.js';
import { useSandboxWorld } from '../support/world.js';
import type { SlackClientSim } from '../support/interactions.js';
import { sandboxContents, startVersion, taggedWith, waitForStatus, waitForThread, type StartedVersion } from '../support/ready-to-finalize.js';
import { TASK_ACTIONS } from '../../views/task-message.js';
import type { LayerVersion, OsLayer } from '../../src/domain/model.js';

let t: TestBot;
let sim: SlackClientSim;
let layer: OsLayer;
let base: LayerVersion;
useSandboxWorld((w) => ({ t, sim, layer, base } = w));

const inventory = () => t.bot.sandbox!.simulator.inventory();

/** What the portal does with the Create Packaging Machine link: download the template and deploy it. */
async function deployFromPortalLink(started: StartedVersion): Promise<void> {
  const { repos, azure } = t.bot.services;
  const version = (await repos.versions.get(started.version._id))!;
  expect(version.portalLink?.url).toContain(encodeURIComponent(`/${TEMPLATES_CONTAINER}/`));
  const connector = (await repos.connectors.get(version.connectorId))!;
  const blobs = await azure.session(connector).blobs();
  const templateUrl = await blobs.readSasUrl({ container: TEMPLATES_CONTAINER, blob: version.templateBlob!, expiresOn: new Date(Date.now() + 60_000) });
  const outcome = await deployTemplateLikePortal(t.bot.sandbox!.simulator, templateUrl);
  expect(outcome).toMatchObject({ submitted: { status: 201 }, provisioningState: 'Succeeded' });
}

describe('the portal path (Create Packaging Machine) on the strict simulator', () => {
  it('deploys the template, then Shutdown for Finalize and Finalize make the version deployable and leave nothing behind', async () => {
    const before = await sandboxContents(t);
    const started = await startVersion(t, layer, base._id, '2028-01');
    const { task, where } = started;
    const actionRequired = await waitForStatus(t, where.ts, 'action-required');
    await deployFromPortalLink(started);
    expect((await taggedWith(inventory, task._id)).map((line) => line.split(' ')[0]).sort()).toEqual([
      'Microsoft.Compute/disks',
      'Microsoft.Compute/virtualMachines',
      'Microsoft.Network/networkInterfaces',
      'Microsoft.Network/publicIPAddresses',
    ]);

    await sim.clickInMessage('UADMIN1', actionRequired.args, TASK_ACTIONS.shutdownForFinalize, { value: task._id, channel: where.channel });
    const ready = await waitForStatus(t, where.ts, 'ready-to-finalize', 60_000);
    await sim.clickInMessage('UADMIN1', ready.args, TASK_ACTIONS.finalize, { value: task._id, channel: where.channel });
    await waitForStatus(t, where.ts, 'deployable', 60_000);
    expect(await taggedWith(inventory, task._id)).toEqual([]);
    const after = await sandboxContents(t);
    expect(after.resources).toEqual(before.resources);
  }, 120_000);

  it('Cancel after the portal deployment deletes the machine with its NIC, public IP and disk', async () => {
    const before = await sandboxContents(t);
    const started = await startVersion(t, layer, base._id, '2028-02');
    const { task, where } = started;
    const actionRequired = await waitForStatus(t, where.ts, 'action-required');
    await deployFromPortalLink(started);

    await sim.clickInMessage('UADMIN1', actionRequired.args, TASK_ACTIONS.cancel, { value: task._id, channel: where.channel });
    await waitForStatus(t, where.ts, 'cancelled', 60_000);
    const deleted = await waitForThread(t, where.ts, 'Cancelled. Deleted');
    expect(deleted).toMatch(/machine 2028-02-packaging \(with its network interface and public IP\)/);
    expect(await taggedWith(inventory, task._id)).toEqual([]);
    expect(await sandboxContents(t)).toEqual(before);
  }, 120_000);
});
