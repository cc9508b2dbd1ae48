/** ARM resource ids: /subscriptions/{sub}/resourceGroups/{rg}/providers/{namespace}/{type}/{name}[/{type}/{name}…] */

export interface ResourceIdParts {
  subscriptionId: string;
  resourceGroup: string;
  /** e.g. Microsoft.Network/virtualNetworks/subnets */
  type: string;
  /** The names along the type path, e.g. ['vnet1', 'default'] for a subnet. */
  names: string[];
}

export function parseResourceId(id: string): ResourceIdParts | null {
  const match = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([^/]+)\/(.+)$/i.exec(id.trim());
  if (!match) return null;
  const segments = match[4]!.split('/');
  if (segments.length % 2 !== 0 || segments.some((segment) => !segment)) return null;
  const types = segments.filter((_, i) => i % 2 === 0);
  return {
    subscriptionId: match[1]!,
    resourceGroup: match[2]!,
    type: [match[3]!, ...types].join('/'),
    names: segments.filter((_, i) => i % 2 === 1),
  };
}

export function resourceId(subscriptionId: string, resourceGroup: string, type: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${type}/${name}`;
}

/** ARM compares locations without case or spaces ("East US" is "eastus"). */
export function sameLocation(a: string, b: string): boolean {
  const normal = (location: string) => location.replace(/\s+/g, '').toLowerCase();
  return normal(a) === normal(b);
}
