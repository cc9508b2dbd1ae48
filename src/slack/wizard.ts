/** Bolt glue the wizard's command, buttons and submissions share: opening it and finding its draft. */
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs, ViewOutput } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { ModalView } from '@slack/types';
import type { Draft } from '../domain/model.js';
import type { Services } from '../services.js';
import type { Repositories } from '../store/repositories.js';
import { createDraft, loadDraft, saveDraft } from '../workflow/drafts.js';
import { wizardStepView, type WizardStepId, type WizardValues } from '../workflow/wizard.js';
import { authorize } from './authorize.js';
import { tellUser } from './replies.js';
import { updateViewGuarded } from './view-updates.js';
import { CALLBACK } from '../../views/ids.js';
import { draftIdOf, draftUnavailableView, noLayersView } from '../../views/wizard.js';

/**
 * Opens step 1. `layerId` is set when the user named the layer (command or a layer's Add
 * Version button): the base version then defaults to the layer's latest deployable one.
 * The draft keeps the channel the task message will go to (OSLAYER_NOTIFY_CHANNEL, else the
 * command's channel; none from App Home), which the confirm step shows and checks.
 * Called right after ack(); the store reads here are indexed and fast, well within the trigger's life.
 */
export async function openWizard(
  services: Pick<Services, 'repos' | 'config'>,
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
  const draft = await createDraft(repos, opts.userId, services.config.notifyChannel ?? opts.channelId, { ...values });
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

type WizardClickArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/**
 * A click inside the wizard (Back, or a select that reshapes its step): ack, check the role,
 * find the draft (or show why it is gone), save what `edit` decides and show that step.
 * `edit` returns undefined to ignore the click.
 */
export async function onWizardClick(
  args: WizardClickArgs,
  services: Services,
  edit: (view: ViewOutput) => Promise<{ step: WizardStepId; values: Record<string, unknown> } | undefined>,
): Promise<void> {
  const { ack, body, client } = args;
  await ack();
  const auth = await authorize(services, body.user.id, 'add-version', 'add a version to an OS layer');
  if (!auth.ok) return tellUser(args, auth.message);
  const view = body.view!;
  const found = await draftOfView(services.repos, view, body.user.id);
  if (!found.ok) {
    await client.views.update({ view_id: view.id, view: found.view });
    return;
  }
  const change = await edit(view);
  if (!change) return;
  const draft = await saveDraft(services.repos, found.draft, change);
  await updateViewGuarded(client, view.id, view.hash, async () => {
    const latest = await loadDraft(services.repos, draft._id, body.user.id);
    return wizardStepView(services.repos, latest.ok ? latest.draft : draft, change.step);
  });
}
