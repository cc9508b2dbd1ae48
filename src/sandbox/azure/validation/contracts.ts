/**
 * Which api-versions the simulator serves per resource type, and the body each version
 * accepts. It serves every stable version Azure has for a type (azure-api-versions.json, written
 * by scripts/list-azure-api-versions.ts from the ARM template schemas, which are generated from
 * each api-version folder of the REST specs); it checks bodies strictly at the versions it holds
 * a contract for (CONTRACTS: the pinned ones and those the SDK packages send), and counts
 * requests at the others, so a test can assert the bot never sends one. A version Azure does not
 * have is refused as ARM refuses it: for a resource provider's type `400
 * NoRegisteredProviderFound`, for ARM's own types (resource groups, resources, deployments) `400
 * InvalidApiVersionParameter`. Sources: test/fixtures/arm/SOURCES.md.
 */
import { ArmError } from '../http.js';
import azureApiVersions from './azure-api-versions.json' with { type: 'json' };
import { disk20240302, grantAccessData20240302, virtualMachine20240701, virtualMachine20250401 } from './compute.js';
import { deployment20240301, deployment20250401 } from './deployments.js';
import { galleryImage20250303, galleryImageVersion20250303, galleryImageVersionUpdate20250303 } from './gallery.js';
import { networkSecurityGroup } from './network.js';
import { managedRunCommand20240701, managedRunCommand20250401, runCommandInput } from './run-command.js';
import { validateBody, type Dialect, type RequestBody } from './shape.js';

interface TypeContract {
  /** ARM itself serves the type (Microsoft.Resources), not a resource provider. */
  armNative?: boolean;
  /** Bodies by api-version, keyed by what carries them: `PUT` the resource, `PUT runCommands` a child, `POST runCommand` an action. */
  versions: Record<string, Record<string, RequestBody>>;
}

/** Versions the bot's SDK clients send where the simulator only reads (no body to check). */
const CONTRACTS: Record<string, TypeContract> = {
  'microsoft.compute/virtualmachines': {
    versions: {
      '2024-07-01': { PUT: virtualMachine20240701, 'POST runCommand': runCommandInput, 'PUT runCommands': managedRunCommand20240701 },
      '2025-04-01': { PUT: virtualMachine20250401, 'POST runCommand': runCommandInput, 'PUT runCommands': managedRunCommand20250401 },
    },
  },
  'microsoft.compute/disks': { versions: { '2024-03-02': { PUT: disk20240302, 'POST beginGetAccess': grantAccessData20240302 } } },
  // GalleryRP, pinned (src/azure/api-versions.ts): the gallery is only read; its definitions and versions are written.
  'microsoft.compute/galleries': { versions: { '2025-03-03': {} } },
  'microsoft.compute/galleries/images': { versions: { '2025-03-03': { PUT: galleryImage20250303 } } },
  'microsoft.compute/galleries/images/versions': {
    versions: { '2025-03-03': { PUT: galleryImageVersion20250303, PATCH: galleryImageVersionUpdate20250303 } },
  },
  // @azure/arm-compute lists Resource SKUs at 2021-07-01.
  'microsoft.compute/skus': { versions: { '2021-07-01': {} } },
  // Storage, network and resources as their SDK packages call them (reads, listKeys).
  'microsoft.storage/storageaccounts': { versions: { '2025-08-01': {} } },
  'microsoft.network/virtualnetworks': { versions: { '2025-05-01': {} } },
  'microsoft.network/networkinterfaces': { versions: { '2025-05-01': {} } },
  'microsoft.network/publicipaddresses': { versions: { '2025-05-01': {} } },
  'microsoft.network/bastionhosts': { versions: { '2025-05-01': {} } },
  // The NSG public machine access creates, pinned (src/azure/api-versions.ts); the SDK's own 2025-05-01 defines the same members.
  'microsoft.network/networksecuritygroups': { versions: { '2023-09-01': { PUT: networkSecurityGroup }, '2025-05-01': { PUT: networkSecurityGroup } } },
  'microsoft.resources/resourcegroups': { armNative: true, versions: { '2025-04-01': {} } },
  'microsoft.resources/resources': { armNative: true, versions: { '2025-04-01': {} } },
  // Permissions_ListForResourceGroup / Permissions_ListForResource (specification/authorization, 2022-04-01).
  'microsoft.authorization/permissions': { armNative: true, versions: { '2022-04-01': {} } },
  'microsoft.resources/deployments': { armNative: true, versions: { '2024-03-01': { PUT: deployment20240301 }, '2025-04-01': { PUT: deployment20250401 } } },
};

// A long-running operation is polled at its provider's locations/{location}/operations with the
// api-version of the request that started it.
function operationVersions(types: string[]): TypeContract {
  return { versions: Object.fromEntries(types.flatMap((type) => Object.keys(CONTRACTS[type]!.versions).map((v) => [v, {}]))) };
}
CONTRACTS['microsoft.compute/locations'] = operationVersions(['microsoft.compute/virtualmachines', 'microsoft.compute/disks', 'microsoft.compute/galleries']);
CONTRACTS['microsoft.network/locations'] = operationVersions(['microsoft.network/networksecuritygroups']);

/** Every stable version Azure has for a type, by lower-cased type. */
const AZURE_VERSIONS: Record<string, readonly string[]> = {
  ...azureApiVersions.types,
  // ARM serves Resources - List with the rest of Microsoft.Resources.
  'microsoft.resources/resources': azureApiVersions.types['microsoft.resources/resourcegroups'],
  // A long-running operation is polled with the api-version of the request that started it.
  'microsoft.compute/locations': [
    ...azureApiVersions.types['microsoft.compute/virtualmachines'],
    ...azureApiVersions.types['microsoft.compute/disks'],
    ...azureApiVersions.types['microsoft.compute/galleries'],
  ],
  'microsoft.network/locations': azureApiVersions.types['microsoft.network/networksecuritygroups'],
};

/** A managed Run Command is a child of its VM: its versions are the child type's. */
function azureVersionsOf(type: string, path: string): readonly string[] {
  if (type === 'microsoft.compute/virtualmachines' && /\/runCommands(\/|$)/i.test(path)) {
    return AZURE_VERSIONS['microsoft.compute/virtualmachines/runcommands'] ?? [];
  }
  return AZURE_VERSIONS[type] ?? [];
}

/** 'Microsoft.Compute/virtualMachines' for any path under one, ARM's own types for the rest. */
export function resourceTypeOf(path: string): string {
  const providers = path.toLowerCase().lastIndexOf('/providers/');
  if (providers >= 0) {
    const [namespace, type] = path.slice(providers + '/providers/'.length).split('/');
    return `${namespace}/${type}`;
  }
  return /\/resourcegroups\/[^/]+\/resources$/i.test(path) ? 'Microsoft.Resources/resources' : 'Microsoft.Resources/resourceGroups';
}

/**
 * Throws ARM's refusal when `type` is one the simulator knows and `apiVersion` is a version
 * Azure does not have for it. Types it does not list (added by other stand-ins) are not checked here.
 */
export function requireKnownApiVersion(type: string, apiVersion: string, location: string, path = ''): void {
  const contract = CONTRACTS[type.toLowerCase()];
  if (!contract || apiVersion in contract.versions) return;
  const azure = azureVersionsOf(type.toLowerCase(), path);
  if (azure.includes(apiVersion)) return;
  const supported = [...new Set([...azure, ...Object.keys(contract.versions)])].sort().join(', ');
  if (contract.armNative) {
    throw new ArmError(400, 'InvalidApiVersionParameter', `The api-version '${apiVersion}' is invalid. The supported versions are '${supported}'.`);
  }
  const shortType = type.split('/').slice(1).join('/');
  throw new ArmError(
    400,
    'NoRegisteredProviderFound',
    `No registered resource provider found for location '${location}' and API version '${apiVersion}' for type '${shortType}'. The supported api-versions are '${supported}'. The supported locations are '${location}'.`,
  );
}

/** Whose deserializer reads a body of `type`: ARM's own for Microsoft.Resources, else its provider's. */
function dialectOf(type: string): Dialect {
  const namespace = type.toLowerCase().split('/')[0];
  return namespace === 'microsoft.resources' ? 'arm' : namespace === 'microsoft.network' ? 'network' : 'compute';
}

/**
 * Checks a request the way ARM and the provider would before acting on it: a served
 * api-version, then (for a PUT of the resource or of a child, or a POST action with a declared
 * input) a body the version can deserialize and accepts. Answers `type@version` when the
 * version is one Azure has but the simulator holds no contract for (its body went unchecked),
 * for the caller to count.
 */
export function validateRequest(req: { method: string; path: string; apiVersion: string; body: () => unknown }, location: string): string | undefined {
  const type = resourceTypeOf(req.path);
  requireKnownApiVersion(type, req.apiVersion, location, req.path);
  const known = CONTRACTS[type.toLowerCase()];
  if (known && !(req.apiVersion in known.versions)) return `${type}@${req.apiVersion}`;
  const providers = req.path.toLowerCase().lastIndexOf('/providers/');
  const segments = providers >= 0 ? req.path.slice(providers + '/providers/'.length).split('/') : [];
  // A nested resource type with a contract of its own (galleries/images/versions) carries its body by method.
  const nested = segments.length >= 5 && segments.length % 2 === 1 ? [segments[0], ...segments.slice(1).filter((_, i) => i % 2 === 0)].join('/').toLowerCase() : '';
  const nestedBody = CONTRACTS[nested]?.versions[req.apiVersion]?.[req.method];
  if (nestedBody) {
    validateBody(nestedBody, req.body(), 'compute', req.method === 'PUT');
    return;
  }
  // namespace/type/name is the resource; one segment more an action, two more a child resource.
  const beyond = { 3: '', 4: 'POST', 5: 'PUT' }[segments.length];
  const carrier = beyond === '' ? req.method : beyond === req.method ? `${req.method} ${segments[3]}` : undefined;
  const body = carrier ? CONTRACTS[type.toLowerCase()]?.versions[req.apiVersion]?.[carrier] : undefined;
  if (!body) return undefined;
  const dialect = dialectOf(type);
  validateBody(body, req.body(), dialect, req.method === 'PUT' && dialect !== 'arm');
  return undefined;
}
