import { AZURE_CLOUDS, cloudProfile, customDeploymentLink, portalOrigin } from '../../src/azure/clouds.js';

const templateUrl = 'https://acct.blob.core.windows.net/templates/task-1.json?sv=2024-11-04&sr=b&sp=r&sig=abc%2Fdef%3D';

describe('cloud profiles', () => {
  it.each([
    ['AzureCloud', 'https://portal.azure.com', 'core.windows.net', 'https://management.azure.com', 'https://login.microsoftonline.com'],
    ['AzureUSGovernment', 'https://portal.azure.us', 'core.usgovcloudapi.net', 'https://management.usgovcloudapi.net', 'https://login.microsoftonline.us'],
    ['AzureChinaCloud', 'https://portal.azure.cn', 'core.chinacloudapi.cn', 'https://management.chinacloudapi.cn', 'https://login.chinacloudapi.cn'],
  ] as const)('%s has its own portal, storage suffix, ARM endpoint and authority', (cloud, portal, storage, arm, authority) => {
    const profile = cloudProfile({ cloud });
    expect(portalOrigin(profile)).toBe(portal);
    expect(profile.storageSuffix).toBe(storage);
    expect(profile.armEndpoint).toBe(arm);
    expect(profile.authorityHost).toBe(authority);
    expect(profile.armScope).toBe(`${arm}/.default`);
  });

  it('links to the portal Custom deployment blade with the template URL encoded whole', () => {
    const link = customDeploymentLink(AZURE_CLOUDS.AzureUSGovernment, templateUrl);
    const prefix = 'https://portal.azure.us/#create/Microsoft.Template/uri/';
    expect(link.startsWith(prefix)).toBe(true);
    const encoded = link.slice(prefix.length);
    expect(encoded).not.toMatch(/[/?&=:]/);
    expect(decodeURIComponent(encoded)).toBe(templateUrl);
  });

  it('builds a custom cloud from the connector endpoints, tidying hosts and trailing slashes', () => {
    const profile = cloudProfile({
      cloud: 'Custom',
      customEndpoints: {
        armEndpoint: 'https://management.local.azurestack.external/',
        authorityHost: 'https://adfs.local.azurestack.external/adfs/',
        portalHost: 'https://portal.local.azurestack.external/',
        storageSuffix: '.local.azurestack.external',
        caBundle: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
      },
    });
    expect(profile).toMatchObject({
      name: 'Custom',
      armEndpoint: 'https://management.local.azurestack.external',
      authorityHost: 'https://adfs.local.azurestack.external/adfs',
      portalHost: 'portal.local.azurestack.external',
      storageSuffix: 'local.azurestack.external',
      armScope: 'https://management.local.azurestack.external/.default',
    });
    expect(profile.caBundle).toContain('BEGIN CERTIFICATE');
    expect(customDeploymentLink(profile, templateUrl)).toMatch(/^https:\/\/portal\.local\.azurestack\.external\/#create\//);
  });

  it('refuses custom endpoints that would send tokens over plain HTTP or are missing', () => {
    const endpoints = { armEndpoint: 'https://arm.example', authorityHost: 'https://login.example', portalHost: 'portal.example', storageSuffix: 'blob.example' };
    expect(() => cloudProfile({ cloud: 'Custom', customEndpoints: { ...endpoints, armEndpoint: 'http://arm.example' } })).toThrow(
      "the custom cloud's ARM endpoint must use https: http://arm.example",
    );
    expect(() => cloudProfile({ cloud: 'Custom', customEndpoints: { ...endpoints, authorityHost: 'login' } })).toThrow(/authority host is not a URL/);
    expect(() => cloudProfile({ cloud: 'Custom', customEndpoints: { ...endpoints, portalHost: 'portal example' } })).toThrow(/portal host must be a host name/);
    expect(() => cloudProfile({ cloud: 'Custom' })).toThrow(/needs its ARM, authority, portal and storage endpoints/);
  });
});
