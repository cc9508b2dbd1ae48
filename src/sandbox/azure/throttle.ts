/**
 * ARM's per-subscription request throttling (token bucket, since 2024): reads 250 with 25
 * refilled per second, writes and deletes 200 with 10 per second. Every ARM answer carries
 * `x-ms-ratelimit-remaining-subscription-reads` / `-writes` / `-deletes`; an empty bucket
 * answers 429 SubscriptionRequestsThrottled with Retry-After. Source: "Understand how Azure
 * Resource Manager throttles requests" (learn.microsoft.com, azure-resource-manager/management/
 * request-limits-and-throttling). Also counts what the bot asked for, so a benchmark can say how
 * many token and ARM requests a workflow takes.
 */
import { ArmError, type Router } from './http.js';

export type RequestKind = 'reads' | 'writes' | 'deletes';

interface BucketSpec {
  capacity: number;
  refillPerSecond: number;
}

export const ARM_BUCKETS: Record<RequestKind, BucketSpec> = {
  reads: { capacity: 250, refillPerSecond: 25 },
  writes: { capacity: 200, refillPerSecond: 10 },
  deletes: { capacity: 200, refillPerSecond: 10 },
};

class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly spec: BucketSpec,
    private readonly now: () => number,
  ) {
    this.tokens = spec.capacity;
    this.last = now();
  }

  /** Takes one token; answers what is left, or the seconds until one is back. */
  take(): { remaining: number } | { retryAfterSeconds: number } {
    const now = this.now();
    this.tokens = Math.min(this.spec.capacity, this.tokens + ((now - this.last) / 1000) * this.spec.refillPerSecond);
    this.last = now;
    if (this.tokens < 1) return { retryAfterSeconds: Math.max(1, Math.ceil((1 - this.tokens) / this.spec.refillPerSecond)) };
    this.tokens -= 1;
    return { remaining: Math.floor(this.tokens) };
  }
}

export function kindOf(method: string): RequestKind {
  if (method === 'GET' || method === 'HEAD') return 'reads';
  return method === 'DELETE' ? 'deletes' : 'writes';
}

/** What the simulator was asked, by whom it was asked: Entra ID and ARM. */
export interface RequestCounts {
  tokenRequests: number;
  openIdMetadataRequests: number;
  armRequests: Record<RequestKind, number>;
  /**
   * ARM requests at an api-version Azure has but the simulator holds no contract for (their
   * bodies were not checked), by `type@version`: the bot should send none.
   */
  uncheckedApiVersions: Record<string, number>;
}

export class SubscriptionThrottle {
  /** `now`: the clock the buckets refill by (tests pass their own). */
  constructor(private readonly now: () => number = Date.now) {}

  private buckets = new Map<string, Record<RequestKind, TokenBucket>>();
  private counts: RequestCounts = emptyCounts();

  /** Counts and throttles one ARM request of `subscriptionId`; answers the header to send with it. */
  admit(subscriptionId: string, method: string): Record<string, string> {
    const kind = kindOf(method);
    this.counts.armRequests[kind] += 1;
    const key = subscriptionId.toLowerCase();
    let buckets = this.buckets.get(key);
    if (!buckets) {
      buckets = {
        reads: new TokenBucket(ARM_BUCKETS.reads, this.now),
        writes: new TokenBucket(ARM_BUCKETS.writes, this.now),
        deletes: new TokenBucket(ARM_BUCKETS.deletes, this.now),
      };
      this.buckets.set(key, buckets);
    }
    const taken = buckets[kind].take();
    if ('retryAfterSeconds' in taken) {
      const verb = kind === 'reads' ? 'read' : kind === 'writes' ? 'write' : 'delete';
      throw new ArmError(
        429,
        'SubscriptionRequestsThrottled',
        `Number of '${verb}' requests for subscription '${subscriptionId}' actor 'oslayer' exceeded. Please try again after '${taken.retryAfterSeconds}' seconds after the last request.`,
        { 'retry-after': String(taken.retryAfterSeconds), [`x-ms-ratelimit-remaining-subscription-${kind}`]: '0' },
      );
    }
    return { [`x-ms-ratelimit-remaining-subscription-${kind}`]: String(taken.remaining) };
  }

  countToken(): void {
    this.counts.tokenRequests += 1;
  }

  countOpenIdMetadata(): void {
    this.counts.openIdMetadataRequests += 1;
  }

  countUncheckedApiVersion(typeAtVersion: string): void {
    this.counts.uncheckedApiVersions[typeAtVersion] = (this.counts.uncheckedApiVersions[typeAtVersion] ?? 0) + 1;
  }

  report(): RequestCounts {
    return { ...this.counts, armRequests: { ...this.counts.armRequests }, uncheckedApiVersions: { ...this.counts.uncheckedApiVersions } };
  }

  resetCounts(): void {
    this.counts = emptyCounts();
  }
}

function emptyCounts(): RequestCounts {
  return { tokenRequests: 0, openIdMetadataRequests: 0, armRequests: { reads: 0, writes: 0, deletes: 0 }, uncheckedApiVersions: {} };
}

/** GET /_simulator/requests → RequestCounts; DELETE answers them and starts counting afresh. */
export function registerRequestCountRoutes(router: Router, throttle: SubscriptionThrottle): void {
  router.add('GET', '/_simulator/requests', () => ({ status: 200, body: throttle.report() }), { anonymous: true });
  router.add(
    'DELETE',
    '/_simulator/requests',
    () => {
      const counted = throttle.report();
      throttle.resetCounts();
      return { status: 200, body: counted };
    },
    { anonymous: true },
  );
}
