import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode } from '@slack/web-api';
import type { Logger } from '../logger.js';

/**
 * One workspace-wide budget for the Web API calls nobody is waiting on: task message updates,
 * history lines in the thread, App Home refreshes. Slack limits each method per workspace (Tier 3,
 * e.g. chat.update, is 50 a minute; chat.postMessage about one a second per channel), and a 429
 * pauses whoever made the call; these calls therefore go out one at a time, at most `perMinute`
 * (well under Tier 3) after a burst of `burst`, chat.postMessage at most one a second per channel
 * after two at once, and not at all while a Retry-After Slack gave is running. What answers a
 * person uses another client (see clients.ts), which this budget never pauses.
 */
export interface BudgetSettings {
  perMinute: number;
  burst: number;
}

/** Production: 40 a minute leaves a fifth of Tier 3 for the calls that answer people. */
export const BACKGROUND_BUDGET: BudgetSettings = { perMinute: 40, burst: 10 };

/** chat.postMessage: Slack's one a second per channel, after a burst smaller than Slack tolerates. */
const CHANNEL_POSTS: BudgetSettings = { perMinute: 60, burst: 2 };

/** Earlier sends first: a task message's post and final states, then history and progress, then App Home. */
export const PRIORITY = { urgent: 0, normal: 1, home: 2 } as const;

/**
 * A send: `prepare` renders what to send when its turn comes (so the newest state goes out) and
 * answers the call to make, or undefined when nothing changed (no call, no budget spent).
 */
export interface Send {
  prepare: () => Promise<(() => Promise<unknown>) | undefined>;
  /** Sends with the same key coalesce: while one waits, a new one joins it. */
  key?: string;
  priority?: number;
  /** chat.postMessage's channel, paced per channel. */
  channel?: string;
}

interface Queued extends Required<Pick<Send, 'prepare' | 'priority'>>, Pick<Send, 'key' | 'channel'> {
  waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }>;
}

class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(private readonly settings: BudgetSettings) {
    this.tokens = settings.burst;
    this.at = Date.now();
  }

  private get msPerToken(): number {
    return 60_000 / this.settings.perMinute;
  }

  private refill(): void {
    const now = Date.now();
    this.tokens = Math.min(this.settings.burst, this.tokens + (now - this.at) / this.msPerToken);
    this.at = now;
  }

  /** How long until a token is there (0: now). */
  waitMs(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) * this.msPerToken);
  }

  /** Spends a token, going into debt when there is none (a call made elsewhere): the next wait is longer. */
  spend(): void {
    this.refill();
    this.tokens -= 1;
  }
}

/** The wait in ms a Web API error asks for when it is Slack's 429, else undefined. */
export function retryAfterMs(err: unknown): number | undefined {
  const e = err as { code?: string; retryAfter?: number };
  return e.code === ErrorCode.RateLimitedError && typeof e.retryAfter === 'number' ? e.retryAfter * 1000 : undefined;
}

export class BackgroundBudget {
  private readonly queue: Queued[] = [];
  private readonly workspace: TokenBucket;
  private readonly channels = new Map<string, TokenBucket>();
  private pausedUntil = 0;
  private pumping = false;
  /** Every Retry-After Slack gave: how many and the longest, for the logs and the bench. */
  readonly rateLimited: Array<{ at: number; retryAfterMs: number }> = [];

  constructor(
    settings: BudgetSettings,
    private readonly logger: Logger,
  ) {
    this.workspace = new TokenBucket(settings);
  }

  /** Resolves once the call went out (or was skipped as unchanged); rejects with a refusal other than a 429. */
  send(send: Send): Promise<void> {
    const priority = send.priority ?? PRIORITY.normal;
    return new Promise<void>((resolve, reject) => {
      const waiting = send.key === undefined ? undefined : this.queue.find((q) => q.key === send.key);
      if (waiting) {
        waiting.waiters.push({ resolve, reject });
        if (priority < waiting.priority) {
          this.queue.splice(this.queue.indexOf(waiting), 1);
          this.enqueue({ ...waiting, priority });
        }
      } else {
        this.enqueue({ prepare: send.prepare, key: send.key, channel: send.channel, priority, waiters: [{ resolve, reject }] });
      }
      void this.pump();
    });
  }

  /**
   * A chat.postMessage that answers a person, outside the queue so it never waits behind background
   * traffic, yet at `channel`'s pace with the history lines; a 429 pauses the budget as any other
   * and the post goes again after the wait. `post` is made on a client that hands 429s back.
   */
  async postNow<T>(channel: string, post: () => Promise<T>): Promise<T> {
    for (;;) {
      const wait = Math.max(this.pausedUntil - Date.now(), this.channelBucket(channel).waitMs());
      if (wait > 0) {
        await sleep(wait);
        continue;
      }
      this.channelBucket(channel).spend();
      try {
        return await post();
      } catch (err) {
        const retryAfter = retryAfterMs(err);
        if (retryAfter === undefined) throw err;
        this.pause(retryAfter);
      }
    }
  }

  /** Sends waiting now. */
  get waiting(): number {
    return this.queue.length;
  }

  /** After the last of the same priority: FIFO within a priority, so history lines keep their order. */
  private enqueue(item: Queued, atFront = false): void {
    const index = atFront ? this.queue.findIndex((q) => q.priority >= item.priority) : this.queue.findIndex((q) => q.priority > item.priority);
    this.queue.splice(index < 0 ? this.queue.length : index, 0, item);
  }

  private channelBucket(channel: string): TokenBucket {
    let bucket = this.channels.get(channel);
    if (!bucket) this.channels.set(channel, (bucket = new TokenBucket(CHANNEL_POSTS)));
    return bucket;
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const wait = Math.max(this.pausedUntil - Date.now(), this.workspace.waitMs());
        if (wait > 0) {
          await sleep(wait);
          continue;
        }
        // The first send whose channel may take a post now; the others keep their place.
        const index = this.queue.findIndex((q) => q.channel === undefined || this.channelBucket(q.channel).waitMs() === 0);
        if (index < 0) {
          await sleep(Math.min(...this.queue.map((q) => this.channelBucket(q.channel!).waitMs())));
          continue;
        }
        const [item] = this.queue.splice(index, 1);
        await this.run(item!);
      }
    } finally {
      this.pumping = false;
    }
  }

  private pause(retryAfterMs: number): void {
    this.rateLimited.push({ at: Date.now(), retryAfterMs });
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + retryAfterMs);
    this.logger.info(`Slack asked to wait ${retryAfterMs / 1000} s (HTTP 429): background messages resume after it`);
  }

  private async run(item: Queued): Promise<void> {
    try {
      const call = await item.prepare();
      if (call) {
        this.workspace.spend();
        if (item.channel) this.channelBucket(item.channel).spend();
        await call();
      }
      for (const w of item.waiters) w.resolve();
    } catch (err) {
      const wait = retryAfterMs(err);
      if (wait === undefined) {
        for (const w of item.waiters) w.reject(err);
        return;
      }
      // Nothing more goes out until Slack's wait is over; this send is the first after it.
      this.pause(wait);
      const joined = item.key === undefined ? undefined : this.queue.find((q) => q.key === item.key);
      if (joined) {
        this.queue.splice(this.queue.indexOf(joined), 1);
        item.waiters.push(...joined.waiters);
      }
      this.enqueue(item, true);
    }
  }
}
