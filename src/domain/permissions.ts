import type { Role } from './model.js';

/**
 * What each role may do (App Layering's roles, plus Approver for the gallery's two-person rule).
 * Approver is beside the others, not above them: it may view and approve versions, nothing else.
 */
const ROLE_PERMISSIONS = {
  'read-only': ['view'],
  approver: ['view', 'approve-versions'],
  'manage-os-layers': ['view', 'add-version', 'import-layer', 'operate-machine', 'finalize', 'cancel'],
  administrator: [
    'view',
    'add-version',
    'import-layer',
    'operate-machine',
    'finalize',
    'cancel',
    'approve-versions',
    'set-approval-policy',
    'manage-connectors',
    'manage-roles',
    'read-audit',
    'operate-jobs',
  ],
} as const satisfies Record<Role, readonly string[]>;

export type Permission = (typeof ROLE_PERMISSIONS)['administrator'][number];

/** Every permission (the Administrator holds them all). */
export const PERMISSIONS: readonly Permission[] = ROLE_PERMISSIONS.administrator;

export const ROLE_LABELS: Record<Role, string> = {
  administrator: 'Administrator',
  'manage-os-layers': 'Manage OS Layers',
  approver: 'Approver',
  'read-only': 'Read Only',
};

export function allows(role: Role, permission: Permission): boolean {
  return (ROLE_PERMISSIONS[role] as readonly string[]).includes(permission);
}

/** The roles that hold a permission, in the order a refusal names them. */
export function rolesWith(permission: Permission): Role[] {
  return (['manage-os-layers', 'approver', 'administrator'] as const).filter((role) => allows(role, permission));
}

/** The sentence a refused user sees: what they tried, the role it needs, the role they have. */
export function refusal(role: Role, permission: Permission, what: string): string {
  const roles = rolesWith(permission).map((r) => ROLE_LABELS[r]).join(' or ');
  return `You can't ${what}: it needs the ${roles} role, and you have ${ROLE_LABELS[role]}. An Administrator can change your role with \`/oslayer roles\`.`;
}
