/**
 * `npm run docs:roles`: writes the README's table "Role assignments for the connector's identity"
 * from src/azure/required-permissions.ts, between its markers. test/unit/required-permissions.test.ts
 * fails when the README and the module drift apart.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CUSTOM_ROLES, REQUIRED_PERMISSIONS, type PermissionScope } from '../src/azure/required-permissions.js';

export const ROLE_TABLE_START = '<!-- role-table:start (npm run docs:roles writes this from src/azure/required-permissions.ts) -->';
export const ROLE_TABLE_END = '<!-- role-table:end -->';

const SCOPE_TEXT: Readonly<Record<PermissionScope, string>> = {
  subscription: 'the subscription',
  'resource group': "the connector's resource group",
  'virtual network': "the subnet's virtual network (already covered when it is in the connector's resource group)",
  'storage account': 'the storage account (not only a container: Get User Delegation Key is an account-level action)',
  'Compute Gallery': "the connector's Compute Gallery",
};

/** One row per role and scope (and condition), listing the operations it is there for. */
export function roleTable(): string {
  const rows = new Map<string, { scope: PermissionScope; role: string; when?: string; operations: string[]; features: string[] }>();
  for (const entry of REQUIRED_PERMISSIONS) {
    const key = `${entry.scope}\n${entry.role}\n${entry.when ?? ''}`;
    const row = rows.get(key) ?? { scope: entry.scope, role: entry.role, ...(entry.when ? { when: entry.when } : {}), operations: [], features: [] };
    row.operations.push(entry.operation);
    if (!row.features.includes(entry.feature)) row.features.push(entry.feature);
    rows.set(key, row);
  }
  const lines = [...rows.values()].map((row) => {
    const custom = CUSTOM_ROLES.find((role) => role.name === row.role);
    const role = custom ? `**${row.role}** (custom role: \`${custom.file}\`)` : `**${row.role}**`;
    const scope = `${SCOPE_TEXT[row.scope]}${row.when ? ` (only ${row.when})` : ''}`;
    return `| ${scope} | ${role} | ${row.features.join('; ')} | ${row.operations.map((op) => `\`${op}\``).join('<br>')} |`;
  });
  return ['| scope | role | why | operations |', '|---|---|---|---|', ...lines].join('\n');
}

/** `text` with what stands between the two marker lines replaced by `body` (generated README parts). */
export function withGenerated(text: string, startMarker: string, endMarker: string, body: string): string {
  const start = text.indexOf(startMarker);
  const end = text.indexOf(endMarker);
  if (start < 0 || end < start) throw new Error(`README.md has no markers ${startMarker} … ${endMarker}`);
  return `${text.slice(0, start + startMarker.length)}\n${body}\n${text.slice(end)}`;
}

/** The README with its role table replaced by the generated one. */
export function withRoleTable(readme: string): string {
  return withGenerated(readme, ROLE_TABLE_START, ROLE_TABLE_END, roleTable());
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const path = new URL('../README.md', import.meta.url);
  writeFileSync(path, withRoleTable(readFileSync(path, 'utf8')));
  console.log('README.md: role table written from src/azure/required-permissions.ts');
}
