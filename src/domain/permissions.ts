import type { Role } from './model.js';

/** What a user can ask of the bot; each maps to the least role allowed to do it (App Layering's roles). */
export const PERMISSIONS = {
  'view': 'read-only',
  'add-version': 'manage-os-layers',
  'import-layer': 'manage-os-layers',
  'operate-machine': 'manage-os-layers',
  'finalize': 'manage-os-layers',
  'cancel': 'manage-os-layers',
  'manage-connectors': 'administrator',
  'manage-roles': 'administrator',
  'read-audit': 'administrator',
  'operate-jobs': 'administrator',
} as const satisfies Record<string, Role>;

export type Permission = keyof typeof PERMISSIONS;

const RANK: Record<Role, number> = { 'read-only': 0, 'manage-os-layers': 1, administrator: 2 };

export const ROLE_LABELS: Record<Role, string> = {
  administrator: 'Administrator',
  'manage-os-layers': 'Manage OS Layers',
  'read-only': 'Read Only',
};

export function allows(role: Role, permission: Permission): boolean {
  return RANK[role] >= RANK[PERMISSIONS[permission]];
}

/** The sentence a refused user sees: what they tried, the role it needs, the role they have. */
export function refusal(role: Role, permission: Permission, what: string): string {
  const needed = PERMISSIONS[permission];
  const roles = needed === 'administrator' ? 'Administrator' : 'Manage OS Layers or Administrator';
  return `You can't ${what}: it needs the ${roles} role, and you have ${ROLE_LABELS[role]}. An Administrator can change your role with \`/oslayer roles\`.`;
}
