import * as machineSpec from '../../src/azure/machine-spec.js';
import { packagingMachineSpec, type ArmTemplate, type PackagingMachineInput } from '../../src/azure/machine-spec.js';
import { PORTAL_TEMPLATE_SCOPES, type MachineAccess, type PortalTemplateScope } from '../../src/domain/model.js';
import { PACKAGING_INPUT } from '../fixtures/packaging-input.js';
import { armTemplateValidator } from '../support/arm-template-schemas.js';

const input = (access: MachineAccess): PackagingMachineInput => ({ ...PACKAGING_INPUT, access });
const ACCESS: MachineAccess[] = [{ mode: 'private' }, { mode: 'public', allowedCidrs: ['203.0.113.0/24'] }];

/**
 * Every template builder machine-spec.ts exports, found by name so a builder added later is
 * checked too, at every Portal template scope the domain knows.
 */
const builders = Object.entries(machineSpec).filter(
  (entry): entry is [string, (spec: ReturnType<typeof packagingMachineSpec>, scope: PortalTemplateScope) => ArmTemplate] =>
    typeof entry[1] === 'function' && /^to\w*Template$/.test(entry[0]),
);
const cases = builders.flatMap(([name, build]) => PORTAL_TEMPLATE_SCOPES.flatMap((scope) => ACCESS.map((access) => [name, scope, access, build] as const)));
const validate = armTemplateValidator();

describe("the bot's ARM templates against Microsoft's template schemas", () => {
  it('has template builders to check', () => {
    expect(builders.map(([name]) => name)).toContain('toArmTemplate');
  });

  it.each(cases)('%s at %s scope is valid for the scope its $schema names, nested templates included (access %o)', (_name, scope, access, build) => {
    const template = build(packagingMachineSpec(input(access)), scope);
    expect(validate(template)).toEqual([]);
  });

  it('checks a nested template against its own schema: an unknown member of a resource fails, named with its path', () => {
    const template = machineSpec.toArmTemplate(packagingMachineSpec(input(ACCESS[1]!)), 'subscription');
    const nested = template.resources[0]!.properties.template as ArmTemplate;
    const vm = nested.resources.findIndex((r) => r.type === 'Microsoft.Compute/virtualMachines');
    (nested.resources[vm]!.properties.storageProfile as Record<string, Record<string, unknown>>).osDisk!.createOptions = 'Attach';
    expect(validate(template)).toEqual([
      {
        template: 'resources/0/properties/template',
        instancePath: `/resources/${vm}/properties/storageProfile/osDisk`,
        message: "unknown member 'createOptions'",
      },
    ]);
  });

  it('refuses an unknown top-level member of a resource, a wrong value and an api-version without a schema', () => {
    const template = machineSpec.toArmTemplate(packagingMachineSpec(input(ACCESS[0]!)), 'subscription');
    const nested = template.resources[0]!.properties.template as ArmTemplate;
    const index = nested.resources.findIndex((r) => r.type === 'Microsoft.Compute/virtualMachines');
    const vm = nested.resources[index]!;
    const at = `/resources/${index}`;
    Object.assign(vm, { accountType: 'Standard_LRS' });
    expect(validate(template)).toEqual([expect.objectContaining({ instancePath: at, message: "unknown member 'accountType'" })]);
    delete (vm as unknown as Record<string, unknown>).accountType;
    const osDisk = (vm.properties.storageProfile as Record<string, Record<string, unknown>>).osDisk!;
    osDisk.caching = 'Sometimes';
    expect(validate(template)).toEqual([
      expect.objectContaining({ instancePath: `${at}/properties/storageProfile/osDisk/caching`, message: 'must be one of None, ReadOnly, ReadWrite' }),
    ]);
    delete osDisk.caching;
    vm.apiVersion = '2019-07-01';
    expect(validate(template)).toEqual([
      expect.objectContaining({ instancePath: at, message: 'no vendored schema for Microsoft.Compute/virtualMachines at api-version 2019-07-01' }),
    ]);
  });

  it('refuses a member the template language does not have', () => {
    const template = { ...machineSpec.toArmTemplate(packagingMachineSpec(input(ACCESS[0]!)), 'subscription'), variable: {} };
    expect(validate(template)).toEqual([{ template: '', instancePath: '', message: "unknown member 'variable'" }]);
  });
});
