import { readFileSync } from 'node:fs';
import { API_VERSIONS } from '../../src/azure/api-versions.js';
import { packagingMachineSpec, toArmTemplate, toDiskBody, type ArmTemplate, type ArmTemplateResource } from '../../src/azure/machine-spec.js';
import { nsgBody } from '../../src/azure/network-access.js';
import { ArmError } from '../../src/sandbox/azure/http.js';
import type { MachineAccess } from '../../src/domain/model.js';
import { validateRequest } from '../../src/sandbox/azure/validation/contracts.js';
import azureApiVersions from '../../src/sandbox/azure/validation/azure-api-versions.json' with { type: 'json' };

const SUB = '00000000-0000-0000-0000-0000000051ab';
const RG = `/subscriptions/${SUB}/resourceGroups/oslayer-sandbox`;
const VM_PATH = `${RG}/providers/Microsoft.Compute/virtualMachines/pkg`;
const DISK_PATH = `${RG}/providers/Microsoft.Compute/disks/pkg-osdisk`;

/** What the provider answers for a PUT/POST of `body` at `apiVersion`: the ArmError's JSON, or 'accepted'. */
function answer(method: string, path: string, apiVersion: string, body: unknown): unknown {
  try {
    validateRequest({ method, path, apiVersion, body: () => body }, 'eastus');
    return 'accepted';
  } catch (error) {
    if (!(error instanceof ArmError)) throw error;
    return { status: error.status, error: error.toDetail() };
  }
}

/** A template resource as ARM sends it to the provider: without the template-only members. */
function bodyOf(resource: ArmTemplateResource): Record<string, unknown> {
  const { type: _type, apiVersion: _apiVersion, name: _name, dependsOn: _dependsOn, ...body } = resource;
  return body;
}

const before = JSON.parse(readFileSync(new URL('../fixtures/arm/packaging-template-before-issue-12.json', import.meta.url), 'utf8')) as ArmTemplate;
const beforeVm = before.resources.find((r) => r.type === 'Microsoft.Compute/virtualMachines')!;

/** The packaging machine the bot would deploy into the sandbox, with the given access. */
const machineInput = (access: MachineAccess) => ({
  taskId: 'task-1',
  subscriptionId: SUB,
  resourceGroup: 'oslayer-sandbox',
  layerName: 'win10',
  versionName: '2',
  diskFilename: 'win10/pkg.vhd',
  vmSize: 'Standard_D2s_v3',
  location: 'eastus',
  vhdSizeBytes: 64 * 1024 ** 3 + 512,
  subnetId: `${RG}/providers/Microsoft.Network/virtualNetworks/oslayer-vnet/subnets/packaging`,
  osType: 'Windows' as const,
  hyperVGeneration: 'V2' as const,
  access,
});
const PUBLIC: MachineAccess = { mode: 'public', allowedCidrs: ['203.0.113.0/24'] };

/** Newtonsoft's position in the one-line JSON the SDKs send: just after `marker`, found after each earlier marker in turn. */
function after(body: unknown, ...markers: string[]): number {
  const json = JSON.stringify(body);
  return markers.reduce((from, marker) => json.indexOf(marker, from) + marker.length, 0);
}

/** Compute's refusal of `member`, which `type` does not define, at `path` of `body` sent as its body parameter `parameter`. */
function unknownToCompute(body: unknown, parameter: string, type: string, path: string) {
  const member = path.split('.').pop()!;
  const message = `Could not find member '${member}' on object of type '${type}'. Path '${path}', line 1, position ${after(body, `"${member}":`)}.`;
  return { status: 400, error: { code: 'BadRequest', message, target: `${parameter}.${path}` } };
}

describe('the Compute RP contract, per api-version', () => {
  it("refuses the template the bot wrote before: tags on inline network configurations don't exist at 2024-07-01", () => {
    expect(beforeVm.apiVersion).toBe('2024-07-01');
    const body = bodyOf(beforeVm);
    expect(answer('PUT', VM_PATH, beforeVm.apiVersion, body)).toEqual({
      status: 400,
      error: {
        code: 'BadRequest',
        message: `Could not find member 'tags' on object of type 'VirtualMachineNetworkInterfaceConfiguration'. Path 'properties.networkProfile.networkInterfaceConfigurations[0].tags', line 1, position ${after(body, '"networkInterfaceConfigurations":', '"tags":')}.`,
        target: 'vm.properties.networkProfile.networkInterfaceConfigurations[0].tags',
      },
    });
  });

  it('refuses an unknown member anywhere in the body, naming its type, path and position, with the body parameter in target', () => {
    const disk = { location: 'eastus', properties: { creationData: { createOption: 'Import', sourceUri: 'https://x/y.vhd', storageAcountId: 'typo' } } };
    expect(answer('PUT', DISK_PATH, API_VERSIONS.disks, disk)).toEqual(unknownToCompute(disk, 'disk', 'CreationData', 'properties.creationData.storageAcountId'));
    // VM properties are Compute's class 'Properties'.
    const vm = { location: 'eastus', properties: { osDisk: {} } };
    expect(answer('PUT', VM_PATH, API_VERSIONS.virtualMachines, vm)).toEqual(unknownToCompute(vm, 'vm', 'Properties', 'properties.osDisk'));
  });

  it('leaves an unknown top-level member of a resource to ARM, which refuses it as a ResourceDefinition member', () => {
    expect(answer('PUT', VM_PATH, API_VERSIONS.virtualMachines, { location: 'eastus', AccountType: 'Standard_LRS' })).toEqual({
      status: 400,
      error: {
        code: 'InvalidRequestContent',
        message:
          "The request content was invalid and could not be deserialized: 'Could not find member 'AccountType' on object of type 'ResourceDefinition'. Path 'AccountType', line 1, position 35.'.",
      },
    });
  });

  it('refuses a value of the wrong JSON kind before anything else', () => {
    const input = { access: 'Read', durationInSeconds: '3600' };
    expect(answer('POST', `${DISK_PATH}/beginGetAccess`, API_VERSIONS.disks, input)).toMatchObject({
      error: {
        code: 'BadRequest',
        message: `Error converting value "3600" to type 'Int64'. Path 'durationInSeconds', line 1, position ${after(input, '"3600"')}.`,
        target: 'grantAccessData.durationInSeconds',
      },
    });
  });

  it('refuses a value outside an enum as the deserializer does: BadRequest naming the .NET type, with target', () => {
    const vm = { location: 'eastus', properties: { storageProfile: { osDisk: { createOption: 'Attach', caching: 'Unrecognized' } } } };
    expect(answer('PUT', VM_PATH, API_VERSIONS.virtualMachines, vm)).toEqual({
      status: 400,
      error: {
        code: 'BadRequest',
        message: `Error converting value "Unrecognized" to type 'System.Nullable\`1[Microsoft.WindowsAzure.ComputeResourceProvider.API.Disk+CachingType]'. Path 'properties.storageProfile.osDisk.caching', line 1, position ${after(vm, '"Unrecognized"')}.`,
        target: 'vm.properties.storageProfile.osDisk.caching',
      },
    });
    // Before any required member is looked at: this osDisk has no createOption either.
    const keep = { location: 'eastus', properties: { storageProfile: { osDisk: { deleteOption: 'Keep' } } } };
    expect(answer('PUT', VM_PATH, API_VERSIONS.virtualMachines, keep)).toMatchObject({
      error: { code: 'BadRequest', message: expect.stringMatching(/^Error converting value "Keep" to type 'DeleteOptions'\. /), target: 'vm.properties.storageProfile.osDisk.deleteOption' },
    });
    const disk = { location: 'eastus', sku: { name: 'Standard_SSD' }, properties: { creationData: { createOption: 'Import' } } };
    expect(answer('PUT', DISK_PATH, API_VERSIONS.disks, disk)).toMatchObject({ error: { code: 'BadRequest', target: 'disk.sku.name' } });
  });

  it('refuses a missing required member with InvalidParameter, named from the disk it belongs to or alone', () => {
    const vm = { location: 'eastus', properties: { storageProfile: { osDisk: { managedDisk: { id: 'x' } } } } };
    expect(answer('PUT', VM_PATH, API_VERSIONS.virtualMachines, vm)).toEqual({
      status: 400,
      error: { code: 'InvalidParameter', message: "Required parameter 'osDisk.createOption' is missing (null).", target: 'osDisk.createOption' },
    });
    expect(answer('POST', `${VM_PATH}/runCommand`, API_VERSIONS.virtualMachines, { script: ['x'] })).toEqual({
      status: 400,
      error: { code: 'InvalidParameter', message: "Required parameter 'commandId' is missing (null).", target: 'commandId' },
    });
  });

  it("refuses an api-version the provider doesn't serve: NoRegisteredProviderFound, and ARM's own InvalidApiVersionParameter", () => {
    expect(answer('PUT', VM_PATH, '2099-01-01', { location: 'eastus' })).toEqual({
      status: 400,
      error: {
        code: 'NoRegisteredProviderFound',
        message:
          `No registered resource provider found for location 'eastus' and API version '2099-01-01' for type 'virtualMachines'. The supported api-versions are '${azureApiVersions.types['microsoft.compute/virtualmachines'].join(', ')}'. The supported locations are 'eastus'.`,
      },
    });
    expect(answer('PUT', `${RG}/providers/Microsoft.Resources/deployments/d`, '2099-01-01', {})).toMatchObject({
      error: { code: 'InvalidApiVersionParameter' },
    });
  });
});

describe('api-versions: every one Azure has is served, bodies checked where the simulator holds the contract', () => {
  const DEPLOYMENT_PATH = `${RG}/providers/Microsoft.Resources/deployments/d`;
  const unchecked = (method: string, path: string, apiVersion: string, body: unknown) =>
    validateRequest({ method, path, apiVersion, body: () => body }, 'eastus');

  it("lists Azure's stable versions per type, the SDK packages' defaults among them", () => {
    // @azure/arm-resources 7 sends deployments at 2025-04-01; @azure/arm-compute 24 sends disks at 2025-01-02, VMs at 2026-03-01.
    expect(azureApiVersions.types['microsoft.resources/deployments']).toEqual(expect.arrayContaining(['2021-04-01', '2024-03-01', '2025-04-01']));
    expect(azureApiVersions.types['microsoft.compute/disks']).toEqual(expect.arrayContaining(['2024-03-02', '2025-01-02']));
    expect(azureApiVersions.types['microsoft.compute/virtualmachines']).toEqual(expect.arrayContaining(['2024-07-01', '2025-04-01', '2026-03-01']));
    expect(Object.values(azureApiVersions.types).flat().filter((version) => /preview/.test(version))).toEqual([]);
  });

  it('serves versions Azure has (deployments 2021-04-01, disks 2025-01-02) and names them as unchecked, to be counted', () => {
    const disk = { location: 'eastus', properties: { creationData: { createOption: 'Import', sourceUri: 'https://x/y.vhd' } } };
    expect(answer('PUT', DISK_PATH, '2025-01-02', disk)).toBe('accepted');
    expect(unchecked('PUT', DISK_PATH, '2025-01-02', disk)).toBe('Microsoft.Compute/disks@2025-01-02');
    expect(answer('PUT', DEPLOYMENT_PATH, '2021-04-01', { properties: { mode: 'Incremental', template: {} } })).toBe('accepted');
    expect(unchecked('GET', DEPLOYMENT_PATH, '2021-04-01', undefined)).toBe('Microsoft.Resources/deployments@2021-04-01');
    expect(unchecked('GET', `${VM_PATH}/runCommands/x`, '2026-03-01', undefined)).toBe('Microsoft.Compute/virtualMachines@2026-03-01');
  });

  it('checks bodies at the versions it holds a contract for, and counts nothing there', () => {
    const typo = { location: 'eastus', properties: { creationData: { createOption: 'Import', sourceUri: 'https://x/y.vhd', storageAcountId: 'typo' } } };
    expect(answer('PUT', DISK_PATH, API_VERSIONS.disks, typo)).toMatchObject({ status: 400, error: { code: 'BadRequest' } });
    expect(unchecked('GET', DISK_PATH, API_VERSIONS.disks, undefined)).toBeUndefined();
    expect(unchecked('GET', VM_PATH, API_VERSIONS.virtualMachines, undefined)).toBeUndefined();
  });

  it('refuses a version Azure does not have for the type', () => {
    expect(answer('GET', DISK_PATH, '2025-01-03', undefined)).toMatchObject({ status: 400, error: { code: 'NoRegisteredProviderFound' } });
    // A managed Run Command's versions are its own type's: runCommands came with 2020-06-01.
    expect(answer('GET', `${VM_PATH}/runCommands/x`, '2019-07-01', undefined)).toMatchObject({ status: 400, error: { code: 'NoRegisteredProviderFound' } });
    expect(answer('GET', VM_PATH, '2019-07-01', undefined)).toBe('accepted');
    expect(answer('GET', DEPLOYMENT_PATH, '2024-03-01-preview', undefined)).toMatchObject({ status: 400, error: { code: 'InvalidApiVersionParameter' } });
  });
});

describe('the managed Run Command contract (runCommand.json)', () => {
  const RUN_PATH = `${VM_PATH}/runCommands/oslayer-check`;
  const run = (properties: Record<string, unknown>) => ({ location: 'eastus', properties: { source: { script: 'Get-Date' }, ...properties } });

  it('accepts every member of VirtualMachineRunCommandProperties, those the bot never sends too', () => {
    const body = run({
      parameters: [{ name: 'Mode', value: 'queued' }],
      protectedParameters: [{ name: 'Secret', value: 's' }],
      asyncExecution: false,
      runAsUser: 'packager',
      runAsPassword: 'p',
      timeoutInSeconds: 3600,
      outputBlobUri: 'https://x/out',
      errorBlobUri: 'https://x/err',
      outputBlobManagedIdentity: { clientId: 'c' },
      errorBlobManagedIdentity: {},
      treatFailureAsDeploymentFailure: false,
    });
    expect(answer('PUT', RUN_PATH, API_VERSIONS.virtualMachines, body)).toBe('accepted');
  });

  it('refuses an unknown member as Compute refuses it', () => {
    const body = run({ timeout: 3600 });
    expect(answer('PUT', RUN_PATH, API_VERSIONS.virtualMachines, body)).toEqual(
      unknownToCompute(body, 'runCommand', 'VirtualMachineRunCommandProperties', 'properties.timeout'),
    );
    expect(answer('PUT', RUN_PATH, API_VERSIONS.virtualMachines, run({ parameters: [{ name: 'Mode' }] }))).toEqual({
      status: 400,
      error: { code: 'InvalidParameter', message: "Required parameter 'value' is missing (null).", target: 'value' },
    });
  });

  it('takes scriptShell at 2025-04-01 but not at 2024-07-01, which does not define it', () => {
    const body = { location: 'eastus', properties: { source: { script: 'Get-Date', scriptShell: 'Powershell7' } } };
    expect(answer('PUT', RUN_PATH, '2025-04-01', body)).toBe('accepted');
    expect(answer('PUT', RUN_PATH, '2024-07-01', body)).toMatchObject({
      error: { code: 'BadRequest', message: expect.stringMatching(/^Could not find member 'scriptShell' on object of type 'VirtualMachineRunCommandScriptSource'\./) },
    });
  });
});

describe('the Microsoft.Resources/deployments contract, read by ARM itself', () => {
  const DEPLOYMENT_PATH = `${RG}/providers/Microsoft.Resources/deployments/d`;

  it('refuses an unknown member with InvalidRequestContent, quoting the deserializer', () => {
    const body = { properties: { mode: 'Incremental', templet: {} } };
    expect(answer('PUT', DEPLOYMENT_PATH, API_VERSIONS.deployments, body)).toEqual({
      status: 400,
      error: {
        code: 'InvalidRequestContent',
        message: `The request content was invalid and could not be deserialized: 'Could not find member 'templet' on object of type 'DeploymentProperties'. Path 'properties.templet', line 1, position ${after(body, '"templet":')}.'.`,
      },
    });
  });

  it('refuses a missing required member as the deserializer does, when the object ends', () => {
    const body = { properties: { template: {} } };
    expect(answer('PUT', DEPLOYMENT_PATH, API_VERSIONS.deployments, body)).toEqual({
      status: 400,
      error: {
        code: 'InvalidRequestContent',
        message: `The request content was invalid and could not be deserialized: 'Required property 'mode' not found in JSON. Path 'properties', line 1, position ${JSON.stringify(body).length - 1}.'.`,
      },
    });
  });

  it('takes the members 2025-04-01 added (external inputs, validation level, a parameter by expression) only at 2025-04-01', () => {
    const body = {
      properties: {
        mode: 'Incremental',
        template: {},
        parameters: { inputObj: { expression: "[externalInputs('fooValue')]" } },
        externalInputDefinitions: { fooValue: { kind: 'sys.envVar', config: 'FOO_VALUE' } },
        externalInputs: { fooValue: { value: 'baz' } },
        validationLevel: 'Template',
      },
    };
    expect(answer('PUT', DEPLOYMENT_PATH, '2025-04-01', body)).toBe('accepted');
    expect(answer('PUT', DEPLOYMENT_PATH, '2024-03-01', body)).toMatchObject({
      error: { code: 'InvalidRequestContent', message: expect.stringContaining("Could not find member 'expression' on object of type 'DeploymentParameter'. Path 'properties.parameters.inputObj.expression'") },
    });
  });
});

describe("the bot's own bodies", () => {
  it.each([
    ['private', { mode: 'private' } as MachineAccess, ['Microsoft.Compute/virtualMachines']],
    ['public', PUBLIC, ['Microsoft.Network/networkSecurityGroups', 'Microsoft.Compute/virtualMachines']],
  ])("accepts every resource of the bot's template (%s access) at its declared api-version", (_name, access, types) => {
    const spec = packagingMachineSpec(machineInput(access));
    const outer = toArmTemplate(spec, 'subscription');
    const nested = outer.resources[0]!;
    const { subscriptionId: _s, resourceGroup: _r, ...nestedResource } = nested;
    expect(answer('PUT', `${RG}/providers/Microsoft.Resources/deployments/${nested.name}`, nested.apiVersion, bodyOf(nestedResource))).toBe('accepted');
    const resources = (nested.properties.template as ArmTemplate).resources;
    expect(resources.map((r) => r.type)).toEqual(types);
    for (const resource of resources) {
      const path = `${RG}/providers/${resource.type}/pkg`;
      expect([resource.type, answer('PUT', path, resource.apiVersion, bodyOf(resource))]).toEqual([resource.type, 'accepted']);
    }
  });
});

describe('the disk Publish uploads into', () => {
  it('accepts the Upload create and the Grant Access Write at the pinned disks version, as the SDK serializes them', () => {
    const { location, tags, sku, ...properties } = toDiskBody(packagingMachineSpec(machineInput(PUBLIC)).disk);
    expect(answer('PUT', DISK_PATH, API_VERSIONS.disks, { location, tags, sku, properties })).toBe('accepted');
    expect(answer('POST', `${DISK_PATH}/beginGetAccess`, API_VERSIONS.disks, { access: 'Write', durationInSeconds: 86400 })).toBe('accepted');
  });
});

describe('the Network RP contract for the NSG public access creates', () => {
  const NSG_PATH = `${RG}/providers/Microsoft.Network/networkSecurityGroups/pkg-nsg`;

  it('accepts the body Deploy for me sends, as the SDK serializes it, at the pinned version', () => {
    const spec = packagingMachineSpec(machineInput(PUBLIC));
    const { securityRules, ...envelope } = nsgBody(spec, ['203.0.113.0/24']);
    // The SDK nests the flat rule members under `properties`, as the wire format has them.
    const wire = { ...envelope, properties: { securityRules: securityRules!.map(({ name, ...rule }) => ({ name, properties: rule })) } };
    expect(answer('PUT', NSG_PATH, API_VERSIONS.networkSecurityGroups, wire)).toBe('accepted');
  });

  it('refuses an unknown rule member as the Network RP words it, and versions it does not serve', () => {
    const rule = { protocol: 'Tcp', access: 'Allow', priority: 100, direction: 'Inbound', destinationPortRange: '3389', sourceAddressPrefixes: ['203.0.113.0/24'] };
    const nsg = (properties: Record<string, unknown>) => ({ location: 'eastus', properties: { securityRules: [{ name: 'rdp', properties }] } });
    const typo = nsg({ ...rule, sourceAddressPrefixs: ['x'] });
    expect(answer('PUT', NSG_PATH, API_VERSIONS.networkSecurityGroups, typo)).toEqual({
      status: 400,
      error: {
        code: 'InvalidRequestFormat',
        message: 'Cannot parse the request.',
        details: [
          {
            code: 'InvalidJson',
            message: `Could not find member 'sourceAddressPrefixs' on object of type 'SecurityRulePropertiesFormat'. Path 'properties.securityRules[0].properties.sourceAddressPrefixs', line 1, position ${after(typo, '"sourceAddressPrefixs":')}.`,
          },
        ],
      },
    });
    const { direction: _direction, ...noDirection } = rule;
    expect(answer('PUT', NSG_PATH, API_VERSIONS.networkSecurityGroups, nsg(noDirection))).toMatchObject({
      status: 400,
      error: { code: 'InvalidParameter', target: 'direction' },
    });
    // A rule without a priority passes to the Network RP, which reads it as 0 (arm-simulator-access: SecurityRuleInvalidPriority).
    const { priority: _priority, ...noPriority } = rule;
    expect(answer('PUT', NSG_PATH, API_VERSIONS.networkSecurityGroups, nsg(noPriority))).toBe('accepted');
    expect(answer('PUT', NSG_PATH, '2099-01-01', nsg(rule))).toMatchObject({ status: 400, error: { code: 'NoRegisteredProviderFound' } });
  });
});
