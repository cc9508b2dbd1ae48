import type { FakeSlackWebApi } from '../../src/sandbox/slack/web-api.js';

/**
 * Resolves with the first value of `probe` other than undefined. `probe` reads only what the fake
 * Slack holds, which changes only with a call to it (response_url posts included) or a change it
 * announces, so it runs now and after each of those: no timer, no polling delay.
 */
export function whenSlackShows<T>(slack: FakeSlackWebApi, what: string, probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const now = probe();
  if (now !== undefined) return Promise.resolve(now);
  return new Promise<T>((resolve, reject) => {
    const check = (): void => {
      const value = probe();
      if (value === undefined) return;
      stop();
      resolve(value);
    };
    const stop = (): void => {
      clearTimeout(timer);
      slack.off('call', check);
      slack.off('change', check);
    };
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    slack.on('call', check);
    slack.on('change', check);
  });
}

/**
 * Resolves with the first value of `probe` other than undefined, for state that announces no
 * change (the store, the simulator): asked again 50 ms after each answer.
 */
export async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
