/**
 * The background budget's rules, with calls that record when they ran (nothing here talks to
 * Slack; the integration tests in slack-rates.test.ts run it against the fake Web API).
 */
import { ErrorCode } from '@slack/web-api';
import { BackgroundBudget, PRIORITY } from '../../src/slack/background-budget.js';
import { createLogger } from '../../src/logger.js';

const logger = createLogger('error', () => undefined);
/** What @slack/web-api throws for a 429 on a client with rejectRateLimitedCalls. */
const rateLimited = (retryAfter: number) => Object.assign(new Error('A rate limit was exceeded'), { code: ErrorCode.RateLimitedError, retryAfter });

describe('the background budget', () => {
  it('sends one call for sends of the same key that waited together, rendered when its turn came', async () => {
    const budget = new BackgroundBudget({ perMinute: 600, burst: 1 }, logger);
    const sent: string[] = [];
    let state = 'first';
    const send = (key: string) => budget.send({ key, prepare: async () => { const shown = state; return async () => void sent.push(`${key}: ${shown}`); } });
    const busy = send('other');
    const waiting = [send('task'), send('task')];
    state = 'newest';
    await Promise.all([busy, ...waiting, send('task')]);
    expect(sent).toEqual(['other: first', 'task: newest']);
  });

  it('sends state changes before progress and history, and App Home last; history in order', async () => {
    const budget = new BackgroundBudget({ perMinute: 600, burst: 1 }, logger);
    const sent: string[] = [];
    const send = (name: string, priority: number) => budget.send({ priority, prepare: async () => async () => void sent.push(name) });
    await Promise.all([send('busy', PRIORITY.normal), send('home', PRIORITY.home), send('line 1', PRIORITY.normal), send('final', PRIORITY.urgent), send('line 2', PRIORITY.normal)]);
    expect(sent).toEqual(['busy', 'final', 'line 1', 'line 2', 'home']);
  });

  it('spends nothing on a render that changed nothing', async () => {
    const budget = new BackgroundBudget({ perMinute: 1, burst: 1 }, logger);
    await budget.send({ prepare: async () => undefined });
    const at = Date.now();
    await budget.send({ prepare: async () => async () => undefined });
    expect(Date.now() - at).toBeLessThan(500);
  });

  it("makes no call until Slack's Retry-After is over, then sends the refused call first", async () => {
    const budget = new BackgroundBudget({ perMinute: 6000, burst: 10 }, logger);
    const calls: Array<{ name: string; at: number }> = [];
    let refuse = true;
    const refused = budget.send({
      prepare: async () => async () => {
        calls.push({ name: 'update', at: Date.now() });
        if (refuse) {
          refuse = false;
          throw rateLimited(1);
        }
      },
    });
    const after = budget.send({ prepare: async () => async () => void calls.push({ name: 'line', at: Date.now() }) });
    await Promise.all([refused, after]);
    expect(calls.map((c) => c.name)).toEqual(['update', 'update', 'line']);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(1000);
    expect(budget.rateLimited).toHaveLength(1);
  });

  it('hands other refusals back to the sender', async () => {
    const budget = new BackgroundBudget({ perMinute: 600, burst: 1 }, logger);
    await expect(budget.send({ prepare: async () => async () => Promise.reject(new Error('message_not_found')) })).rejects.toThrow('message_not_found');
  });
});
