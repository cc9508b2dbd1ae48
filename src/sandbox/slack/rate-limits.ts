/**
 * Slack's Web API rate limits, as the fake Web API enforces them.
 *
 * Sources:
 * - each method's tier: the `rate_limits` field ("t1".."t4", "t5" = Special) of
 *   slack-ruby/slack-api-ref docs.slack.dev/methods/<method>.json (commit f4837c0cb6dba1b1122ce66a5b69195ce47213f8),
 *   reduced to the methods this bot calls;
 * - the tiers (docs.slack.dev "Rate limits"; Slack changelog 2018-03 "Great rate limits"): limits are
 *   evaluated per method, per workspace, per app, in windows of a minute; Tier 1 1+ per minute,
 *   Tier 2 20+, Tier 3 50+, Tier 4 100+, with bursts tolerated; Special: chat.postMessage "generally
 *   allows posting one message per second per channel", with short bursts over that;
 * - over a limit Slack answers HTTP 429 Too Many Requests with a `Retry-After` header (seconds) and
 *   `{"ok": false, "error": "ratelimited"}`.
 * The fake takes each tier's lower bound as the limit: a bucket holding a minute's calls, refilled
 * evenly over the minute. Slack publishes no burst size for chat.postMessage; the fake allows
 * POST_MESSAGE_BURST messages at once in a channel, then one a second. The other Special methods
 * (auth.test, chat.getPermalink) are held to Tier 4, stricter than Slack says.
 */

export type Tier = 1 | 2 | 3 | 4;

/** A bucket: `count` calls at once, refilled evenly over `windowMs`. */
export interface Bucket {
  count: number;
  windowMs: number;
}

export interface RateLimits {
  tiers: Record<Tier, Bucket>;
  /** chat.postMessage, per channel. */
  postMessagePerChannel: Bucket;
}

const MINUTE = 60_000;
const POST_MESSAGE_BURST = 3;

/** Slack's published limits (each tier's lower bound). */
export const SLACK_RATE_LIMITS: RateLimits = {
  tiers: { 1: { count: 1, windowMs: MINUTE }, 2: { count: 20, windowMs: MINUTE }, 3: { count: 50, windowMs: MINUTE }, 4: { count: 100, windowMs: MINUTE } },
  postMessagePerChannel: { count: POST_MESSAGE_BURST, windowMs: POST_MESSAGE_BURST * 1000 },
};

/** `per-channel`: chat.postMessage's Special tier. */
export const METHOD_TIERS: Readonly<Record<string, Tier | 'per-channel'>> = {
  'auth.test': 4,
  'chat.postMessage': 'per-channel',
  'chat.update': 3,
  'chat.postEphemeral': 4,
  'chat.delete': 3,
  'chat.getPermalink': 4,
  'views.open': 4,
  'views.push': 4,
  'views.update': 4,
  'views.publish': 4,
  'conversations.info': 3,
  'conversations.history': 3,
  'conversations.replies': 3,
  'conversations.members': 4,
  'conversations.list': 2,
  'conversations.join': 3,
  'users.info': 4,
  'users.list': 2,
  'files.getUploadURLExternal': 4,
  'files.completeUploadExternal': 4,
};

/** What a call counts against: the method, and for chat.postMessage its channel. */
export function rateKey(method: string, args: Record<string, unknown>): string {
  return METHOD_TIERS[method] === 'per-channel' ? `${method} ${String(args.channel)}` : method;
}

/** Token buckets per rate key; `take` answers how long to wait when the call is over the limit. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private limits: RateLimits = SLACK_RATE_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** New limits from now on (tests lower them to provoke 429s within seconds); buckets start full. */
  set(limits: RateLimits): void {
    this.limits = limits;
    this.buckets.clear();
  }

  get current(): RateLimits {
    return this.limits;
  }

  /** Spends one call: undefined when it may go through, else Retry-After in whole seconds. */
  take(method: string, args: Record<string, unknown>): number | undefined {
    const tier = METHOD_TIERS[method];
    if (tier === undefined) return undefined;
    const limit = tier === 'per-channel' ? this.limits.postMessagePerChannel : this.limits.tiers[tier];
    const key = rateKey(method, args);
    const now = this.now();
    const msPerToken = limit.windowMs / limit.count;
    const bucket = this.buckets.get(key) ?? { tokens: limit.count, at: now };
    bucket.tokens = Math.min(limit.count, bucket.tokens + (now - bucket.at) / msPerToken);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }
    return Math.max(1, Math.ceil(((1 - bucket.tokens) * msPerToken) / 1000));
  }
}
