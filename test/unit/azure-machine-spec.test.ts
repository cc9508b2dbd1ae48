import fc from 'fast-check';
import type { VirtualMachine } from '@azure/arm-compute';
import type { NetworkSecurityGroup } from '@azure/arm-network';
import { nsgBody } from '../../src/azure/network-access.js';
import {
  packagingMachineSpec,
  toArmTemplate,
  toDiskBody,
  toVmBody,
  vmNameFor,
  type ArmTemplate,
  type PackagingMachineInput,
} from '../../src/azure/machine-spec.js';
import { PACKAGING_INPUT, PACKAGING_SUBSCRIPTION } from '../fixtures/packaging-input.js';

const sub = PACKAGING_SUBSCRIPTION;
const input: PackagingMachineInput = PACKAGING_INPUT;
const privateInput: PackagingMachineInput = { ...input, access: { mode: 'private' } };

/** The resource-group template the subscription-scope template's nested deployment runs. */
function nestedTemplate(template: ArmTemplate): ArmTemplate {
  return template.resources[0]!.properties.template as ArmTemplate;
}

/** The machine a template deploys when every parameter keeps its default. */
function machineFromTemplate(template: ArmTemplate) {
  const defaults = Object.fromEntries(Object.entries(template.parameters).map(([name, p]) => [name, p.defaultValue]));
  const resolve = (value: string) => value.replace(/^\[parameters\('(\w+)'\)\]$/, (_, name: string) => defaults[name] ?? value);
  const inner = nestedTemplate(template);
  const vm = inner.resources.find((r) => r.type === 'Microsoft.Compute/virtualMachines')!;
  const nsg = inner.resources.find((r) => r.type === 'Microsoft.Network/networkSecurityGroups');
  const props = vm.properties as any;
  const nic = props.networkProfile.networkInterfaceConfigurations[0];
  const ip = nic.properties.ipConfigurations[0].properties;
  const pip = ip.publicIPAddressConfiguration;
  return {
    vmName: resolve(vm.name),
    vmSize: resolve(props.hardwareProfile.vmSize),
    location: resolve(vm.location!),
    osDisk: props.storageProfile.osDisk,
    networkApiVersion: props.networkProfile.networkApiVersion,
    nic: { name: nic.name, deleteOption: nic.properties.deleteOption, subnet: ip.subnet.id },
    publicIp: pip && { name: pip.name, deleteOption: pip.properties.deleteOption, allocation: pip.properties.publicIPAllocationMethod, sku: pip.sku },
    nsg: nsg && {
      usedByNic: nic.properties.networkSecurityGroup.id === `[resourceId('${nsg.type}', '${nsg.name}')]`,
      rules: (nsg.properties.securityRules as any[]).map(({ name, properties }) => ({ name, ...properties })),
    },
    tags: { vm: vm.tags, nic: nic.tags, ...(pip ? { publicIp: pip.tags } : {}), ...(nsg ? { nsg: nsg.tags } : {}) },
  };
}

/** The machine "Deploy for me" creates from the SDK bodies. */
function machineFromSdk(vmName: string, vm: VirtualMachine, nsg?: { id: string; body: NetworkSecurityGroup }) {
  const nic = vm.networkProfile!.networkInterfaceConfigurations![0]!;
  const ip = nic.ipConfigurations![0]!;
  const pip = ip.publicIPAddressConfiguration;
  const osDisk = vm.storageProfile!.osDisk!;
  return {
    vmName,
    vmSize: vm.hardwareProfile!.vmSize,
    location: vm.location,
    osDisk,
    networkApiVersion: vm.networkProfile!.networkApiVersion,
    nic: { name: nic.name, deleteOption: nic.deleteOption, subnet: ip.subnet!.id },
    publicIp: pip && { name: pip.name, deleteOption: pip.deleteOption, allocation: pip.publicIPAllocationMethod, sku: pip.sku },
    nsg: nsg && { usedByNic: nic.networkSecurityGroup?.id === nsg.id, rules: nsg.body.securityRules },
    tags: { vm: vm.tags, nic: nic.tags, ...(pip ? { publicIp: pip.tags } : {}), ...(nsg ? { nsg: nsg.body.tags } : {}) },
  };
}

describe('packaging machine spec', () => {
  const spec = packagingMachineSpec(input);
  const template = toArmTemplate(spec, 'subscription');

  it('names the machine and its parts after the packaging disk and tags them with the task', () => {
    expect(spec).toMatchObject({ vmName: '2024-06-packaging', nicName: '2024-06-packaging-nic', publicIpName: '2024-06-packaging-ip' });
    expect(spec.disk.name).toBe('2024-06-packaging-osdisk');
    expect(spec.tags).toEqual({ 'oslayer-task': 'task-42', 'oslayer-layer': 'Win11 Base', 'oslayer-version': '2024-06' });
  });

  it('makes the OS disk for upload of the whole VHD, and the template only attaches it: nothing reads the storage account', () => {
    expect(toDiskBody(spec.disk)).toEqual({
      location: 'westeurope',
      tags: spec.tags,
      sku: { name: 'StandardSSD_LRS' },
      osType: 'Windows',
      hyperVGeneration: 'V2',
      creationData: { createOption: 'Upload', uploadSizeBytes: 128 * 1024 ** 3 + 512 },
    });
    expect(spec.diskId).toBe(`/subscriptions/${sub}/resourceGroups/packaging/providers/Microsoft.Compute/disks/2024-06-packaging-osdisk`);
    expect(nestedTemplate(template).resources.map((r) => r.type)).not.toContain('Microsoft.Compute/disks');
    expect(JSON.stringify(template)).not.toMatch(/Microsoft\.Storage|blob\.core|sourceUri|sig=/);
  });

  const groupId = `/subscriptions/${sub}/resourceGroups/layers/providers`;

  it('renders a template and SDK bodies that build the same machine: public access adds a public IP and an NSG allowing RDP from the ranges only', () => {
    const nsgId = `${groupId}/Microsoft.Network/networkSecurityGroups/${spec.nsgName}`;
    const nsg = { id: nsgId, body: nsgBody(spec, ['203.0.113.0/24', '2001:db8::/48']) };
    const fromSdk = machineFromSdk(spec.vmName, toVmBody(spec, nsgId), nsg);
    const fromTemplate = machineFromTemplate(template);
    expect(fromTemplate).toEqual(fromSdk);
    expect(fromTemplate).toMatchObject({
      vmSize: 'Standard_D2s_v3',
      osDisk: { createOption: 'Attach', deleteOption: 'Detach', osType: 'Windows', managedDisk: { id: spec.diskId } },
      nic: { deleteOption: 'Delete', subnet: input.subnetId },
      publicIp: { deleteOption: 'Delete', sku: { name: 'Standard', tier: 'Regional' } },
      nsg: { usedByNic: true },
    });
    expect(fromTemplate.nsg!.rules).toEqual([
      expect.objectContaining({
        access: 'Allow',
        direction: 'Inbound',
        protocol: 'Tcp',
        destinationPortRange: '3389',
        sourceAddressPrefixes: ['203.0.113.0/24', '2001:db8::/48'],
      }),
    ]);
    for (const tags of Object.values(fromTemplate.tags)) expect(tags).toEqual(spec.tags);
  });

  it('gives a private machine neither a public IP nor an NSG, in both renderings', () => {
    const privateSpec = packagingMachineSpec(privateInput);
    const fromSdk = machineFromSdk(privateSpec.vmName, toVmBody(privateSpec));
    const fromTemplate = machineFromTemplate(toArmTemplate(privateSpec, 'subscription'));
    expect(fromTemplate).toEqual(fromSdk);
    expect(fromTemplate.publicIp).toBeUndefined();
    expect(fromTemplate.nsg).toBeUndefined();
    expect(nestedTemplate(toArmTemplate(privateSpec, 'subscription')).resources.map((r) => r.type)).toEqual(['Microsoft.Compute/virtualMachines']);
  });

  it('is a subscription-scope template whose nested deployment lands in the connector\'s resource group', () => {
    const json = JSON.parse(JSON.stringify(template)) as ArmTemplate;
    expect(json).toEqual(template);
    expect(json.$schema).toBe('https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#');
    expect(json.contentVersion).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(Object.keys(json.parameters).sort()).toEqual(['location', 'vmName', 'vmSize']);
    for (const parameter of Object.values(json.parameters)) {
      expect(parameter.type).toBe('string');
      expect(parameter.defaultValue).toEqual(expect.any(String));
      if (parameter.allowedValues) expect(parameter.allowedValues).toContain(parameter.defaultValue);
    }
    expect(json.parameters.location!.allowedValues).toEqual(['westeurope']);
    expect(json.resources).toHaveLength(1);
    const nested = json.resources[0]!;
    expect(nested).toMatchObject({ type: 'Microsoft.Resources/deployments', subscriptionId: sub, resourceGroup: 'packaging' });
    expect(nested.properties).toMatchObject({
      mode: 'Incremental',
      expressionEvaluationOptions: { scope: 'inner' },
      parameters: { vmName: { value: "[parameters('vmName')]" }, vmSize: { value: "[parameters('vmSize')]" }, location: { value: "[parameters('location')]" } },
    });

    const inner = nestedTemplate(json);
    expect(inner.$schema).toBe('https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#');
    expect(Object.keys(inner.parameters).sort()).toEqual(['location', 'vmName', 'vmSize']);
    const names = new Set<string>();
    for (const resource of inner.resources) {
      expect(resource.type).toMatch(/^Microsoft\.\w+\/\w+$/);
      expect(resource.apiVersion).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(resource.location).toBe("[parameters('location')]");
      expect(resource.tags).toEqual(spec.tags);
      names.add(`[resourceId('${resource.type}', '${resource.name}')]`);
    }
    const vm = inner.resources.find((r) => r.type === 'Microsoft.Compute/virtualMachines')!;
    for (const dependency of vm.dependsOn ?? []) expect(names).toContain(dependency);
    // The NSG public access adds; the OS disk exists before the template is written.
    expect(vm.dependsOn).toHaveLength(1);
    // Every template expression is a whole-string "[...]" with balanced brackets.
    const expressions = JSON.stringify(json).match(/"\[[^"]*\]"/g) ?? [];
    for (const expression of expressions) expect(expression.split('(').length).toBe(expression.split(')').length);
  });
});

describe('the resource-group-scope portal template', () => {
  const spec = packagingMachineSpec(input);
  const bySubscription = toArmTemplate(spec, 'subscription');
  const byGroup = toArmTemplate(spec, 'resource-group');

  it('is the nested template itself, with the same parameters and defaults the portal shows, so it builds the same machine wherever it is deployed', () => {
    expect(byGroup.$schema).toBe('https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#');
    expect(byGroup.parameters).toEqual(bySubscription.parameters);
    expect(byGroup.resources).toEqual(nestedTemplate(bySubscription).resources);
    expect(JSON.stringify(byGroup)).not.toContain('Microsoft.Resources/deployments');
    expect(byGroup.outputs.vmId!.value).toBe("[resourceId('Microsoft.Compute/virtualMachines', parameters('vmName'))]");
  });
});

describe('machine names from disk filenames', () => {
  it('keeps what Azure allows and trims the rest', () => {
    expect(vmNameFor('layers/Win 11 (base).vhd')).toBe('Win-11-base');
    expect(vmNameFor('__pkg.v1.VHD')).toBe('pkg.v1');
    expect(vmNameFor(`${'a'.repeat(70)}.vhd`)).toHaveLength(64);
    expect(() => vmNameFor('---.vhd')).toThrow(/cannot derive a machine name/);
  });

  it('always yields a valid Azure VM name or refuses', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (base) => {
        let name: string;
        try {
          name = vmNameFor(`${base}.vhd`);
        } catch {
          return !/[A-Za-z0-9]/.test(base.split('/').pop() ?? '');
        }
        return /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name) && !/[.-]$/.test(name);
      }),
    );
  });
});
