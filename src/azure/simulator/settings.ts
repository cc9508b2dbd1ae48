/**
 * Timing the tests and the sandbox may change while the simulator runs: PUT /_simulator/settings
 * with any of runCommandMs (how long Run Command takes; Azure's are about 20 s), operationDelayMs
 * (other long-running operations), retryAfterSeconds (what Retry-After says on LRO answers).
 * Omitted fields keep their value; the answer is all of them.
 */
import { z } from 'zod';
import type { SimulatorContext } from './context.js';
import { parseBody, type Router } from './http.js';

const settingsSchema = z.strictObject({
  runCommandMs: z.number().int().min(0).optional(),
  operationDelayMs: z.number().int().min(0).optional(),
  retryAfterSeconds: z.number().int().min(0).optional(),
});

export type SimulatorSettings = Required<z.infer<typeof settingsSchema>>;

export function currentSettings({ config, operations }: SimulatorContext): SimulatorSettings {
  return { runCommandMs: config.runCommandMs, operationDelayMs: operations.defaultDurationMs, retryAfterSeconds: operations.retryAfterSeconds };
}

export function registerSettingsRoutes(router: Router, context: SimulatorContext): void {
  router.add('GET', '/_simulator/settings', () => ({ status: 200, body: currentSettings(context) }), { anonymous: true });
  router.add(
    'PUT',
    '/_simulator/settings',
    (req) => {
      const changes = parseBody(settingsSchema, req);
      if (changes.runCommandMs !== undefined) context.config.runCommandMs = changes.runCommandMs;
      if (changes.operationDelayMs !== undefined) context.operations.defaultDurationMs = changes.operationDelayMs;
      if (changes.retryAfterSeconds !== undefined) context.operations.retryAfterSeconds = changes.retryAfterSeconds;
      return { status: 200, body: currentSettings(context) };
    },
    { anonymous: true },
  );
}
