/**
 * How Azure RBAC reads a role's permissions, as "Understand Azure role definitions" describes it
 * (learn.microsoft.com/azure/role-based-access-control/role-definitions): an operation is granted
 * when one of the role's `actions` (or `dataActions`) matches it and none of the same role's
 * `notActions` (`notDataActions`) does; roles add up. Operation strings are case-insensitive and
 * `*` matches any run of characters, so `*`, `Microsoft.Compute/*` and a star inside a path
 * (Reader's "star slash read") all work. Connector Test applies it to what the
 * permissions API answers; the sandbox's ARM applies it to role assignments.
 */

export interface RolePermissions {
  actions: readonly string[];
  notActions: readonly string[];
  dataActions: readonly string[];
  notDataActions: readonly string[];
}

/** Control-plane operations (`actions`) or data-plane ones (`dataActions`). */
export type OperationKind = 'action' | 'dataAction';

const patterns = new Map<string, RegExp>();

export function operationMatches(pattern: string, operation: string): boolean {
  let compiled = patterns.get(pattern);
  if (!compiled) {
    const source = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
    patterns.set(pattern, (compiled = new RegExp(`^${source}$`, 'i')));
  }
  return compiled.test(operation);
}

/** Whether any of `grants` (one per role assignment) allows `operation`. */
export function permits(grants: readonly RolePermissions[], operation: string, kind: OperationKind): boolean {
  return grants.some((grant) => {
    const [allowed, denied] = kind === 'action' ? [grant.actions, grant.notActions] : [grant.dataActions, grant.notDataActions];
    return allowed.some((p) => operationMatches(p, operation)) && !denied.some((p) => operationMatches(p, operation));
  });
}
