/**
 * Least privilege, proven on the strict simulator, which checks every ARM request against role
 * assignments read from Microsoft's built-in role definitions: the connector's identity holding
 * exactly the README's roles (src/azure/required-permissions.ts) runs the whole workflow, and
 * with the disk export permission taken away, Test names what is missing and Finalize fails
 * with a sentence naming the permission and the role, changes nothing, and succeeds on Retry
 * once the role is assigned again.
 */
import { connectorScopes, requiredRoleAssignments } from '../../src/azure/required-permissions.js';
import type { ConnectorConfig } from '../../src/domain/model.js';
import { SANDBOX_CONNECTOR_NAME } from '../../src/sandbox/simulated-connector.js';
import type { PrincipalView } from '../../src/sandbox/azure/authorization/principals.js';
import { connectorTestMessage } from '../../views/connector-list.js';
import { TASK_ACTIONS } from '../../views/task-message.js';
import type { TestBot } from '../support/bot.js';
import { ADMIN, type PublishedVersion, type TaskButtons } from '../support/task-buttons.js';
import { sandboxContents, statusShown } from '../support/ready-to-finalize.js';
import { useTaskButtons } from '../support/world.js';

let t: TestBot;
let ui: TaskButtons;
useTaskButtons((world) => ({ t, ui } = world));

const DISK_EXPORT = 'oslayer Disk Export';

async function sandboxConnector(): Promise<ConnectorConfig> {
  return (await t.bot.services.repos.connectors.findOne({ name: SANDBOX_CONNECTOR_NAME }))!;
}

async function app(): Promise<PrincipalView> {
  return (await ui.control.principals()).find((principal) => principal.clientId === t.bot.sandbox!.simulator.clientId)!;
}

/** Connector Test as the admin reads it: the lines of the message the Test button answers with. */
async function testMessageLines(): Promise<string[]> {
  const connector = await sandboxConnector();
  const results = await t.bot.services.azure.session(connector).runChecks();
  const message = connectorTestMessage(connector.name, results);
  return (message.blocks[1] as { text: { text: string } }).text.text.split('\n');
}

/** The wizard (or Create Version directly), Deploy for me, then Shutdown for Finalize, until the version is ready to finalize. */
async function readyVersion(name: string, through: 'wizard' | 'direct' = 'direct'): Promise<PublishedVersion> {
  const v = through === 'wizard' ? await ui.createThroughWizard(name) : await ui.publish(name);
  await ui.deploy(v);
  await ui.click(ADMIN, v, TASK_ACTIONS.shutdownForFinalize);
  await ui.waitForMessage(v, (text) => text.includes(statusShown('ready-to-finalize')), 60_000);
  return v;
}

describe('without the disk export role', () => {
  it('Test names the missing operations and the role; Finalize fails naming both, changes nothing, and succeeds on Retry once the role is back', async () => {
    const full = (await app()).roleAssignments;
    const withoutExport = full.filter((assignment) => assignment.role !== DISK_EXPORT);
    expect(withoutExport.length).toBe(full.length - 1);
    const clientId = t.bot.sandbox!.simulator.clientId;
    await ui.control.setRoleAssignments(clientId, withoutExport);
    try {
      const lines = await testMessageLines();
      const advice = "assign oslayer Disk Export (custom role: src/azure/roles/oslayer-disk-export.json) on the connector's resource group";
      expect(lines.slice(-2)).toEqual([
        `❌ *Azure role assignments*: missing Microsoft.Compute/disks/beginGetAccess/action: ${advice} (Create Version: Grant Access Write (upload the packaging disk into the machine's OS disk); Finalize: Grant Access Read (export it))`,
        `missing Microsoft.Compute/disks/endGetAccess/action: ${advice} (Create Version and Finalize: Revoke Access)`,
      ]);

      // Create Version uploads the machine's OS disk with the same role: the version is made ready
      // with it, and the role taken away just before Finalize.
      await ui.control.setRoleAssignments(clientId, full);
      const v = await readyVersion('least-2');
      await ui.control.setRoleAssignments(clientId, withoutExport);
      const before = await sandboxContents(t);
      await ui.click(ADMIN, v, TASK_ACTIONS.finalize);
      const failed = await ui.waitForMessage(v, (text) => text.includes(statusShown('failed')), 60_000);
      const disk = (await ui.resourcesOf(v)).find((r) => r.type === 'Microsoft.Compute/disks' && r.name.endsWith('-osdisk'))!;
      expect(failed).toContain(
        `Finalize failed: granting read access to disk ${disk.name}: Azure refused the connector's identity the permission Microsoft.Compute/disks/beginGetAccess/action on ${disk.id}: ${advice} (Create Version: Grant Access Write (upload the packaging disk into the machine's OS disk); Finalize: Grant Access Read (export it)), then Retry (AuthorizationFailed)`,
      );
      expect(failed).toContain('"text":"Retry"');
      expect(await sandboxContents(t)).toEqual(before);

      await ui.control.setRoleAssignments(clientId, full);
      await ui.click(ADMIN, v, TASK_ACTIONS.retry);
      await ui.waitForThread(v, /retried Finalize/);
      await ui.waitForMessage(v, (text) => text.includes(statusShown('deployable')), 60_000);
      expect(await ui.resourcesOf(v)).toEqual([]);
    } finally {
      await ui.control.setRoleAssignments(clientId, full);
    }
  }, 180_000);
});

describe('with a Compute Gallery, without its role on the gallery', () => {
  it("Test reads the gallery's own permissions and names each gallery operation missing with its role", async () => {
    const connector = await sandboxConnector();
    const clientId = t.bot.sandbox!.simulator.clientId;
    const full = (await app()).roleAssignments;
    const galleryRole = full.filter((assignment) => assignment.role === 'Compute Gallery Artifacts Publisher');
    expect(galleryRole).toHaveLength(1);
    const { repos } = t.bot.services;
    await repos.connectors.update(connector._id, { gallery: { galleryId: t.bot.sandbox!.simulator.galleryId, targetRegions: [] } });
    try {
      expect((await testMessageLines()).at(-1)).toMatch(/^✅ \*Azure role assignments\*: the identity holds every permission the bot uses/);
      await ui.control.setRoleAssignments(clientId, full.filter((assignment) => !galleryRole.includes(assignment)));
      const lines = await testMessageLines();
      const advice = "assign Compute Gallery Artifacts Publisher on the connector's Compute Gallery";
      expect(lines.slice(-3)).toEqual([
        `❌ *Azure role assignments*: missing Microsoft.Compute/galleries/images/write: ${advice} (Finalize: create the layer's image definition when the gallery has none)`,
        `missing Microsoft.Compute/galleries/images/versions/write: ${advice} (Finalize: publish the image version; Promote and Roll back: set excludeFromLatest)`,
        `missing Microsoft.Compute/galleries/images/versions/delete: ${advice} (delete a failed Finalize's half-made image version; Clean up (after its confirm))`,
      ]);
    } finally {
      await ui.control.setRoleAssignments(clientId, full);
      await repos.connectors.update(connector._id, { gallery: connector.gallery });
    }
  }, 60_000);
});

// Last: the wizard's version (1 GB, the smallest Max Layer Size it takes) becomes the layer's latest, which later publishes would copy.
describe("the connector's identity with exactly the README's roles", () => {
  it('holds what the role table lists, passes Test, and takes a version from the wizard through Deploy for me and Finalize with nothing left', async () => {
    const connector = await sandboxConnector();
    // The sandbox's identity also holds the gallery role, on the subscription's gallery the sandbox connector may publish to.
    const gallery = { galleryId: t.bot.sandbox!.simulator.galleryId };
    expect((await app()).roleAssignments).toEqual(requiredRoleAssignments(connectorScopes({ ...connector, gallery })));
    const lines = await testMessageLines();
    expect(lines.at(-1)).toMatch(/^✅ \*Azure role assignments\*: the identity holds every permission the bot uses \(\d+ operations\)$/);

    const before = await sandboxContents(t);
    const v = await readyVersion('least-1', 'wizard');
    await ui.click(ADMIN, v, TASK_ACTIONS.finalize);
    await ui.waitForMessage(v, (text) => text.includes(statusShown('deployable')), 60_000);
    expect(await ui.resourcesOf(v)).toEqual([]);
    const after = await sandboxContents(t);
    expect(after.resources).toEqual(before.resources);
  }, 180_000);
});
