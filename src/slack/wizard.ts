/** Bolt glue the wizard's command, buttons and submissions share: opening it and finding its draft. */
import type { WebClient } from '@slack/web-api';
import type { ModalView } from '@slack/types';
import type { Draft } from '../domain/model.js';
import type { Services } from '../services.js';
import type { Repositories } from '../store/repositories.js';
import { createDraft, loadDraft } from '../workflow/drafts.js';
import { wizardStepView, type WizardValues } from '../workflow/wizard.js';
import { CALLBACK } from '../../views/ids.js';
import { draftIdOf, draftUnavailableView, noLayersView } from '../../views/wizard.js';

/**
 * Opens step 1. `layerId` is set when the user named the layer (command or a layer's Add
 * Version button): the base version then defaults to the layer's latest deployable one.
 * Called right after ack(); the store reads here are indexed and fast, well within the trigger's life.
 */
export async function openWizard(
  services: Pick<Services, 'repos'>,
  client: WebClient,
  opts: { triggerId: string; userId: string; channelId?: string; layerId?: string },
): Promise<void> {
  const { repos } = services;
  const layer = opts.layerId ? await repos.layers.get(opts.layerId) : null;
  if (!layer && (await repos.layers.list({}, { limit: 1 })).length === 0) {
    await client.views.open({ trigger_id: opts.triggerId, view: noLayersView() });
    return;
  }
  const values: WizardValues = layer ? { layerId: layer._id, baseVersionId: layer.latestVersionId, layerFromCommand: true } : {};
  const draft = await createDraft(repos, opts.userId, opts.channelId, { ...values });
  await client.views.open({ trigger_id: opts.triggerId, view: await wizardStepView(repos, draft, CALLBACK.wizardVersionDetails) });
}

export type DraftOfView = { ok: true; draft: Draft } | { ok: false; view: ModalView };

/** The draft behind a wizard view, or the view that explains why it is gone (never a silent failure). */
export async function draftOfView(repos: Repositories, view: { private_metadata?: string }, userId: string): Promise<DraftOfView> {
  const draftId = draftIdOf(view.private_metadata);
  const found = draftId ? await loadDraft(repos, draftId, userId) : ({ ok: false, reason: 'missing' } as const);
  if (found.ok) return found;
  return { ok: false, view: draftUnavailableView(found.reason === 'used' ? 'used' : 'expired') };
}
