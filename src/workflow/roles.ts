import type { Role, RoleAssignment } from '../domain/model.js';
import { ROLE_LABELS } from '../domain/permissions.js';
import type { Services } from '../services.js';
import { recordAudit } from './audit.js';

export type AssignRoleResult = { ok: true; previous: Role; role: Role } | { ok: false; message: string };

/** Who holds which role: bootstrap admins from OSLAYER_ADMINS first, then stored assignments. */
export interface RoleListing {
  bootstrapAdmins: readonly string[];
  assignments: RoleAssignment[];
}

export async function listRoles(services: Pick<Services, 'repos' | 'config'>): Promise<RoleListing> {
  const bootstrapAdmins = services.config.admins;
  const assignments = await services.repos.roles.list({ _id: { $nin: [...bootstrapAdmins] } }, { sort: { at: -1 } });
  return { bootstrapAdmins, assignments };
}

/**
 * Gives `userId` a role, recorded in the audit log. Read Only is the absence of an assignment
 * (everyone starts there), so assigning it removes the stored one. Bootstrap admins are
 * Administrators by configuration and cannot be changed here; the last Administrator cannot be
 * demoted, so the roles can always be managed.
 */
export async function assignRole(
  services: Pick<Services, 'repos' | 'config'>,
  req: { actor: string; userId: string; role: Role },
): Promise<AssignRoleResult> {
  const { repos, config } = services;
  const { actor, userId, role } = req;
  if (!/^[UW][A-Z0-9]{2,}$/.test(userId)) return { ok: false, message: 'Choose a person from the list.' };
  if (config.admins.includes(userId)) {
    return { ok: false, message: 'This person is an Administrator set by OSLAYER_ADMINS; only a change to that setting can change their role.' };
  }
  const previous = await repos.roles.roleOf(userId, config.admins);
  if (previous === 'administrator' && role !== 'administrator' && config.admins.length === 0) {
    const admins = await repos.roles.list({ role: 'administrator' });
    if (admins.length <= 1) return { ok: false, message: 'This person is the last Administrator; make someone else an Administrator first.' };
  }
  if (role === 'read-only') {
    await repos.roles.remove(userId);
  } else {
    const assignment = { role, assignedBy: actor, at: new Date() };
    if (!(await repos.roles.update(userId, assignment))) await repos.roles.insert({ _id: userId, ...assignment });
  }
  await recordAudit(repos, {
    actor,
    action: 'role.assign',
    target: `user:${userId}`,
    details: { role: ROLE_LABELS[role], previous: ROLE_LABELS[previous] },
  });
  return { ok: true, previous, role };
}
