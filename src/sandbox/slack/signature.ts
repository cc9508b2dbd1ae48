import { createHmac } from 'node:crypto';

/** Headers Slack sends with every request: v0 HMAC-SHA256 of `v0:<timestamp>:<raw body>`. */
export function slackSignatureHeaders(
  signingSecret: string,
  rawBody: string,
  timestamp = Math.floor(Date.now() / 1000),
): Record<string, string> {
  const signature = createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex');
  return {
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': `v0=${signature}`,
  };
}

/** The form bodies Slack posts: slash commands as fields, interactions as `payload=<json>`. */
export function commandBody(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

export function interactionBody(payload: unknown): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
