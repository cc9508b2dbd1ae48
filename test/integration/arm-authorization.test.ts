/**
 * Azure RBAC as the ARM simulator enforces it (sources: test/fixtures/arm/SOURCES.md, "Azure RBAC
 * in the simulator"): operations named as ARM names them, role definitions from Microsoft's
 * built-in roles, wildcards and scope inheritance, the linked checks on what a request
 * references, refusals in ARM's words, the permissions API, and the principals control API.
 */
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { ClientSecretCredential } from '@azure/identity';
import { AZURITE_KEY } from '../../src/sandbox/azure/azurite.js';
import { startArmSimulator, type RunningArmSimulator } from '../../src/sandbox/azure/index.js';
import { simulatorClientOptions, simulatorCredentialOptions } from '../../src/sandbox/azure/client-options.js';
import { SimulatorControl } from '../../src/sandbox/azure/control-client.js';
import type { PrincipalView } from '../../src/sandbox/azure/authorization/principals.js';
import { deployTemplateLikePortal } from '../../src/sandbox/azure/portal-deployment.js';
import { blobEndpoint } from '../support/stand-ins.js';

let sim: RunningArmSimulator;
let control: SimulatorControl;
let bearer: string;
let app: PrincipalView;
let group: string;

beforeAll(async () => {
  sim = await startArmSimulator({ blobEndpoint: blobEndpoint(), blobAccountKey: AZURITE_KEY });
  control = new SimulatorControl(sim);
  const credential = new ClientSecretCredential(sim.tenantId, sim.clientId, sim.clientSecret, simulatorCredentialOptions(sim));
  bearer = (await credential.getToken('https://management.azure.com/.default'))!.token;
  app = (await control.principals()).find((p) => p.clientId === sim.clientId)!;
  group = `/subscriptions/${sim.subscriptionId}/resourceGroups/${sim.resourceGroup}`;
});

afterAll(async () => {
  await sim?.stop();
});

afterEach(async () => {
  await control.setRoleAssignments(app.objectId, app.roleAssignments);
});

const vmPath = (name: string) => `${group}/providers/Microsoft.Compute/virtualMachines/${name}?api-version=2024-07-01`;
/** A VM whose NIC is created inline in the packaging subnet; ARM authorizes before the body is validated. */
const inlineNicVm = () => ({
  location: sim.location,
  properties: {
    networkProfile: {
      networkApiVersion: '2020-11-01',
      networkInterfaceConfigurations: [{ name: 'nic', properties: { ipConfigurations: [{ name: 'ip', properties: { subnet: { id: sim.subnetId } } }] } }],
    },
  },
});

describe('ARM authorization in the simulator', () => {
  it('lists the app and portal-user, the app holding what the README asks for', async () => {
    const principals = await control.principals();
    expect(principals.map((p) => p.name)).toEqual(['oslayer', 'portal-user']);
    expect(app.roleAssignments).toContainEqual({ role: 'Virtual Machine Contributor', scope: group });
    expect(app.roleAssignments).toContainEqual({ role: 'Reader', scope: `/subscriptions/${sim.subscriptionId}` });
  });

  it("refuses an operation no role grants with 403 AuthorizationFailed in ARM's words", async () => {
    await control.setRoleAssignments(sim.clientId, [{ role: 'Reader', scope: `/subscriptions/${sim.subscriptionId}` }]);
    const answer = await control.request('PUT', vmPath('denied'), { bearer, body: inlineNicVm() });
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual({
      error: {
        code: 'AuthorizationFailed',
        message: `The client '${sim.clientId}' with object id '${app.objectId}' does not have authorization to perform action 'Microsoft.Compute/virtualMachines/write' over scope '${group}/providers/Microsoft.Compute/virtualMachines/denied' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
      },
    });
  });

  it('refuses a VM whose inline NIC joins a subnet the client may not join with 403 LinkedAuthorizationFailed', async () => {
    const vmOnly = { name: 'VMs without network joins', actions: ['Microsoft.Compute/virtualMachines/*', 'Microsoft.Network/networkInterfaces/*'] };
    await control.setRoleAssignments(sim.clientId, [{ role: vmOnly, scope: group }]);
    const answer = await control.request('PUT', vmPath('linked'), { bearer, body: inlineNicVm() });
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual({
      error: {
        code: 'LinkedAuthorizationFailed',
        message: `The client '${sim.clientId}' with object id '${app.objectId}' has permission to perform action 'Microsoft.Compute/virtualMachines/write' on scope '${group}/providers/Microsoft.Compute/virtualMachines/linked'; however, it does not have permission to perform action 'Microsoft.Network/virtualNetworks/subnets/join/action' on the linked scope(s) '${sim.subnetId}' or the linked scope(s) are invalid.`,
      },
    });
  });

  it('inherits a subscription assignment down to resources, and reads wildcards as ARM does', async () => {
    await control.setRoleAssignments(sim.clientId, [{ role: 'Reader', scope: `/subscriptions/${sim.subscriptionId}` }]);
    // Reader's star-slash-read reaches a resource in a resource group: not found, not forbidden.
    expect((await control.request('GET', vmPath('absent'), { bearer })).status).toBe(404);
    await control.setRoleAssignments(sim.clientId, [{ role: 'Contributor', scope: group }]);
    expect((await control.request('GET', vmPath('absent'), { bearer })).status).toBe(404);
    // Virtual Machine Contributor's Microsoft.Compute/virtualMachines/* does not reach a disk's Grant Access.
    await control.setRoleAssignments(sim.clientId, [{ role: 'Virtual Machine Contributor', scope: group }]);
    const grant = await control.request('POST', `${group}/providers/Microsoft.Compute/disks/any/beginGetAccess?api-version=2024-03-02`, { bearer, body: { access: 'Read', durationInSeconds: 60 } });
    expect(grant.status).toBe(403);
    expect((grant.body as { error: { message: string } }).error.message).toContain("perform action 'Microsoft.Compute/disks/beginGetAccess/action'");
    // Nothing assigned on the resource group reaches above it.
    expect((await control.request('GET', `/subscriptions/${sim.subscriptionId}/providers/Microsoft.Compute/skus?api-version=2021-07-01`, { bearer })).status).toBe(403);
  });

  it("answers the permissions API with the caller's role permissions at and above the scope", async () => {
    const authorization = new AuthorizationManagementClient(
      new ClientSecretCredential(sim.tenantId, sim.clientId, sim.clientSecret, simulatorCredentialOptions(sim)),
      sim.subscriptionId,
      simulatorClientOptions(sim),
    );
    await control.setRoleAssignments(sim.clientId, [
      { role: 'Reader', scope: `/subscriptions/${sim.subscriptionId}` },
      { role: { name: 'disk export', actions: ['Microsoft.Compute/disks/beginGetAccess/action'] }, scope: group },
      { role: 'Storage Blob Delegator', scope: `${group}/providers/Microsoft.Storage/storageAccounts/${sim.storageAccount}` },
    ]);
    const atGroup = [];
    for await (const permission of authorization.permissions.listForResourceGroup(sim.resourceGroup)) atGroup.push(permission);
    expect(atGroup).toEqual([
      { actions: ['*/read'], notActions: [], dataActions: [], notDataActions: [] },
      { actions: ['Microsoft.Compute/disks/beginGetAccess/action'], notActions: [], dataActions: [], notDataActions: [] },
    ]);
    const atBlobService = [];
    for await (const permission of authorization.permissions.listForResource(sim.resourceGroup, 'Microsoft.Storage', `storageAccounts/${sim.storageAccount}`, 'blobServices', 'default')) {
      atBlobService.push(permission.actions);
    }
    expect(atBlobService).toEqual([['*/read'], ['Microsoft.Compute/disks/beginGetAccess/action'], ['Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action']]);
  });

  it('checks each resource of a template against the deploying client, as ARM preflight does', async () => {
    const portalUser = (await control.principals()).find((p) => p.name === 'portal-user')!;
    const onlyDeployments = { name: 'deployments only', actions: ['Microsoft.Resources/deployments/*'] };
    await control.setRoleAssignments('portal-user', [{ role: onlyDeployments, scope: group }]);
    try {
      const template = {
        $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
        contentVersion: '1.0.0.0',
        resources: [{ type: 'Microsoft.Compute/virtualMachines', apiVersion: '2024-07-01', name: 'from-template', location: sim.location, properties: {} }],
      };
      const outcome = await deployTemplateLikePortal(sim, template, { resourceGroup: sim.resourceGroup });
      expect(outcome.submitted.status).toBe(400);
      expect(outcome.error).toEqual({
        code: 'InvalidTemplateDeployment',
        message: `The template deployment failed with error: 'Authorization failed for template resource 'from-template' of type 'Microsoft.Compute/virtualMachines'. The client 'portal-user' with object id '${portalUser.objectId}' does not have permission to perform action 'Microsoft.Compute/virtualMachines/write' at scope '${group}/providers/Microsoft.Compute/virtualMachines/from-template'.'.`,
      });
    } finally {
      await control.setRoleAssignments('portal-user', portalUser.roleAssignments);
    }
  });

  it('refuses a role it does not know as ARM does', async () => {
    const answer = await control.request('PUT', `/_simulator/principals/${sim.clientId}`, { body: { roleAssignments: [{ role: 'Disk Wizard', scope: group }] } });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: { code: 'RoleDefinitionDoesNotExist', message: "The specified role definition with ID 'Disk Wizard' does not exist." } });
  });
});
