import type { Repositories } from '../../store/repositories.js';
import type { LocalUser } from './directory.js';

/**
 * Makes the stored roles match the switcher's labels at every start: Administrators come from
 * OSLAYER_ADMINS (config), Manage OS Layers is a stored assignment, Read Only is no assignment.
 */
export async function seedLocalRoles(roles: Repositories['roles'], users: readonly LocalUser[]): Promise<void> {
  const admin = users.find((u) => u.role === 'administrator');
  for (const user of users) {
    if (user.role === 'administrator') continue;
    if (user.role === 'read-only') {
      await roles.remove(user.id);
      continue;
    }
    const assignment = { role: user.role, assignedBy: admin?.id ?? 'local', at: new Date() };
    if (!(await roles.update(user.id, assignment))) await roles.insert({ _id: user.id, ...assignment });
  }
}
