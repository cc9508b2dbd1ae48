import type { SimulatorContext } from './context.js';
import type { Router } from './http.js';
import { notFound, resourceGroupId, resourceId, type PlainResource, type ResourceStore } from './resources.js';
import { seedBastion } from './security-groups.js';

const PLAIN_TYPES = [
  'Microsoft.Storage/storageAccounts',
  'Microsoft.Network/virtualNetworks',
  'Microsoft.Network/networkInterfaces',
  'Microsoft.Network/publicIPAddresses',
  'Microsoft.Network/networkSecurityGroups',
];

/** The sandbox subscription as a connector finds it: its resource group, storage account and VNet. */
export function seedSandbox(context: SimulatorContext, vnetName: string, subnetName: string): void {
  const { config, store } = context;
  const { subscriptionId, resourceGroup, location } = config;
  store.resourceGroups.put({
    id: resourceGroupId(subscriptionId, resourceGroup),
    type: 'Microsoft.Resources/resourceGroups',
    name: resourceGroup,
    location,
    tags: {},
  });
  store.plain.put({
    id: resourceId(subscriptionId, resourceGroup, 'Microsoft.Storage/storageAccounts', config.storageAccount),
    type: 'Microsoft.Storage/storageAccounts',
    name: config.storageAccount,
    location,
    tags: {},
    kind: 'StorageV2',
    sku: { name: 'Standard_LRS', tier: 'Standard' },
    properties: {
      provisioningState: 'Succeeded',
      primaryEndpoints: { blob: `${config.storageBlobEndpoint}/` },
      primaryLocation: location,
      statusOfPrimary: 'available',
      accessTier: 'Hot',
      creationTime: new Date().toISOString(),
    },
  });
  const vnetId = resourceId(subscriptionId, resourceGroup, 'Microsoft.Network/virtualNetworks', vnetName);
  store.plain.put({
    id: vnetId,
    type: 'Microsoft.Network/virtualNetworks',
    name: vnetName,
    location,
    tags: {},
    properties: {
      provisioningState: 'Succeeded',
      addressSpace: { addressPrefixes: ['10.42.0.0/16'] },
      subnets: [
        {
          id: `${vnetId}/subnets/${subnetName}`,
          name: subnetName,
          type: 'Microsoft.Network/virtualNetworks/subnets',
          properties: { provisioningState: 'Succeeded', addressPrefix: '10.42.1.0/24' },
        },
        {
          id: `${vnetId}/subnets/AzureBastionSubnet`,
          name: 'AzureBastionSubnet',
          type: 'Microsoft.Network/virtualNetworks/subnets',
          properties: { provisioningState: 'Succeeded', addressPrefix: '10.42.250.0/26' },
        },
      ],
    },
  });
  // Private access is the default: the sandbox's network has Azure Bastion, as many enterprise hub networks do.
  seedBastion(context, vnetId, 'oslayer-bastion');
}

export function registerStorageAndNetworkRoutes(router: Router, { config, store }: SimulatorContext): void {
  const find = (sub: string, rg: string, type: string, name: string): PlainResource => {
    const group = store.requireResourceGroup(sub, rg);
    const found = store.plain.get(resourceId(store.subscriptionId, group.name, type, name));
    if (!found) throw notFound(type, name, group.name);
    return found;
  };
  for (const type of PLAIN_TYPES) {
    router.add('GET', `/subscriptions/:sub/resourceGroups/:rg/providers/${type}/:name`, (req) => ({
      status: 200,
      body: renderPlain(find(req.params.sub!, req.params.rg!, type, req.params.name!)),
    }));
  }
  router.add('GET', '/subscriptions/:sub/resourceGroups/:rg/providers/Microsoft.Network/virtualNetworks/:vnet/subnets/:subnet', (req) => {
    const vnet = find(req.params.sub!, req.params.rg!, 'Microsoft.Network/virtualNetworks', req.params.vnet!);
    const subnets = vnet.properties.subnets as Array<{ name: string }>;
    const subnet = subnets.find((candidate) => candidate.name.toLowerCase() === req.params.subnet!.toLowerCase());
    if (!subnet) throw notFound(`Microsoft.Network/virtualNetworks/${vnet.name}/subnets`, req.params.subnet!, req.params.rg!);
    return { status: 200, body: subnet };
  });
  router.add('POST', '/subscriptions/:sub/resourceGroups/:rg/providers/Microsoft.Storage/storageAccounts/:name/listKeys', (req) => {
    const account = find(req.params.sub!, req.params.rg!, 'Microsoft.Storage/storageAccounts', req.params.name!);
    const creationTime = account.properties.creationTime;
    return {
      status: 200,
      body: {
        keys: [
          { keyName: 'key1', value: config.blobAccountKey, permissions: 'FULL', creationTime },
          // Azurite knows a single key; the second one exists only so the list looks like Azure's.
          { keyName: 'key2', value: config.blobAccountKey, permissions: 'FULL', creationTime },
        ],
      },
    };
  });
}

/** The account's `allowSharedKeyAccess`: ARM leaves it unset (null) until someone sets it, and unset means allowed. */
export function sharedKeyAllowed(store: ResourceStore, account: string): boolean {
  return findStorageAccount(store, account)?.properties.allowSharedKeyAccess !== false;
}

/** The subscription's storage account of that name, in whichever resource group. */
export function findStorageAccount(store: ResourceStore, name: string): PlainResource | undefined {
  return store.plain.values().find((r) => r.type === 'Microsoft.Storage/storageAccounts' && r.name === name);
}

/** The ARM representation of a stored resource. */
function renderPlain(resource: PlainResource): Record<string, unknown> {
  const { id, name, type, location, tags, kind, sku, properties } = resource;
  return { id, name, type, location, tags, ...(kind ? { kind } : {}), ...(sku ? { sku } : {}), properties };
}

/** Whether `id` names a subnet of a VNet the simulator holds. */
export function subnetExists({ store }: SimulatorContext, id: string): boolean {
  const vnetId = id.replace(/\/subnets\/[^/]+$/i, '');
  const vnet = store.plain.get(vnetId);
  const subnets = (vnet?.properties.subnets ?? []) as Array<{ id: string }>;
  return subnets.some((subnet) => subnet.id.toLowerCase() === id.toLowerCase());
}
