import { z } from 'zod';
import type { SimulatorContext } from './context.js';
import { ArmError, parseBody, type Router, type SimResponse } from './http.js';
import { normalizeLocation, resourceGroupId, type InventoryItem, type ResourceGroup } from './resources.js';

const resourceGroupBody = z.object({ location: z.string().min(1), tags: z.record(z.string(), z.string()).optional() });

export function registerResourceGroupRoutes(router: Router, { store }: SimulatorContext): void {
  const path = '/subscriptions/:sub/resourcegroups/:rg';
  /** Resources - List By Resource Group / Resources - List (the whole subscription), with the same $filter forms. */
  const listResources = (groups: ResourceGroup[], filter: string | null): SimResponse => {
    const wanted = resourceFilter(filter);
    const items = store.inventory().filter((item) => item.type !== 'Microsoft.Resources/resourceGroups' && wanted(item));
    const value = groups.flatMap((group) =>
      items
        .filter((item) => item.id.toLowerCase().startsWith(`${group.id.toLowerCase()}/providers/`))
        .map(({ id, name, type, tags }) => ({ id, name, type, location: group.location, tags })),
    );
    return { status: 200, body: { value } };
  };
  router.add('GET', `${path}/resources`, (req) =>
    listResources([store.requireResourceGroup(req.params.sub!, req.params.rg!)], req.query.get('$filter')),
  );
  router.add('GET', '/subscriptions/:sub/resources', (req) => {
    store.requireSubscription(req.params.sub!);
    return listResources(store.resourceGroups.values(), req.query.get('$filter'));
  });
  router.add('GET', path, (req) => ({ status: 200, body: render(store.requireResourceGroup(req.params.sub!, req.params.rg!)) }));
  router.add('HEAD', path, (req) => {
    store.requireResourceGroup(req.params.sub!, req.params.rg!);
    return { status: 204 };
  });
  router.add('PUT', path, (req): SimResponse => {
    const body = parseBody(resourceGroupBody, req);
    const id = resourceGroupId(store.subscriptionId, req.params.rg!);
    const existing = store.resourceGroups.get(id);
    if (existing && normalizeLocation(existing.location) !== normalizeLocation(body.location)) {
      throw new ArmError(
        409,
        'InvalidResourceGroupLocation',
        `Invalid resource group location '${body.location}'. The Resource group already exists in location '${existing.location}'.`,
      );
    }
    const group = store.resourceGroups.put({
      id: existing?.id ?? id,
      type: 'Microsoft.Resources/resourceGroups',
      name: existing?.name ?? req.params.rg!,
      location: normalizeLocation(body.location),
      tags: body.tags ?? {},
    });
    return { status: existing ? 200 : 201, body: render(group) };
  });
}

function render(group: ResourceGroup): Record<string, unknown> {
  return {
    id: group.id,
    name: group.name,
    type: group.type,
    location: group.location,
    tags: group.tags,
    properties: { provisioningState: 'Succeeded' },
  };
}

const ODATA_STRING = "'((?:[^']|'')*)'";
const TAG_FILTER = new RegExp(`^\\s*tagName eq ${ODATA_STRING}(?:\\s+and\\s+tagValue eq ${ODATA_STRING})?\\s*$`, 'i');
const TYPE_FILTER = new RegExp(`^\\s*resourceType eq ${ODATA_STRING}\\s*$`, 'i');

/** The $filter forms Resources - List By Resource Group accepts that the bot uses: by tag, by type. */
function resourceFilter(filter: string | null): (item: InventoryItem) => boolean {
  if (!filter) return () => true;
  const unquote = (text: string) => text.replace(/''/g, "'");
  const tag = TAG_FILTER.exec(filter);
  if (tag) {
    const [name, value] = [unquote(tag[1]!), tag[2] === undefined ? undefined : unquote(tag[2])];
    return (item) => name in item.tags && (value === undefined || item.tags[name] === value);
  }
  const type = TYPE_FILTER.exec(filter);
  if (type) return (item) => item.type.toLowerCase() === unquote(type[1]!).toLowerCase();
  throw new ArmError(400, 'InvalidFilter', `The $filter '${filter}' is not supported by the simulator; use tagName/tagValue or resourceType.`);
}
