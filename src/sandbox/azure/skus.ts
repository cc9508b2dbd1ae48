import type { SimulatorContext } from './context.js';
import { ArmError, type Router } from './http.js';
import { normalizeLocation } from './resources.js';

export interface VmSize {
  name: string;
  family: string;
  vCPUs: number;
  memoryGB: number;
  hyperVGenerations: string;
}

/** A few real sizes, enough to check "at least 2 vCPUs" both ways. */
const VM_SIZES: VmSize[] = [
  { name: 'Standard_A1_v2', family: 'standardAv2Family', vCPUs: 1, memoryGB: 2, hyperVGenerations: 'V1' },
  { name: 'Standard_A2_v2', family: 'standardAv2Family', vCPUs: 2, memoryGB: 4, hyperVGenerations: 'V1' },
  { name: 'Standard_D2s_v3', family: 'standardDSv3Family', vCPUs: 2, memoryGB: 8, hyperVGenerations: 'V1,V2' },
  { name: 'Standard_D4s_v5', family: 'standardDSv5Family', vCPUs: 4, memoryGB: 16, hyperVGenerations: 'V1,V2' },
];

/** The size if the region offers it: a VM of any other size gets 409 SkuNotAvailable. */
export function findVmSize(size: string, location: string, simulatorLocation: string): VmSize | undefined {
  if (normalizeLocation(location) !== normalizeLocation(simulatorLocation)) return undefined;
  return VM_SIZES.find((candidate) => candidate.name.toLowerCase() === size.toLowerCase());
}

/** GET /subscriptions/{sub}/providers/Microsoft.Compute/skus, shaped like Resource SKUs - List. */
export function registerSkuRoutes(router: Router, { config, store }: SimulatorContext): void {
  router.add('GET', '/subscriptions/:sub/providers/Microsoft.Compute/skus', (req) => {
    if (req.params.sub!.toLowerCase() !== store.subscriptionId.toLowerCase()) {
      throw new ArmError(404, 'SubscriptionNotFound', `The subscription '${req.params.sub}' could not be found.`);
    }
    const wanted = locationFilter(req.query.get('$filter'));
    const skus = wanted && wanted !== normalizeLocation(config.location) ? [] : VM_SIZES.map((size) => render(size, config.location));
    return { status: 200, body: { value: skus } };
  });
}

/** The only filter ARM supports here is `location eq '<location>'`. */
function locationFilter(filter: string | null): string | undefined {
  if (!filter) return undefined;
  const found = /^\s*location\s+eq\s+'([^']+)'\s*$/i.exec(filter);
  if (!found) throw new ArmError(400, 'InvalidFilter', `The filter '${filter}' is not supported; use location eq '<location>'.`);
  return normalizeLocation(found[1]!);
}

function render(size: VmSize, location: string): Record<string, unknown> {
  const capability = (name: string, value: string | number) => ({ name, value: String(value) });
  return {
    resourceType: 'virtualMachines',
    name: size.name,
    tier: 'Standard',
    size: size.name.replace(/^Standard_/, ''),
    family: size.family,
    locations: [location],
    locationInfo: [{ location, zones: ['1', '2', '3'] }],
    capabilities: [
      capability('vCPUs', size.vCPUs),
      capability('MemoryGB', size.memoryGB),
      capability('HyperVGenerations', size.hyperVGenerations),
      capability('vCPUsAvailable', size.vCPUs),
      capability('MaxDataDiskCount', size.vCPUs * 4),
      capability('PremiumIO', size.name.includes('s_') ? 'True' : 'False'),
    ],
    restrictions: [],
  };
}
