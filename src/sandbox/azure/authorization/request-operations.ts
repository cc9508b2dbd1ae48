/**
 * The operation ARM checks for a request, named as Azure RBAC names it
 * (learn.microsoft.com/azure/role-based-access-control/resource-provider-operations):
 * `{namespace}/{type}[/{child type}]/read|write|delete` for GET/HEAD, PUT/PATCH and DELETE on a
 * resource or a collection, `{namespace}/{type}/{action}/action` for a POST, checked at the
 * resource's id (a collection: its parent scope). Plus the linked checks ARM makes on resources
 * a request references or creates on the caller's behalf (the refusal is
 * `LinkedAuthorizationFailed`): a NIC joining a subnet, an NSG and a public IP
 * (`…/join/action`), and the NICs and public IPs a VM creates inline
 * (`networkInterfaceConfigurations`), which need their own `write`.
 */

export interface OperationCheck {
  operation: string;
  scope: string;
}

export interface RequestOperations extends OperationCheck {
  linked: OperationCheck[];
}

const VERBS: Readonly<Record<string, string>> = { GET: 'read', HEAD: 'read', PUT: 'write', PATCH: 'write', DELETE: 'delete' };

/**
 * Requests RBAC does not gate: the caller's own permissions (anyone may list them) and the
 * status of a long-running operation (ARM answers it to the caller that started it; an identity
 * with rights on one resource group polls Compute's subscription-level operation URLs every day).
 */
const UNGATED = [/\/providers\/Microsoft\.Authorization\/permissions$/i, /\/locations\/[^/]+\/operations\/[^/]+$/i, /\/operationStatuses\/[^/]+$/i];

/** The checks for a request; undefined for a request RBAC does not gate. */
export function requestOperations(method: string, path: string, body?: () => unknown): RequestOperations | undefined {
  const clean = path.replace(/\/+$/, '');
  if (UNGATED.some((pattern) => pattern.test(clean))) return undefined;
  const segments = clean.split('/').filter(Boolean);
  if (segments[0]?.toLowerCase() !== 'subscriptions' || segments.length < 2) return undefined;
  const subscription = `/subscriptions/${segments[1]}`;
  const verb = VERBS[method];
  const rest = segments.slice(2);
  if (rest.length === 0) return check(`Microsoft.Resources/subscriptions/${verb ?? 'read'}`, subscription);
  if (rest[0]!.toLowerCase() === 'resources') return check('Microsoft.Resources/subscriptions/resources/read', subscription);
  if (rest[0]!.toLowerCase() === 'resourcegroups' && rest[1]) {
    const group = `${subscription}/resourceGroups/${rest[1]}`;
    const below = rest.slice(2);
    if (below.length === 0) return check(`Microsoft.Resources/subscriptions/resourceGroups/${verb ?? 'read'}`, group);
    if (below[0]!.toLowerCase() === 'resources') return check('Microsoft.Resources/subscriptions/resourceGroups/resources/read', group);
    if (below[0]!.toLowerCase() === 'providers') return providerOperations(method, group, below.slice(1), body);
    return undefined;
  }
  if (rest[0]!.toLowerCase() === 'providers') return providerOperations(method, subscription, rest.slice(1), body);
  return undefined;
}

/** `{namespace}/{type}/{name}/{type}/{name}…[/{action or collection}]` under `parent`. */
function providerOperations(method: string, parent: string, segments: string[], body?: () => unknown): RequestOperations | undefined {
  const [namespace, ...path] = segments;
  if (!namespace) return undefined;
  const types = path.filter((_, i) => i % 2 === 0);
  const idOf = (count: number) => `${parent}/providers/${namespace}/${path.slice(0, count).join('/')}`;
  if (path.length % 2 === 0) {
    const operation = `${namespace}/${types.join('/')}/${VERBS[method] ?? 'read'}`;
    const id = idOf(path.length);
    return { operation, scope: id, linked: method === 'PUT' && body ? linkedChecks(operation, id, parent, body()) : [] };
  }
  // Odd: a POST action on the resource before it, or a collection (a list, a child like instanceView).
  const last = types.pop()!;
  const resource = path.length > 1 ? idOf(path.length - 1) : parent;
  if (method === 'POST') return check(`${namespace}/${[...types, last].join('/')}/action`, resource);
  return check(`${namespace}/${[...types, last].join('/')}/${VERBS[method] ?? 'read'}`, resource);
}

function check(operation: string, scope: string): RequestOperations {
  return { operation, scope, linked: [] };
}

interface Reference {
  id?: string;
}

interface NicBody {
  properties?: { networkSecurityGroup?: Reference; ipConfigurations?: Array<{ properties?: { subnet?: Reference; publicIPAddress?: Reference } }> };
}

interface VmBody {
  properties?: {
    networkProfile?: {
      networkInterfaces?: Reference[];
      networkInterfaceConfigurations?: Array<{
        name?: string;
        properties?: {
          networkSecurityGroup?: Reference;
          ipConfigurations?: Array<{ properties?: { subnet?: Reference; publicIPAddressConfiguration?: { name?: string } } }>;
        };
      }>;
    };
  };
}

/** Group `/subscriptions/…/resourceGroups/…` of a resource id. */
function groupOf(id: string): string {
  return /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+/i.exec(id)?.[0] ?? id;
}

function linkedChecks(operation: string, id: string, parent: string, body: unknown): OperationCheck[] {
  const joins = (refs: Array<Reference | undefined>, joinOperation: string) =>
    refs.filter((ref): ref is Required<Reference> => typeof ref?.id === 'string').map((ref) => ({ operation: joinOperation, scope: ref.id }));
  switch (operation.toLowerCase()) {
    case 'microsoft.network/networkinterfaces/write': {
      const properties = (body as NicBody).properties ?? {};
      const ipConfigurations = (properties.ipConfigurations ?? []).map((c) => c.properties ?? {});
      return [
        ...joins(ipConfigurations.map((c) => c.subnet), 'Microsoft.Network/virtualNetworks/subnets/join/action'),
        ...joins(ipConfigurations.map((c) => c.publicIPAddress), 'Microsoft.Network/publicIPAddresses/join/action'),
        ...joins([properties.networkSecurityGroup], 'Microsoft.Network/networkSecurityGroups/join/action'),
      ];
    }
    case 'microsoft.compute/virtualmachines/write': {
      const network = (body as VmBody).properties?.networkProfile ?? {};
      const vmName = id.split('/').pop()!;
      const group = groupOf(parent);
      const inline = (network.networkInterfaceConfigurations ?? []).flatMap((config) => {
        const ipConfigurations = (config.properties?.ipConfigurations ?? []).map((c) => c.properties ?? {});
        return [
          { operation: 'Microsoft.Network/networkInterfaces/write', scope: `${group}/providers/Microsoft.Network/networkInterfaces/${vmName}-${config.name}` },
          ...joins(ipConfigurations.map((c) => c.subnet), 'Microsoft.Network/virtualNetworks/subnets/join/action'),
          ...joins([config.properties?.networkSecurityGroup], 'Microsoft.Network/networkSecurityGroups/join/action'),
          ...ipConfigurations
            .filter((c) => c.publicIPAddressConfiguration)
            .map((c) => ({ operation: 'Microsoft.Network/publicIPAddresses/write', scope: `${group}/providers/Microsoft.Network/publicIPAddresses/${vmName}-${c.publicIPAddressConfiguration!.name}` })),
        ];
      });
      return [...joins(network.networkInterfaces ?? [], 'Microsoft.Network/networkInterfaces/join/action'), ...inline];
    }
    default:
      return [];
  }
}
