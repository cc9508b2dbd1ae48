/**
 * What the wizard's Next does on steps 1–3, shared by their listeners: check the role and the
 * draft, check the step, then either field errors on the inputs' blocks or the next step
 * (response_action update) with the checked values saved in the draft.
 */
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import type { Draft } from '../../domain/model.js';
import type { Services } from '../../services.js';
import { authorize } from '../authorize.js';
import { saveDraft } from '../../workflow/drafts.js';
import { type StepCheck, wizardStepView, type WizardStepId } from '../../workflow/wizard.js';
import { errorsForView, readViewState } from '../../../views/state.js';
import { noticeView } from '../replies.js';
import { draftOfView } from '../wizard.js';
import { mrkdwn } from '../../../views/blocks.js';

export type ViewSubmissionArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

export interface WizardStep {
  step: WizardStepId;
  next: WizardStepId;
  /** `raw` is the draft with this step's inputs merged over it; the result's value is what the draft keeps. Runs before the ack: no Azure calls. */
  check(draft: Draft, raw: Record<string, unknown>): Promise<StepCheck<Record<string, unknown>>>;
  /**
   * What only Azure can answer, run after the ack (Slack wants the ack within 3 s, and a cold
   * token alone can take most of that): the modal shows "Checking…", then the next step or this
   * one again with the problem on top. Answers the problem, or undefined.
   */
  checkAfterAck?(value: Record<string, unknown>): Promise<string | undefined>;
}

export function wizardStepListener(services: Services, spec: WizardStep) {
  return async ({ ack, body, view, client }: ViewSubmissionArgs): Promise<void> => {
    const { repos } = services;
    const auth = await authorize(services, body.user.id, 'add-version', 'add a version to an OS layer');
    if (!auth.ok) return ack({ response_action: 'update', view: noticeView(auth.message, 'Create OS Version') });
    const found = await draftOfView(repos, view, body.user.id);
    if (!found.ok) return ack({ response_action: 'update', view: found.view });

    const typed = readViewState(view.state);
    const result = await spec.check(found.draft, { ...found.draft.values, ...typed });
    if (result.ok && spec.checkAfterAck) {
      await ack({ response_action: 'update', view: noticeView(mrkdwn`:hourglass_flowing_sand: Checking in Azure…`, 'Create OS Version') });
      const problem = await spec.checkAfterAck(result.value);
      const draft = await saveDraft(repos, found.draft, problem ? { values: typed } : { step: spec.next, values: result.value });
      await client.views.update({ view_id: view.id, view: await wizardStepView(repos, draft, problem ? spec.step : spec.next, problem) });
      return;
    }
    if (result.ok) {
      const draft = await saveDraft(repos, found.draft, { step: spec.next, values: result.value });
      return ack({ response_action: 'update', view: await wizardStepView(repos, draft, spec.next) });
    }
    const errors = errorsForView(view as unknown as Pick<ModalView, 'blocks'>, result.errors);
    if (Object.keys(errors).length > 0) return ack({ response_action: 'errors', errors });
    // The problem is in a field this view does not show (say, a layer picked while the step was
    // still being rebuilt around it): show the step again, rebuilt, with the reason on top.
    const draft = await saveDraft(repos, found.draft, { values: typed });
    await ack({ response_action: 'update', view: await wizardStepView(repos, draft, spec.step, Object.values(result.errors)[0]) });
  };
}
