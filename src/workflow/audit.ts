import { randomUUID } from 'node:crypto';
import type { Repositories } from '../store/repositories.js';

/** Appends one audit entry. `details` must never hold a secret: callers pass names and ids only. */
export async function recordAudit(
  repos: Repositories,
  entry: { actor: string; action: string; target: string; details?: Record<string, unknown> },
): Promise<void> {
  await repos.audit.insert({ _id: randomUUID(), at: new Date(), ...entry });
}
