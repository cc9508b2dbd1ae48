/** Where each Azure cloud lives: ARM, Entra ID, the portal and the storage DNS suffix. */
import type { CloudName, ConnectorConfig } from '../domain/model.js';

export interface CloudProfile {
  name: CloudName;
  /** ARM base URL without a trailing slash, e.g. https://management.azure.com */
  armEndpoint: string;
  /** Entra ID (or AD FS) authority host, e.g. https://login.microsoftonline.com */
  authorityHost: string;
  /** Host name of the Azure portal, e.g. portal.azure.com */
  portalHost: string;
  /** Storage DNS suffix: <account>.blob.<suffix> */
  storageSuffix: string;
  /** The scope an ARM bearer token is requested for. */
  armScope: string;
  /** Extra CA certificates (PEM) that every request to this cloud must trust. Custom clouds only. */
  caBundle?: string;
}

function knownCloud(name: Exclude<CloudName, 'Custom'>, arm: string, authority: string, portal: string, storage: string): CloudProfile {
  return { name, armEndpoint: arm, authorityHost: authority, portalHost: portal, storageSuffix: storage, armScope: `${arm}/.default` };
}

export const AZURE_CLOUDS: Readonly<Record<Exclude<CloudName, 'Custom'>, CloudProfile>> = {
  AzureCloud: knownCloud('AzureCloud', 'https://management.azure.com', 'https://login.microsoftonline.com', 'portal.azure.com', 'core.windows.net'),
  AzureUSGovernment: knownCloud(
    'AzureUSGovernment',
    'https://management.usgovcloudapi.net',
    'https://login.microsoftonline.us',
    'portal.azure.us',
    'core.usgovcloudapi.net',
  ),
  AzureChinaCloud: knownCloud(
    'AzureChinaCloud',
    'https://management.chinacloudapi.cn',
    'https://login.chinacloudapi.cn',
    'portal.azure.cn',
    'core.chinacloudapi.cn',
  ),
};

/** The profile a connector talks to. Custom endpoints are checked here so a typo fails at Test, not mid-task. */
export function cloudProfile(connector: Pick<ConnectorConfig, 'cloud' | 'customEndpoints'>): CloudProfile {
  if (connector.cloud !== 'Custom') return AZURE_CLOUDS[connector.cloud];
  const custom = connector.customEndpoints;
  if (!custom) throw new Error('a custom cloud needs its ARM, authority, portal and storage endpoints');
  const armEndpoint = httpsOrigin(custom.armEndpoint, 'ARM endpoint');
  return {
    name: 'Custom',
    armEndpoint,
    authorityHost: httpsOrigin(custom.authorityHost, 'authority host'),
    portalHost: hostOnly(custom.portalHost, 'portal host'),
    storageSuffix: hostOnly(custom.storageSuffix, 'storage endpoint suffix').replace(/^\.+/, ''),
    armScope: `${armEndpoint}/.default`,
    ...(custom.caBundle?.trim() ? { caBundle: custom.caBundle } : {}),
  };
}

export function portalOrigin(profile: CloudProfile): string {
  return `https://${profile.portalHost}`;
}

/** The portal's "Custom deployment" blade preloaded with the template behind a read SAS. */
export function customDeploymentLink(profile: CloudProfile, templateSasUrl: string): string {
  return `${portalOrigin(profile)}/#create/Microsoft.Template/uri/${encodeURIComponent(templateSasUrl)}`;
}

/** Bearer tokens must never travel over plain HTTP, so custom ARM and authority endpoints must be https. */
function httpsOrigin(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new Error(`the custom cloud's ${what} is not a URL: ${value}`);
  }
  if (url.protocol !== 'https:') throw new Error(`the custom cloud's ${what} must use https: ${value}`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** Accepts "portal.example" or "https://portal.example/" and keeps the host (with any port). */
function hostOnly(value: string, what: string): string {
  const host = value.trim().replace(/^https?:\/\//i, '').replace(/\/+$/, '');
  if (!host || /[\s/]/.test(host)) throw new Error(`the custom cloud's ${what} must be a host name: ${value}`);
  return host;
}
