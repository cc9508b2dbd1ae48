import { randomBytes } from 'node:crypto';
import type { AnyMiddlewareArgs, App, CodedError, Context } from '@slack/bolt';
import type { Logger } from '../logger.js';

/** Where to tell the user about a failure, from whichever kind of request it was. */
function whoAndWhere(body: Record<string, unknown>): { user?: string; channel?: string } {
  const user = (body.user_id as string | undefined) ?? (body.user as { id?: string } | undefined)?.id;
  const channel =
    (body.channel_id as string | undefined) ??
    (body.channel as { id?: string } | undefined)?.id ??
    (body.container as { channel_id?: string } | undefined)?.channel_id;
  return { user, channel };
}

/**
 * Users get a short message with an error id; the log gets the details under the same id.
 * Never a stack trace in Slack.
 */
export function installErrorHandler(app: App, logger: Logger): void {
  app.error((async ({ error, body, context }: { error: CodedError; body: AnyMiddlewareArgs['body']; context: Context }) => {
    const errorId = randomBytes(4).toString('hex');
    const original = (error as { original?: unknown }).original ?? error;
    logger.error(`error ${errorId}:`, original instanceof Error ? (original.stack ?? original.message) : original);
    const { user, channel } = whoAndWhere((body ?? {}) as Record<string, unknown>);
    if (!user) return;
    const text = `Sorry, something went wrong on my side (error id \`${errorId}\`). Nothing was changed by the failed step; try again, or give the error id to whoever runs oslayer.`;
    const token = context.botToken;
    try {
      if (channel) await app.client.chat.postEphemeral({ token, channel, user, text });
      else await app.client.chat.postMessage({ token, channel: user, text });
    } catch (notifyError) {
      logger.warn(`could not tell ${user} about error ${errorId}:`, (notifyError as Error).message);
    }
  }) as Parameters<App['error']>[0]);
}
