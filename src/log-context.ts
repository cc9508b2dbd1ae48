import { AsyncLocalStorage } from 'node:async_hooks';

/** What a log line may say about the work it belongs to: the task, the job running it, its connector. */
export interface LogFields {
  taskId?: string;
  job?: string;
  connector?: string;
}

const current = new AsyncLocalStorage<LogFields>();

/**
 * Runs `work` with these fields on every log line it writes, however deep the call (the logger
 * reads them through pino's mixin), so jobs and workflow code need not thread a logger through.
 */
export function withLogFields<T>(fields: LogFields, work: () => T): T {
  return current.run({ ...current.getStore(), ...fields }, work);
}

/** Adds fields learned along the way (the connector once the task is loaded) to the running work's lines. */
export function addLogFields(fields: LogFields): void {
  const store = current.getStore();
  if (store) Object.assign(store, fields);
}

export function logFields(): LogFields {
  return current.getStore() ?? {};
}
