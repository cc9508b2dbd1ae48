import type { App, BlockButtonAction } from '@slack/bolt';
import type { Agenda } from 'agenda';
import type { Services } from '../../services.js';
import { authorize } from '../authorize.js';
import { redraw, tellUser } from '../replies.js';
import { currentOperations, OPERATIONS_TITLE } from './current.js';

export interface JobButton {
  actionId: string;
  /** For the refusal: "retry a job". */
  what: string;
  /** For the log line: "retried". */
  done: string;
  /** False when the job is gone or not in a state the button applies to. */
  operate(agenda: Agenda, jobId: string): Promise<boolean>;
}

/** A button on one job in Operations (value: the job id): Administrators only; the view is redrawn after. */
export function onJobButton(app: App, services: Services, button: JobButton): void {
  app.action<BlockButtonAction>({ action_id: button.actionId, type: 'block_actions' }, async (args) => {
    const { ack, body, action } = args;
    await ack();
    const auth = await authorize(services, body.user.id, 'operate-jobs', button.what);
    if (!auth.ok) return tellUser(args, auth.message);
    const jobId = action.value ?? '';
    const ok = await button.operate(services.scheduler.agenda, jobId);
    services.logger.info(ok ? `${body.user.id} ${button.done} job ${jobId}` : `job ${jobId} was gone or had changed state; ${body.user.id} could not ${button.what}`);
    await redraw(args, await currentOperations(services), OPERATIONS_TITLE);
  });
}
