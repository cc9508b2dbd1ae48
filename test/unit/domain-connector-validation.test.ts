import fc from 'fast-check';
import {
  connectorFormValues,
  containerSchema,
  parseConnectorForm,
  resourceGroupSchema,
  storageAccountSchema,
} from '../../src/domain/connector-validation.js';

const SUB = '11111111-2222-3333-4444-555555555555';
const form = {
  connectorName: 'Production East US',
  cloud: 'AzureCloud',
  tenantId: 'AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE',
  subscriptionId: SUB,
  authKind: 'client-secret',
  clientId: '99999999-8888-7777-6666-555555555555',
  clientSecret: 's3cr3t~value',
  resourceGroup: 'rg-layers',
  storageAccount: 'layerstore01',
  container: 'os-layers',
  location: 'eastus',
  subnetId: `/subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-1/subnets/packaging`,
};

function errorsOf(raw: Record<string, unknown>, hasStoredSecret = false): Record<string, string> {
  const result = parseConnectorForm(raw, { hasStoredSecret });
  if (result.ok) throw new Error('expected the form to be refused');
  return result.errors;
}

describe('connector form', () => {
  it('reads a client-secret connector, with the default VM size', () => {
    const result = parseConnectorForm(form, { hasStoredSecret: false });
    expect(result).toEqual({
      ok: true,
      value: expect.objectContaining({
        name: 'Production East US',
        tenantId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
        auth: { kind: 'client-secret', clientId: form.clientId, clientSecret: 's3cr3t~value' },
        vmSize: 'Standard_A2_v2',
      }),
    });
    expect(result.ok && result.value.customEndpoints).toBeUndefined();
  });

  it('makes packaging machine access private unless public is chosen', () => {
    expect(parseConnectorForm(form, { hasStoredSecret: false })).toMatchObject({ ok: true, value: { machineAccess: { mode: 'private' } } });
    expect(parseConnectorForm({ ...form, machineAccess: 'private', allowedCidrs: '0.0.0.0/0' }, { hasStoredSecret: false })).toMatchObject({
      ok: true,
      value: { machineAccess: { mode: 'private' } },
    });
  });

  it('reads public access limited to CIDR ranges, IPv4 and IPv6, separated by commas, spaces or lines', () => {
    const result = parseConnectorForm({ ...form, machineAccess: 'public', allowedCidrs: '203.0.113.0/24, 198.51.100.7\n2001:db8::/48' }, { hasStoredSecret: false });
    expect(result).toMatchObject({ ok: true, value: { machineAccess: { mode: 'public', allowedCidrs: ['203.0.113.0/24', '198.51.100.7', '2001:db8::/48'] } } });
  });

  it.each(['0.0.0.0/0', '::/0', '*', 'Internet', '10.0.0.0/0', '203.0.113.0/24, 0.0.0.0/0'])('refuses public access from %s, saying why', (allowedCidrs) => {
    expect(errorsOf({ ...form, machineAccess: 'public', allowedCidrs })['allowedCidrs']).toMatch(
      /would open RDP to the whole internet, where it is scanned and attacked within minutes/,
    );
  });

  it('refuses public access without ranges, or with something that is not a range', () => {
    expect(errorsOf({ ...form, machineAccess: 'public', allowedCidrs: null })['allowedCidrs']).toMatch(/List the address ranges allowed to connect by RDP/);
    expect(errorsOf({ ...form, machineAccess: 'public', allowedCidrs: '203.0.113.0/33' })['allowedCidrs']).toMatch(/invalid prefix length: use \/0 to \/32/);
    expect(errorsOf({ ...form, machineAccess: 'public', allowedCidrs: 'office' })['allowedCidrs']).toMatch(/office is not an IP address or CIDR range/);
  });

  it('needs no client fields for managed identity', () => {
    const { clientId: _id, clientSecret: _secret, ...rest } = form;
    const result = parseConnectorForm({ ...rest, authKind: 'default-credential', vmSize: 'Standard_D2s_v5' }, { hasStoredSecret: false });
    expect(result).toMatchObject({ ok: true, value: { auth: { kind: 'default-credential' }, vmSize: 'Standard_D2s_v5' } });
  });

  it('keeps the stored secret when editing and the secret is left blank', () => {
    expect(parseConnectorForm({ ...form, clientSecret: null }, { hasStoredSecret: true })).toMatchObject({
      ok: true,
      value: { auth: { kind: 'client-secret', clientSecret: undefined } },
    });
    expect(errorsOf({ ...form, clientSecret: null })).toEqual({ clientSecret: 'Enter the client secret (its value, not its ID).' });
  });

  it('requires every custom endpoint for a custom cloud and checks the CA bundle', () => {
    expect(errorsOf({ ...form, cloud: 'Custom', armEndpoint: 'http://arm.local', portalHost: 'https://portal.local', caBundle: 'not a pem' })).toEqual({
      armEndpoint: 'The Resource Manager endpoint must be a full https:// URL.',
      portalHost: expect.stringContaining('host name only'),
      storageSuffix: expect.stringContaining('Enter the storage suffix'),
      authorityHost: expect.stringContaining('Enter the authority host'),
      caBundle: expect.stringContaining('PEM'),
    });
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
    const result = parseConnectorForm(
      { ...form, cloud: 'Custom', armEndpoint: 'https://127.0.0.1:8443', portalHost: 'portal.local', storageSuffix: 'blob.local', authorityHost: 'https://login.local', caBundle: pem },
      { hasStoredSecret: false },
    );
    expect(result).toMatchObject({ ok: true, value: { customEndpoints: { armEndpoint: 'https://127.0.0.1:8443', caBundle: pem } } });
  });

  it('lists every problem at once', () => {
    expect(
      errorsOf({
        connectorName: '',
        cloud: 'Mars',
        tenantId: 'tenant',
        subscriptionId: '1234',
        authKind: 'client-secret',
        clientId: 'app',
        resourceGroup: 'rg.',
        storageAccount: 'Layer_Store',
        container: 'os--layers',
        location: 'East US',
        subnetId: 'vnet-1/packaging',
        vmSize: 'A2',
      }),
    ).toEqual({
      connectorName: expect.stringContaining('Give the connector a name'),
      cloud: 'Choose the Azure cloud this connector uses.',
      tenantId: 'The tenant ID must be a GUID like 00000000-0000-0000-0000-000000000000.',
      subscriptionId: 'The subscription ID must be a GUID like 00000000-0000-0000-0000-000000000000.',
      clientId: 'The client (application) ID must be a GUID like 00000000-0000-0000-0000-000000000000.',
      clientSecret: 'Enter the client secret (its value, not its ID).',
      resourceGroup: 'A resource group name cannot end with a period.',
      storageAccount: 'A storage account name has 3–24 lowercase letters and digits, nothing else.',
      container: 'A container name cannot have two hyphens in a row.',
      location: expect.stringContaining('such as eastus'),
      subnetId: expect.stringContaining("Paste the subnet’s full resource ID"),
      vmSize: expect.stringContaining('Standard_A2_v2'),
    });
  });

  it('refuses a subnet in another subscription', () => {
    const other = form.subnetId.replace(SUB, '00000000-0000-0000-0000-000000000001');
    expect(errorsOf({ ...form, subnetId: other })).toEqual({ subnetId: expect.stringContaining('in the connector’s subscription') });
  });

  it('prefills the Edit form without the secret, and reads it back unchanged', () => {
    const parsed = parseConnectorForm(form, { hasStoredSecret: false });
    if (!parsed.ok) throw new Error('expected a valid form');
    const values = connectorFormValues({ ...parsed.value, auth: { kind: 'client-secret', clientId: form.clientId, clientSecretEncrypted: 'x' } });
    expect(Object.keys(values)).not.toEqual(expect.arrayContaining(['clientSecret']));
    expect(Object.values(values)).not.toContain('x');
    const again = parseConnectorForm(values, { hasStoredSecret: true });
    expect(again).toEqual({ ok: true, value: { ...parsed.value, auth: { kind: 'client-secret', clientId: form.clientId, clientSecret: undefined } } });
  });
});

describe('Azure resource names', () => {
  it.each(['rg', 'rg-layers_(prod).01', 'ресурсы', 'a'.repeat(90)])('resource group %s is valid', (name) => {
    expect(resourceGroupSchema.safeParse(name).success).toBe(true);
  });
  it.each(['', 'a'.repeat(91), 'rg.', 'rg/layers', 'rg layers'])('resource group %j is not', (name) => {
    expect(resourceGroupSchema.safeParse(name).success).toBe(false);
  });

  it('storage accounts are 3–24 lowercase letters and digits', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (s) => {
        expect(storageAccountSchema.safeParse(s).success).toBe(/^[a-z0-9]{3,24}$/.test(s.trim()));
      }),
    );
  });

  it.each([
    ['abc', true],
    ['os-layers-01', true],
    ['a'.repeat(63), true],
    ['ab', false],
    ['a'.repeat(64), false],
    ['-abc', false],
    ['abc-', false],
    ['a--b', false],
    ['OsLayers', false],
  ])('container %s valid: %s', (name, valid) => {
    expect(containerSchema.safeParse(name).success).toBe(valid);
  });
});
