/**
 * Role definitions as ARM knows them: Microsoft's built-in roles that the project meets
 * (./../roles/built-in-roles.json, written from Microsoft's published definitions; sources in
 * test/fixtures/arm/SOURCES.md), the custom roles the bot ships, and any custom role a test
 * gives inline.
 */
import { readFileSync } from 'node:fs';
import { CUSTOM_ROLES } from '../../../azure/required-permissions.js';
import type { RolePermissions } from '../../../azure/rbac.js';
import { ArmError } from '../http.js';

export interface RoleDefinition extends RolePermissions {
  roleName: string;
}

interface PublishedRole {
  roleName: string;
  permissions: RolePermissions[];
}

const BUILT_IN: readonly RoleDefinition[] = (JSON.parse(readFileSync(new URL('../roles/built-in-roles.json', import.meta.url), 'utf8')) as PublishedRole[]).map(
  (role) => ({ roleName: role.roleName, ...role.permissions[0]! }),
);

const KNOWN: readonly RoleDefinition[] = [...BUILT_IN, ...CUSTOM_ROLES.map((role) => ({ ...role, roleName: role.name }))];

export const BUILT_IN_ROLE_NAMES: readonly string[] = BUILT_IN.map((role) => role.roleName);

/** A role by name (as `az role assignment create --role` takes it); ARM's 400 for one it does not know. */
export function roleNamed(name: string): RoleDefinition {
  const role = KNOWN.find((candidate) => candidate.roleName.toLowerCase() === name.toLowerCase());
  if (!role) throw new ArmError(400, 'RoleDefinitionDoesNotExist', `The specified role definition with ID '${name}' does not exist.`);
  return role;
}
