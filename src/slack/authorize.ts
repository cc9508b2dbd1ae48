import type { Permission } from '../domain/permissions.js';
import { allows, refusal } from '../domain/permissions.js';
import type { Role } from '../domain/model.js';
import type { Services } from '../services.js';
import { escapeMrkdwn, type Mrkdwn } from '../../views/blocks.js';

export type Authorization = { ok: true; role: Role } | { ok: false; role: Role; message: Mrkdwn };

/** Every command and button asks here first; the answer carries the refusal sentence to show. */
export async function authorize(services: Services, userId: string, permission: Permission, what: string): Promise<Authorization> {
  const role = await services.repos.roles.roleOf(userId, services.config.admins);
  return allows(role, permission) ? { ok: true, role } : { ok: false, role, message: escapeMrkdwn(refusal(role, permission, what)) };
}
