import { ArmError } from '../../src/sandbox/azure/http.js';
import { SubscriptionThrottle } from '../../src/sandbox/azure/throttle.js';

const SUB = '00000000-0000-0000-0000-0000000051ab';

describe("the simulator's ARM token buckets", () => {
  it('lets 250 reads through at once, refuses the next with 429 and Retry-After, and refills 25 a second', () => {
    let now = 1_000_000;
    const throttle = new SubscriptionThrottle(() => now);
    const remaining = Array.from({ length: 250 }, () => throttle.admit(SUB, 'GET')['x-ms-ratelimit-remaining-subscription-reads']);
    expect(remaining[0]).toBe('249');
    expect(remaining[249]).toBe('0');

    const refused = (() => {
      try {
        throttle.admit(SUB, 'GET');
      } catch (error) {
        return error as ArmError;
      }
      throw new Error('the 251st read was let through');
    })();
    expect(refused).toMatchObject({ status: 429, code: 'SubscriptionRequestsThrottled', headers: { 'retry-after': '1' } });

    now += 1_000;
    for (let i = 0; i < 25; i++) throttle.admit(SUB, 'GET');
    expect(() => throttle.admit(SUB, 'GET')).toThrow(ArmError);
    // Writes and deletes have buckets of their own (200, refilled 10 a second).
    expect(throttle.admit(SUB, 'PUT')).toEqual({ 'x-ms-ratelimit-remaining-subscription-writes': '199' });
    expect(throttle.admit(SUB, 'DELETE')).toEqual({ 'x-ms-ratelimit-remaining-subscription-deletes': '199' });
    expect(throttle.report().armRequests).toEqual({ reads: 277, writes: 1, deletes: 1 });
  });
});
