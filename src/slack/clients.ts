import { WebClient, type FetchFunction } from '@slack/web-api';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';

/**
 * The Web API client for background traffic (task messages, history, App Home refreshes).
 * @slack/web-api answers a 429 by pausing the whole client's queue for Retry-After and retrying;
 * on a client that also opened modals, a click would wait behind progress updates until its
 * trigger_id (3 s) expired. So background calls have a client of their own that hands a 429 back
 * (rejectRateLimitedCalls) to the budget, which waits out Retry-After; Bolt's clients, which
 * answer people, never see these 429s.
 */
export function backgroundClient(slack: Pick<Config['slack'], 'botToken' | 'apiUrl'>, logger: Logger, fetch?: FetchFunction): WebClient {
  // `fetch`: the metrics' counting fetch (calls by method, 429s), as Bolt's clients have.
  return new WebClient(slack.botToken, { ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}), rejectRateLimitedCalls: true, logger, ...(fetch ? { fetch } : {}) });
}
