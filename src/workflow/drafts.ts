import { randomUUID } from 'node:crypto';
import dayjs from 'dayjs';
import type { Draft } from '../domain/model.js';
import type { Repositories } from '../store/repositories.js';

/** A wizard draft lives this long after its last change; Slack modals stay open at most hours. */
export const DRAFT_LIFETIME_MINUTES = 60;

export type DraftLookup = { ok: true; draft: Draft } | { ok: false; reason: 'missing' | 'expired' | 'used' | 'not-yours' };

export async function createDraft(repos: Repositories, userId: string, channelId: string | undefined, values: Record<string, unknown>): Promise<Draft> {
  const now = new Date();
  const draft: Draft = {
    _id: randomUUID(),
    userId,
    channelId,
    step: 'version-details',
    values,
    used: false,
    createdAt: now,
    expiresAt: dayjs(now).add(DRAFT_LIFETIME_MINUTES, 'minute').toDate(),
  };
  await repos.drafts.insert(draft);
  return draft;
}

export async function loadDraft(repos: Repositories, draftId: string, userId: string): Promise<DraftLookup> {
  const draft = await repos.drafts.get(draftId);
  if (!draft) return { ok: false, reason: 'missing' };
  if (draft.userId !== userId) return { ok: false, reason: 'not-yours' };
  if (draft.used) return { ok: false, reason: 'used' };
  if (draft.expiresAt.getTime() < Date.now()) return { ok: false, reason: 'expired' };
  return { ok: true, draft };
}

export async function saveDraft(repos: Repositories, draft: Draft, changes: { step?: string; values?: Record<string, unknown> }): Promise<Draft> {
  const next: Draft = {
    ...draft,
    step: changes.step ?? draft.step,
    values: { ...draft.values, ...changes.values },
    expiresAt: dayjs().add(DRAFT_LIFETIME_MINUTES, 'minute').toDate(),
  };
  await repos.drafts.update(draft._id, { step: next.step, values: next.values, expiresAt: next.expiresAt });
  return next;
}

/** Marks a draft used exactly once: a double-submitted Create Version creates one version. */
export async function consumeDraft(repos: Repositories, draftId: string): Promise<boolean> {
  return repos.claims.tryClaim(`draft:${draftId}`, 'create-version').then(async (won) => {
    if (won) await repos.drafts.update(draftId, { used: true });
    return won;
  });
}

/**
 * Undoes consumeDraft when Create Version could not go ahead after all (another version took
 * the name in the meantime), so the user can fix the step and submit again.
 */
export async function releaseDraft(repos: Repositories, draftId: string): Promise<void> {
  await repos.drafts.update(draftId, { used: false });
  await repos.claims.remove(`draft:${draftId}`);
}
