import dayjs from 'dayjs';
import type { Config } from '../config.js';
import type { TaskStatus } from '../domain/model.js';
import type { Repositories } from '../store/repositories.js';
import { recordAudit } from './audit.js';

/** Tasks that will never change again; running and action-required ones are kept however old. */
const FINISHED: TaskStatus[] = ['done', 'failed', 'cancelled'];

/** The actor of entries the bot writes on its own. */
export const BOT_ACTOR = 'oslayer';

export interface RetentionResult {
  tasks: number;
  audit: number;
  drafts: number;
}

/**
 * Deletes finished tasks and audit entries older than their retention, and expired wizard
 * drafts. Plain deletes by date rather than TTL indexes, which FerretDB lacks; running it
 * twice deletes nothing more, so the daily job may overlap or repeat safely.
 */
export async function enforceRetention(repos: Repositories, retention: Config['retention'], now = new Date()): Promise<RetentionResult> {
  const taskCutoff = dayjs(now).subtract(retention.taskDays, 'day').toDate();
  const auditCutoff = dayjs(now).subtract(retention.auditDays, 'day').toDate();
  const result: RetentionResult = {
    tasks: await repos.tasks.removeMany({ status: { $in: FINISHED }, updatedAt: { $lt: taskCutoff } }),
    audit: await repos.audit.removeMany({ at: { $lt: auditCutoff } }),
    drafts: await repos.drafts.removeMany({ expiresAt: { $lt: now } }),
  };
  // The history says when history was trimmed, so a short audit log is never a mystery.
  if (result.tasks > 0 || result.audit > 0) {
    await recordAudit(repos, {
      actor: BOT_ACTOR,
      action: 'retention.enforce',
      target: 'history',
      details: { tasksDeleted: result.tasks, auditEntriesDeleted: result.audit, taskDays: retention.taskDays, auditDays: retention.auditDays },
    });
  }
  return result;
}
