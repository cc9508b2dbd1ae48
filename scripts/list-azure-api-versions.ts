/**
 * Writes src/sandbox/azure/validation/azure-api-versions.json: per resource type the simulator
 * serves, every stable api-version Azure has for it, so the simulator refuses only versions
 * Azure does not have (validation/contracts.ts). Read from a git copy of
 * Azure/azure-resource-manager-schemas, whose `schemas/<api-version>/<Namespace>*.json` are
 * generated from each api-version folder of the REST specs (azure-rest-api-specs): a type is
 * listed at a version when that version's schema defines it. Preview versions are left out.
 *
 * Usage: node --import tsx scripts/list-azure-api-versions.ts <git dir of azure-resource-manager-schemas>
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

/** The types the simulator serves that an ARM template can declare, by namespace. */
const TYPES = [
  'Microsoft.Compute/virtualMachines',
  'Microsoft.Compute/virtualMachines/runCommands',
  'Microsoft.Compute/disks',
  'Microsoft.Compute/galleries',
  'Microsoft.Compute/galleries/images',
  'Microsoft.Compute/galleries/images/versions',
  'Microsoft.Network/virtualNetworks',
  'Microsoft.Network/networkInterfaces',
  'Microsoft.Network/publicIPAddresses',
  'Microsoft.Network/networkSecurityGroups',
  'Microsoft.Network/bastionHosts',
  'Microsoft.Storage/storageAccounts',
  'Microsoft.Resources/deployments',
  'Microsoft.Resources/resourceGroups',
];
const OUT = new URL('../src/sandbox/azure/validation/azure-api-versions.json', import.meta.url).pathname;

const gitDir = process.argv[2];
if (!gitDir) throw new Error('usage: list-azure-api-versions.ts <git dir of azure-resource-manager-schemas>');
const git = (...args: string[]) => execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
const commit = git('rev-parse', 'HEAD').trim();
const namespaces = new Set(TYPES.map((type) => type.split('/')[0]!));
const files = git('ls-tree', '-r', '--name-only', 'HEAD', 'schemas')
  .split('\n')
  .filter((path) => {
    const match = /^schemas\/(\d{4}-\d{2}-\d{2})\/(Microsoft\.\w+)(\.[\w.]+)?\.json$/.exec(path);
    return match !== null && namespaces.has(match[2]!);
  });

const versions = new Map<string, Set<string>>(TYPES.map((type) => [type.toLowerCase(), new Set<string>()]));
const unreadable: string[] = [];
for (const path of files) {
  const version = path.split('/')[1]!;
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(git('show', `HEAD:${path}`)) as Record<string, unknown>;
  } catch {
    unreadable.push(path);
    continue;
  }
  for (const [section, definitions] of Object.entries(doc)) {
    if (!section.endsWith('esourceDefinitions')) continue;
    for (const definition of Object.values(definitions as Record<string, { properties?: { type?: { enum?: string[] } } }>)) {
      for (const type of definition.properties?.type?.enum ?? []) versions.get(type.toLowerCase())?.add(version);
    }
  }
}
const types = Object.fromEntries([...versions].map(([type, found]) => [type, [...found].sort()]));
writeFileSync(
  OUT,
  `${JSON.stringify({ source: { repository: 'Azure/azure-resource-manager-schemas', commit, unreadable }, types }, null, 2)}\n`,
);
console.log(`wrote ${OUT}:`, Object.fromEntries(Object.entries(types).map(([type, list]) => [type, list.length])), unreadable.length ? `unreadable: ${unreadable.join(', ')}` : '');
