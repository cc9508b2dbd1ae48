/**
 * The seed's main path, end to end against the strict simulator: a person (the simulator's
 * `portal-user`, with their own role assignments) opens the portal link, the portal deploys the
 * template the bot wrote, and the bot takes the machine from there: Shutdown for Finalize,
 * Finalize, deployable, nothing left; or Cancel, nothing left. The template carries the
 * connector's Packaging machine access (public: an NSG and a public IP). With the default
 * resource-group template scope it deploys into the resource group the person picks, with rights
 * there only; with the subscription scope it lands in the connector's resource group whatever is
 * picked, and ARM refuses it to a person who is Contributor on one resource group only.
 */
import { ResourceManagementClient } from '@azure/arm-resources';
import { ClientSecretCredential } from '@azure/identity';
import { TEMPLATES_CONTAINER } from '../../src/workflow/publish.js';
import { simulatorClientOptions, simulatorCredentialOptions } from '../../src/sandbox/azure/client-options.js';
import { deployTemplateLikePortal, type PortalChoices, type PortalOutcome } from '../../src/sandbox/azure/portal-deployment.js';
import { SimulatorControl } from '../../src/sandbox/azure/control-client.js';
import { SANDBOX_CONNECTOR_NAME } from '../../src/sandbox/simulated-connector.js';
import { withExtraRoles } from '../support/stand-ins.js';
import type { TestBot } from '../support/bot.js';
import { useSandboxWorld } from '../support/world.js';
import type { SlackClientSim } from '../support/interactions.js';
import type { RecordedCall } from '../../src/sandbox/slack/web-api.js';
import { sandboxContents, startVersion, taggedWith, textOf, waitForStatus, waitForThread, type StartedVersion } from '../support/ready-to-finalize.js';
import { TASK_ACTIONS } from '../../views/task-message.js';
import type { LayerVersion, MachineAccess, OsLayer, PortalTemplateScope } from '../../src/domain/model.js';

let t: TestBot;
let sim: SlackClientSim;
let layer: OsLayer;
let base: LayerVersion;
useSandboxWorld((w) => ({ t, sim, layer, base } = w));

const inventory = () => t.bot.sandbox!.simulator.inventory();

/** Runs `work` with the sandbox connector's Packaging machine access set to `access`, then puts it back to private. */
async function withAccess(access: MachineAccess, work: () => Promise<void>): Promise<void> {
  const { repos } = t.bot.services;
  const connector = (await repos.connectors.findOne({ name: SANDBOX_CONNECTOR_NAME }))!;
  await repos.connectors.update(connector._id, { machineAccess: access });
  try {
    await work();
  } finally {
    await repos.connectors.update(connector._id, { machineAccess: { mode: 'private' } });
  }
}

const PUBLIC: MachineAccess = { mode: 'public', allowedCidrs: ['203.0.113.0/24'] };
/** What a machine with public access is made of, by type. */
const PUBLIC_MACHINE = [
  'Microsoft.Compute/disks',
  'Microsoft.Compute/virtualMachines',
  'Microsoft.Network/networkInterfaces',
  'Microsoft.Network/networkSecurityGroups',
  'Microsoft.Network/publicIPAddresses',
];

/** Runs `work` with the sandbox connector's Portal template scope set to `scope`, then puts the default back. */
async function withScope(scope: PortalTemplateScope, work: () => Promise<void>): Promise<void> {
  const { repos } = t.bot.services;
  const connector = (await repos.connectors.findOne({ name: SANDBOX_CONNECTOR_NAME }))!;
  await repos.connectors.update(connector._id, { portalTemplateScope: scope });
  try {
    await work();
  } finally {
    await repos.connectors.update(connector._id, { portalTemplateScope: 'resource-group' });
  }
}

/** What the portal does with the Create Packaging Machine link: download the template and deploy it (into the connector's resource group unless told). */
async function portalDeploys(started: StartedVersion, choices: PortalChoices = { resourceGroup: t.bot.sandbox!.simulator.resourceGroup }): Promise<PortalOutcome> {
  const { repos, azure } = t.bot.services;
  const version = (await repos.versions.get(started.version._id))!;
  expect(version.portalLink?.url).toContain(encodeURIComponent(`/${TEMPLATES_CONTAINER}/`));
  const connector = (await repos.connectors.get(version.connectorId))!;
  const blobs = await azure.session(connector).blobs();
  const templateUrl = await blobs.readSasUrl({ container: TEMPLATES_CONTAINER, blob: version.templateBlob!, expiresOn: new Date(Date.now() + 60_000) });
  return deployTemplateLikePortal(t.bot.sandbox!.simulator, templateUrl, choices);
}

/** Shutdown for Finalize, then Finalize, on the task message, until the version is deployable. */
async function shutDownAndFinalize({ task, where }: StartedVersion, actionRequired: RecordedCall): Promise<void> {
  await sim.clickInMessage('UADMIN1', actionRequired.args, TASK_ACTIONS.shutdownForFinalize, { value: task._id, channel: where.channel });
  const ready = await waitForStatus(t, where.ts, 'ready-to-finalize', 60_000);
  await sim.clickInMessage('UADMIN1', ready.args, TASK_ACTIONS.finalize, { value: task._id, channel: where.channel });
  await waitForStatus(t, where.ts, 'deployable', 60_000);
}

async function deployFromPortalLink(started: StartedVersion, choices?: PortalChoices): Promise<void> {
  expect(await portalDeploys(started, choices)).toMatchObject({ submitted: { status: 201 }, provisioningState: 'Succeeded' });
}

describe('the portal path (Create Packaging Machine) on the strict simulator', () => {
  it('deploys the template (private access: no public IP, no NSG), then Shutdown for Finalize and Finalize make the version deployable and leave nothing behind', async () => {
    const before = await sandboxContents(t);
    const started = await startVersion(t, layer, base._id, '2028-01');
    const { task, where } = started;
    const actionRequired = await waitForStatus(t, where.ts, 'action-required');
    await deployFromPortalLink(started);
    expect((await taggedWith(inventory, task._id)).map((line) => line.split(' ')[0]).sort()).toEqual([
      'Microsoft.Compute/disks',
      'Microsoft.Compute/virtualMachines',
      'Microsoft.Network/networkInterfaces',
    ]);

    await shutDownAndFinalize(started, actionRequired);
    expect(await taggedWith(inventory, task._id)).toEqual([]);
    const after = await sandboxContents(t);
    expect(after.resources).toEqual(before.resources);
  }, 120_000);

  it('Cancel after the portal deployment (public access) deletes the machine with its NIC and public IP, its NSG and its disk', async () => {
    await withAccess(PUBLIC, async () => {
      const before = await sandboxContents(t);
      const started = await startVersion(t, layer, base._id, '2028-02');
      const { task, where } = started;
      const actionRequired = await waitForStatus(t, where.ts, 'action-required', 60_000);
      await deployFromPortalLink(started);
      expect((await taggedWith(inventory, task._id)).map((line) => line.split(' ')[0]).sort()).toEqual(PUBLIC_MACHINE);

      await sim.clickInMessage('UADMIN1', actionRequired.args, TASK_ACTIONS.cancel, { value: task._id, channel: where.channel });
      await waitForStatus(t, where.ts, 'cancelled', 60_000);
      const deleted = await waitForThread(t, where.ts, 'Cancelled. Deleted');
      expect(deleted).toMatch(/machine 2028-02-packaging \(with its network interface and public IP, if it had one\)/);
      expect(deleted).toContain('network security group 2028-02-packaging-nsg');
      expect(await taggedWith(inventory, task._id)).toEqual([]);
      expect(await sandboxContents(t)).toEqual(before);
    });
  }, 120_000);

  it('runs the same with Shared Key off on the storage account: the OS disk is uploaded under Entra ID, the portal only attaches it, nothing is left', async () => {
    const simulator = t.bot.sandbox!.simulator;
    const control = new SimulatorControl(simulator);
    await control.setSharedKeyAccess(simulator.storageAccount, false);
    try {
      const before = await sandboxContents(t);
      const counted = (await control.storage(simulator.storageAccount)).requests;
      const started = await startVersion(t, layer, base._id, '2028-06');
      const { task, where } = started;
      const actionRequired = await waitForStatus(t, where.ts, 'action-required', 60_000);
      await deployFromPortalLink(started);
      await sim.clickInMessage('UADMIN1', actionRequired.args, TASK_ACTIONS.shutdownForFinalize, { value: task._id, channel: where.channel });
      const ready = await waitForStatus(t, where.ts, 'ready-to-finalize', 60_000);
      await sim.clickInMessage('UADMIN1', ready.args, TASK_ACTIONS.finalize, { value: task._id, channel: where.channel });
      await waitForStatus(t, where.ts, 'deployable', 60_000);
      expect(await taggedWith(inventory, task._id)).toEqual([]);
      expect((await sandboxContents(t)).resources).toEqual(before.resources);
      const used = (await control.storage(simulator.storageAccount)).requests;
      expect([used.sharedKey - counted.sharedKey, used.keySas - counted.keySas]).toEqual([0, 0]);
    } finally {
      await control.setSharedKeyAccess(simulator.storageAccount, true);
    }
  }, 120_000);

  it("with the subscription scope, lands the machine in the connector's resource group when the portal user picks another one, and the workflow still ends with nothing left", async () => {
    const simulator = t.bot.sandbox!.simulator;
    const elsewhere = 'portal-picked-elsewhere';
    const credential = new ClientSecretCredential(simulator.tenantId, simulator.clientId, simulator.clientSecret, simulatorCredentialOptions(simulator));
    // Making the resource group is an admin's doing: the app holds no right to create one.
    await withExtraRoles(new SimulatorControl(simulator), simulator.clientId, [{ role: 'Contributor', scope: `/subscriptions/${simulator.subscriptionId}` }], async () => {
      await new ResourceManagementClient(credential, simulator.subscriptionId, simulatorClientOptions(simulator)).resourceGroups.createOrUpdate(elsewhere, {
        location: simulator.location,
      });
    });
    await withScope('subscription', () => withAccess(PUBLIC, async () => {
      const before = await sandboxContents(t);
      const started = await startVersion(t, layer, base._id, '2028-03');
      const { task, where } = started;
      const actionRequired = await waitForStatus(t, where.ts, 'action-required');
      await deployFromPortalLink(started, { resourceGroup: elsewhere, location: simulator.location });
      const made = (await inventory()).filter((resource) => resource.tags['oslayer-task'] === task._id);
      expect(made.map((resource) => resource.type).sort()).toEqual(PUBLIC_MACHINE);
      for (const resource of made) expect(resource.id).toContain(`/resourceGroups/${simulator.resourceGroup}/`);
      expect((await inventory()).filter((resource) => resource.id.toLowerCase().includes(`/resourcegroups/${elsewhere}/`))).toEqual([]);

      await shutDownAndFinalize(started, actionRequired);
      expect(await taggedWith(inventory, task._id)).toEqual([]);
      expect((await sandboxContents(t)).resources).toEqual(before.resources);
    }));
  }, 120_000);
});

describe('a portal user who is Contributor on the connector\'s resource group only', () => {
  const control = () => new SimulatorControl(t.bot.sandbox!.simulator);

  /** Runs `work` with portal-user holding Contributor on the connector's resource group and nothing else, then restores them. */
  async function asGroupContributor(work: () => Promise<void>): Promise<void> {
    const simulator = t.bot.sandbox!.simulator;
    const before = (await control().principals()).find((p) => p.name === 'portal-user')!;
    await control().setRoleAssignments('portal-user', [{ role: 'Contributor', scope: `/subscriptions/${simulator.subscriptionId}/resourceGroups/${simulator.resourceGroup}` }]);
    try {
      await work();
    } finally {
      await control().setRoleAssignments('portal-user', before.roleAssignments);
    }
  }

  it('deploys the resource-group-scope template (Action Required said so), and the workflow ends deployable with nothing left', async () => {
    await asGroupContributor(async () => {
      const before = await sandboxContents(t);
      const started = await startVersion(t, layer, base._id, '2028-04');
      const { task, where } = started;
      const actionRequired = await waitForStatus(t, where.ts, 'action-required');
      expect(textOf(actionRequired)).toContain(
        'The link deploys with your own Azure rights into the resource group you pick in the portal: you need Microsoft.Resources/deployments/write there and the rights to create the machine, its disk and NIC (Contributor on that resource group gives both).',
      );
      await deployFromPortalLink(started);

      await shutDownAndFinalize(started, actionRequired);
      expect(await taggedWith(inventory, task._id)).toEqual([]);
      expect((await sandboxContents(t)).resources).toEqual(before.resources);
    });
  }, 120_000);

  it("is refused the subscription-scope template with ARM's error, which Action Required had warned about", async () => {
    const simulator = t.bot.sandbox!.simulator;
    await withScope('subscription', () => asGroupContributor(async () => {
      const before = await sandboxContents(t);
      const started = await startVersion(t, layer, base._id, '2028-05');
      const { task, where } = started;
      const actionRequired = await waitForStatus(t, where.ts, 'action-required');
      expect(textOf(actionRequired)).toContain(
        `you need Microsoft.Resources/deployments/write on the whole subscription ${simulator.subscriptionId} (Contributor on the subscription, for example; Contributor on one resource group is not enough)`,
      );
      const portalUser = (await control().principals()).find((p) => p.name === 'portal-user')!;
      const published = await taggedWith(inventory, task._id);
      const outcome = await portalDeploys(started, { location: simulator.location, deploymentName: 'Microsoft.Template-2028-05' });
      expect(outcome.submitted.status).toBe(403);
      expect(outcome.error).toEqual({
        code: 'AuthorizationFailed',
        message: `The client 'portal-user' with object id '${portalUser.objectId}' does not have authorization to perform action 'Microsoft.Resources/deployments/write' over scope '/subscriptions/${simulator.subscriptionId}/providers/Microsoft.Resources/deployments/Microsoft.Template-2028-05' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
      });
      // Refused before anything was created.
      expect(await taggedWith(inventory, task._id)).toEqual(published);

      await sim.clickInMessage('UADMIN1', actionRequired.args, TASK_ACTIONS.cancel, { value: task._id, channel: where.channel });
      await waitForStatus(t, where.ts, 'cancelled', 60_000);
      await waitForThread(t, where.ts, 'Cancelled. Deleted');
      expect(await sandboxContents(t)).toEqual(before);
    }));
  }, 120_000);
});
