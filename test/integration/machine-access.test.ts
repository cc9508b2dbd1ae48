/**
 * Packaging machine access: private by default (no public IP; the message gives the private IP
 * and, since the sandbox's VNet has Azure Bastion, a portal link through it), or public limited
 * to CIDR ranges (a Standard public IP and an NSG on the NIC allowing RDP from those ranges
 * only). Whatever was made is deleted on Cancel: nothing tagged with the task stays, NSGs included.
 */
import { NetworkManagementClient } from '@azure/arm-network';
import { ClientSecretCredential } from '@azure/identity';
import type { ArmTemplate } from '../../src/azure/machine-spec.js';
import { TEMPLATES_CONTAINER } from '../../src/workflow/publish.js';
import { simulatorClientOptions, simulatorCredentialOptions } from '../../src/sandbox/azure/client-options.js';
import { SANDBOX_CONNECTOR_NAME } from '../../src/sandbox/simulated-connector.js';
import { TASK_ACTIONS } from '../../views/task-message.js';
import type { TestBot } from '../support/bot.js';
import { useTaskButtons } from '../support/world.js';
import { ADMIN, type TaskButtons, type PublishedVersion } from '../support/task-buttons.js';

let t: TestBot;
let ui: TaskButtons;
useTaskButtons((world) => ({ t, ui } = world));

const typesOf = async (v: PublishedVersion) => (await ui.resourcesOf(v)).map((r) => r.type).sort();

/** Cancel, and what its thread says it deleted; nothing tagged with the task is left. */
async function cancelAndExpectNothingLeft(v: PublishedVersion): Promise<string> {
  await ui.click(ADMIN, v, TASK_ACTIONS.cancel);
  const deleted = await ui.waitForThread(v, /Cancelled\. Deleted/, 30_000);
  expect(await ui.resourcesOf(v)).toEqual([]);
  return deleted;
}

describe('packaging machine access', () => {
  it('is private by default: no public IP or NSG, and the message says how to connect (private IP, Bastion)', async () => {
    const v = await ui.publish('private-1');
    await ui.deploy(v);
    expect(await typesOf(v)).toEqual(['Microsoft.Compute/disks', 'Microsoft.Compute/virtualMachines', 'Microsoft.Network/networkInterfaces']);
    const message = await ui.waitForMessage(v, (text) => text.includes('*Connect:*'), 30_000);
    expect(message).toMatch(/private IP `10\.42\.1\.\d+` \(from your network or VPN\)/);
    expect(message).not.toContain('public IP `');
    const sim = t.bot.sandbox!.simulator;
    expect(message).toContain(`/resource/subscriptions/${sim.subscriptionId}/resourceGroups/${sim.resourceGroup}/providers/Microsoft.Compute/virtualMachines/private-1/bastionHost|Connect through Azure Bastion>`);
    await cancelAndExpectNothingLeft(v);
  }, 90_000);

  it('public, limited to CIDR ranges: an NSG allowing RDP from those ranges only, in the template and Deploy for me, deleted on Cancel', async () => {
    const { repos } = t.bot.services;
    const connector = (await repos.connectors.findOne({ name: SANDBOX_CONNECTOR_NAME }))!;
    const allowedCidrs = ['203.0.113.0/24', '198.51.100.7'];
    await repos.connectors.update(connector._id, { machineAccess: { mode: 'public', allowedCidrs } });
    try {
      const v = await ui.publish('public-1');
      const version = (await repos.versions.get(v.versionId))!;
      const blobs = await t.bot.services.azure.session({ ...connector, machineAccess: { mode: 'public', allowedCidrs } }).blobs();
      const templateUrl = await blobs.readSasUrl({ container: TEMPLATES_CONTAINER, blob: version.templateBlob!, expiresOn: new Date(Date.now() + 60_000) });
      const template = (await ui.control.request('GET', templateUrl)).body as ArmTemplate;
      // The resource-group-scope template (the default Portal template scope) holds the machine's resources themselves.
      const templateNsg = template.resources.find((r) => r.type === 'Microsoft.Network/networkSecurityGroups');
      expect(templateNsg?.name).toBe('public-1-nsg');

      await ui.deploy(v);
      expect(await typesOf(v)).toEqual([
        'Microsoft.Compute/disks',
        'Microsoft.Compute/virtualMachines',
        'Microsoft.Network/networkInterfaces',
        'Microsoft.Network/networkSecurityGroups',
        'Microsoft.Network/publicIPAddresses',
      ]);
      const sim = t.bot.sandbox!.simulator;
      const credential = new ClientSecretCredential(sim.tenantId, sim.clientId, sim.clientSecret, simulatorCredentialOptions(sim));
      const network = new NetworkManagementClient(credential, sim.subscriptionId, simulatorClientOptions(sim));
      const nsg = await network.networkSecurityGroups.get(sim.resourceGroup, 'public-1-nsg');
      expect(nsg.securityRules).toEqual([
        expect.objectContaining({ access: 'Allow', direction: 'Inbound', protocol: 'Tcp', destinationPortRange: '3389', sourceAddressPrefixes: allowedCidrs }),
      ]);
      // Deploy for me built the NSG the template describes.
      expect(templateNsg?.properties.securityRules).toEqual([
        { name: nsg.securityRules![0]!.name, properties: expect.objectContaining({ sourceAddressPrefixes: allowedCidrs, destinationPortRange: '3389' }) },
      ]);
      const nic = (await ui.resourcesOf(v)).find((r) => r.type === 'Microsoft.Network/networkInterfaces')!;
      expect((await network.networkInterfaces.get(sim.resourceGroup, nic.name)).networkSecurityGroup?.id).toBe(nsg.id);
      // Azure refuses to delete an NSG a NIC still uses; cleanup deletes the machine first.
      await expect(network.networkSecurityGroups.beginDeleteAndWait(sim.resourceGroup, 'public-1-nsg')).rejects.toMatchObject({
        code: 'InUseNetworkSecurityGroupCannotBeDeleted',
      });

      const message = await ui.waitForMessage(v, (text) => text.includes('*Connect:*'), 30_000);
      expect(message).toMatch(/public IP `20\.81\.\d+\.\d+` \(RDP from the connector's allowed ranges only\)/);
      expect(await cancelAndExpectNothingLeft(v)).toContain('network security group public-1-nsg');
    } finally {
      await repos.connectors.update(connector._id, { machineAccess: undefined });
    }
  }, 90_000);
});
