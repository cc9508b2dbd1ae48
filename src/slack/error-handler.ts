import { randomBytes } from 'node:crypto';
import type { AnyMiddlewareArgs, App, CodedError, Context } from '@slack/bolt';
import type { Logger } from '../logger.js';
import { noticeView } from './replies.js';
import { escapeMrkdwn, mrkdwn } from '../../views/blocks.js';

/** Where to tell the user about a failure, from whichever kind of request it was. */
function whoAndWhere(body: Record<string, unknown>): { user?: string; responseUrl?: string; triggerId?: string; inModal: boolean } {
  const user = (body.user_id as string | undefined) ?? (body.user as { id?: string } | undefined)?.id;
  const responseUrl = (body.response_url as string | undefined) ?? (body.response_urls as Array<{ response_url?: string }> | undefined)?.[0]?.response_url;
  const inModal = (body.view as { type?: string } | undefined)?.type === 'modal';
  return { user, responseUrl, triggerId: body.trigger_id as string | undefined, inModal };
}

/**
 * Users get a short message with an error id; the log gets the details under the same id.
 * Never a stack trace in Slack, never a DM (the Messages tab is off): the answer goes through
 * the request's response_url (commands, message buttons), else a small modal while the
 * trigger_id still works: pushed onto the modal the click came from (Slack shows views.open over
 * an open modal unreliably; views.push is its way), opened over App Home. It goes on app.client,
 * which background traffic never uses (see clients.ts), so a background 429 never delays it. It never claims that nothing changed: the step
 * that failed may have come after others that did their work.
 */
export function installErrorHandler(app: App, logger: Logger): void {
  app.error((async ({ error, body, context }: { error: CodedError; body: AnyMiddlewareArgs['body']; context: Context }) => {
    const errorId = randomBytes(4).toString('hex');
    const original = (error as { original?: unknown }).original ?? error;
    logger.error(`error ${errorId}:`, original instanceof Error ? (original.stack ?? original.message) : original);
    const { user, responseUrl, triggerId, inModal } = whoAndWhere((body ?? {}) as Record<string, unknown>);
    if (!user) return;
    const text = mrkdwn`Sorry, something went wrong on my side (error id \`${escapeMrkdwn(errorId)}\`). What was done before it may have taken effect: \`/oslayer tasks\` shows every task and where it stands. Try again, or give the error id to whoever runs oslayer.`;
    try {
      if (responseUrl) {
        const res = await fetch(responseUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text }) });
        if (!res.ok) throw new Error(`the response_url answered HTTP ${res.status}`);
      } else if (triggerId) {
        const notice = { token: context.botToken, trigger_id: triggerId, view: noticeView(text) };
        await (inModal ? app.client.views.push(notice) : app.client.views.open(notice));
      }
    } catch (notifyError) {
      logger.warn(`could not tell ${user} about error ${errorId}:`, (notifyError as Error).message);
    }
  }) as Parameters<App['error']>[0]);
}
