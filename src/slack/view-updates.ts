import type { WebClient } from '@slack/web-api';
import type { ModalView } from '@slack/types';

/** The hash Slack gave each view at its last update by this process, for one retry on `hash_conflict`. */
const latestHash = new Map<string, string>();
const REMEMBERED_VIEWS = 500;

/**
 * views.update guarded by the hash the click saw, so an older click never overwrites a newer
 * view. On `hash_conflict` (another update landed first, e.g. a second quick click) the view is
 * rebuilt from the store — which holds what that other click saved — and sent once more with the
 * hash Slack returned for the view's latest update.
 */
export async function updateViewGuarded(client: WebClient, viewId: string, hash: string | undefined, build: () => Promise<ModalView>): Promise<void> {
  try {
    remember(viewId, await client.views.update({ view_id: viewId, ...(hash ? { hash } : {}), view: await build() }));
  } catch (err) {
    if ((err as { data?: { error?: string } }).data?.error !== 'hash_conflict') throw err;
    const fresh = latestHash.get(viewId);
    remember(viewId, await client.views.update({ view_id: viewId, ...(fresh ? { hash: fresh } : {}), view: await build() }));
  }
}

function remember(viewId: string, answer: { view?: { hash?: string } }): void {
  if (!answer.view?.hash) return;
  latestHash.delete(viewId);
  latestHash.set(viewId, answer.view.hash);
  if (latestHash.size > REMEMBERED_VIEWS) latestHash.delete(latestHash.keys().next().value!);
}
