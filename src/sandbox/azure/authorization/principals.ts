/**
 * Who may do what in the simulated tenant: its principals (the app's service principal and the
 * `portal-user` who deploys templates through the portal) and their role assignments, the one
 * place ARM and the storage gateway read roles from. A role assigned at a scope applies to
 * everything below it (subscription → resource group → resource), as in Azure RBAC
 * ("Understand scope for Azure RBAC", learn.microsoft.com).
 */
import { permits, type OperationKind, type RolePermissions } from '../../../azure/rbac.js';
import { ArmError } from '../http.js';
import { roleNamed, type RoleDefinition } from './roles.js';

/** The person who opens the portal link (the portal stand-in signs in as them). */
export const PORTAL_USER = 'portal-user';

export interface PrincipalInit {
  objectId: string;
  /** A service principal's application (client) id; users have none. */
  clientId?: string;
  name: string;
  roleAssignments: RoleAssignmentInput[];
}

/** A role by name, or a custom role given inline. */
export interface RoleAssignmentInput {
  role: string | { name: string; actions?: string[]; notActions?: string[]; dataActions?: string[]; notDataActions?: string[] };
  scope: string;
}

interface Assignment {
  role: RoleDefinition;
  scope: string;
}

interface Principal {
  objectId: string;
  clientId?: string;
  name: string;
  assignments: Assignment[];
}

/** GET /_simulator/principals, one entry. */
export interface PrincipalView {
  objectId: string;
  clientId?: string;
  name: string;
  roleAssignments: Array<{ role: string; scope: string }>;
}

export class Principals {
  private readonly principals: Principal[];

  constructor(initial: readonly PrincipalInit[]) {
    this.principals = initial.map((init) => ({
      objectId: init.objectId,
      ...(init.clientId ? { clientId: init.clientId } : {}),
      name: init.name,
      assignments: init.roleAssignments.map(resolve),
    }));
  }

  list(): PrincipalView[] {
    return this.principals.map(view);
  }

  /** By object id or client id; 404 for neither. */
  find(id: string): Principal {
    const wanted = id.toLowerCase();
    const found = this.principals.find((p) => p.objectId.toLowerCase() === wanted || p.clientId?.toLowerCase() === wanted || p.name.toLowerCase() === wanted);
    if (!found) throw new ArmError(404, 'PrincipalNotFound', `Principal ${id} does not exist in the directory.`);
    return found;
  }

  /** Replaces the principal's role assignments (ARM-side, as removing and creating assignments would). */
  replace(id: string, assignments: readonly RoleAssignmentInput[]): PrincipalView {
    const principal = this.find(id);
    principal.assignments = assignments.map(resolve);
    return view(principal);
  }

  /** Replaces only the assignments made exactly at `scope` (the older storage control field). */
  replaceAt(id: string, scope: string, roles: readonly string[]): void {
    const principal = this.find(id);
    principal.assignments = [...principal.assignments.filter((a) => !sameScope(a.scope, scope)), ...roles.map((role) => resolve({ role, scope }))];
  }

  /** The role names `id` holds exactly at `scope`. */
  rolesAt(id: string, scope: string): string[] {
    return this.find(id).assignments.filter((a) => sameScope(a.scope, scope)).map((a) => a.role.roleName);
  }

  /** The permissions of every assignment that applies at `scope` (made there or above it). */
  grantsAt(objectId: string, scope: string): RolePermissions[] {
    const principal = this.principals.find((p) => p.objectId.toLowerCase() === objectId.toLowerCase());
    return (principal?.assignments ?? []).filter((a) => covers(a.scope, scope)).map((a) => a.role);
  }

  allows(objectId: string, scope: string, operation: string, kind: OperationKind = 'action'): boolean {
    return permits(this.grantsAt(objectId, scope), operation, kind);
  }

  /** How ARM names the caller in a refusal: a service principal by its client id, a user by name. */
  clientName(objectId: string): string {
    const principal = this.principals.find((p) => p.objectId.toLowerCase() === objectId.toLowerCase());
    return principal?.clientId ?? principal?.name ?? objectId;
  }
}

function resolve(input: RoleAssignmentInput): Assignment {
  const role: RoleDefinition =
    typeof input.role === 'string'
      ? roleNamed(input.role)
      : {
          roleName: input.role.name,
          actions: input.role.actions ?? [],
          notActions: input.role.notActions ?? [],
          dataActions: input.role.dataActions ?? [],
          notDataActions: input.role.notDataActions ?? [],
        };
  return { role, scope: input.scope.replace(/\/+$/, '') };
}

function view(principal: Principal): PrincipalView {
  return {
    objectId: principal.objectId,
    ...(principal.clientId ? { clientId: principal.clientId } : {}),
    name: principal.name,
    roleAssignments: principal.assignments.map((a) => ({ role: a.role.roleName, scope: a.scope })),
  };
}

function sameScope(a: string, b: string): boolean {
  return a.toLowerCase() === b.replace(/\/+$/, '').toLowerCase();
}

/** Whether an assignment at `assigned` reaches `target` (the same scope or one below it). */
function covers(assigned: string, target: string): boolean {
  const scope = assigned.toLowerCase();
  const wanted = target.replace(/\/+$/, '').toLowerCase();
  return wanted === scope || wanted.startsWith(`${scope}/`);
}
