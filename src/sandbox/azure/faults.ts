import { z } from 'zod';
import { ArmError } from './http.js';

const faultSchema = z.strictObject({
  method: z.string().toUpperCase().optional(),
  pathPattern: z.string().refine(isRegExp, 'not a valid regular expression'),
  status: z.number().int().min(400).max(599).optional(),
  retryAfterSeconds: z.number().int().min(0).optional(),
  code: z.string().optional(),
  /** The error message to answer with (default: one naming the fault), e.g. the real text of a Compute 409. */
  message: z.string().optional(),
  delayMs: z.number().int().min(0).optional(),
  times: z.number().int().min(1).default(1),
});

export const faultListSchema = z.strictObject({ faults: z.array(faultSchema) });

export type Fault = z.infer<typeof faultSchema>;

function isRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

/** Injected faults: each request that matches one uses up one of its `times`. */
export class FaultList {
  private faults: Fault[] = [];

  replace(faults: Fault[]): void {
    this.faults = faults.map((fault) => ({ ...fault }));
  }

  remaining(): Fault[] {
    return this.faults.map((fault) => ({ ...fault }));
  }

  take(method: string, path: string): Fault | undefined {
    const fault = this.faults.find(
      (candidate) => (!candidate.method || candidate.method === method) && new RegExp(candidate.pathPattern).test(path),
    );
    if (!fault) return undefined;
    fault.times -= 1;
    if (fault.times === 0) this.faults = this.faults.filter((candidate) => candidate !== fault);
    return { ...fault };
  }
}

/** The error a fault answers with, or undefined for a fault that only slows the request down. */
export function faultError(fault: Fault): ArmError | undefined {
  if (fault.status === undefined) return undefined;
  const headers: Record<string, string> = {};
  if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
  if (fault.status === 429) {
    // ARM's throttling answers always say when to come back.
    headers['retry-after'] ??= '1';
    return new ArmError(429, fault.code ?? 'TooManyRequests', fault.message ?? 'The request is being throttled (injected fault).', headers);
  }
  if (fault.status >= 500) {
    return new ArmError(fault.status, fault.code ?? 'InternalServerError', fault.message ?? 'The server encountered an internal error (injected fault).', headers);
  }
  return new ArmError(fault.status, fault.code ?? 'InjectedFault', fault.message ?? `Injected fault with status ${fault.status}.`, headers);
}
