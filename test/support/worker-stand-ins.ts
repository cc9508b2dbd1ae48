/**
 * Which of the run's stand-in sets a test file uses: its jest worker's. Jest numbers its workers
 * 1..maxWorkers in JEST_WORKER_ID (1 when it runs in band), and a worker runs one file at a time,
 * so files that run at the same moment never share a store or a blob account.
 */
export function workerVariable(name: string, worker = Number(process.env.JEST_WORKER_ID ?? '1')): string {
  return `${name}_W${worker}`;
}
