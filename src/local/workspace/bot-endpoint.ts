import { commandBody, interactionBody, slackSignatureHeaders } from '../../sandbox/slack/signature.js';

export type BotAnswer = { ok: true; body: string } | { ok: false; error: string };

/** Slack gives up on an app after 3 seconds and tells the person; so does the workspace. */
const SLACK_TIMEOUT_MS = 3000;

/** The bot's request URL, called exactly as Slack calls it: the same bodies, signed with the app's signing secret. */
export class BotEndpoint {
  constructor(
    private readonly url: string,
    private readonly signingSecret: string,
  ) {}

  command(fields: Record<string, string>): Promise<BotAnswer> {
    return this.post(commandBody(fields), 'application/x-www-form-urlencoded');
  }

  interaction(payload: unknown): Promise<BotAnswer> {
    return this.post(interactionBody(payload), 'application/x-www-form-urlencoded');
  }

  event(envelope: unknown): Promise<BotAnswer> {
    return this.post(JSON.stringify(envelope), 'application/json');
  }

  private async post(rawBody: string, contentType: string): Promise<BotAnswer> {
    try {
      const res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': contentType, ...slackSignatureHeaders(this.signingSecret, rawBody) },
        body: rawBody,
        signal: AbortSignal.timeout(SLACK_TIMEOUT_MS),
      });
      const body = await res.text();
      return res.ok ? { ok: true, body } : { ok: false, error: `http_error_${res.status}` };
    } catch (err) {
      return { ok: false, error: (err as Error).name === 'TimeoutError' ? 'operation_timeout' : 'dispatch_failed' };
    }
  }
}

/** An ack body: JSON (a message or a response_action), plain text (a message), or empty. */
export function parseAck(body: string): Record<string, unknown> | undefined {
  if (body.trim() === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object') return parsed as Record<string, unknown>;
  } catch {
    // Bolt sends a string ack as the raw body; Slack shows it as the message text.
  }
  return { text: body };
}
