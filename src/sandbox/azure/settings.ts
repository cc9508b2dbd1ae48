/**
 * Timing the tests and the sandbox may change while the simulator runs: PUT /_simulator/settings
 * with any of runCommandMs (how long Run Command takes; Azure's are about 20 s), operationDelayMs
 * (other long-running operations), retryAfterSeconds (what Retry-After says on LRO answers),
 * replicationMsPerRegion (how long a gallery image version takes to replicate to each target region).
 * Omitted fields keep their value; the answer is all of them.
 */
import { z } from 'zod';
import type { SimulatorContext } from './context.js';
import { parseBody, type Router } from './http.js';

export const settingsSchema = z.strictObject({
  runCommandMs: z.number().int().min(0).optional(),
  operationDelayMs: z.number().int().min(0).optional(),
  retryAfterSeconds: z.number().int().min(0).optional(),
  replicationMsPerRegion: z.number().int().min(0).optional(),
});

export type SimulatorSettings = Required<z.infer<typeof settingsSchema>>;

export function currentSettings({ config, operations }: SimulatorContext): SimulatorSettings {
  return {
    runCommandMs: config.runCommandMs,
    operationDelayMs: operations.defaultDurationMs,
    retryAfterSeconds: operations.retryAfterSeconds,
    replicationMsPerRegion: config.replicationMsPerRegion,
  };
}

/** Applies the fields given; the others keep their value. */
export function applySettings({ config, operations }: SimulatorContext, changes: Partial<SimulatorSettings>): void {
  if (changes.runCommandMs !== undefined) config.runCommandMs = changes.runCommandMs;
  if (changes.operationDelayMs !== undefined) operations.defaultDurationMs = changes.operationDelayMs;
  if (changes.retryAfterSeconds !== undefined) operations.retryAfterSeconds = changes.retryAfterSeconds;
  if (changes.replicationMsPerRegion !== undefined) config.replicationMsPerRegion = changes.replicationMsPerRegion;
}

export function registerSettingsRoutes(router: Router, context: SimulatorContext): void {
  router.add('GET', '/_simulator/settings', () => ({ status: 200, body: currentSettings(context) }), { anonymous: true });
  router.add(
    'PUT',
    '/_simulator/settings',
    (req) => {
      applySettings(context, parseBody(settingsSchema, req));
      return { status: 200, body: currentSettings(context) };
    },
    { anonymous: true },
  );
}
