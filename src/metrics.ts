/**
 * The bot's Prometheus metrics (GET /metrics). One registry per bot, not prom-client's global one,
 * so bots started side by side (tests, replicas in one process) count only their own work.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Db } from 'mongodb';
import type { FetchFunction } from '@slack/web-api';
import type { AzureObserver } from './azure/observer.js';

export interface JobObserver {
  jobRun(job: string, outcome: 'succeeded' | 'failed', seconds: number): void;
}

export interface Metrics extends JobObserver {
  registry: Registry;
  /** Each job's mean run time in seconds over the runs this process finished, by name. */
  usualJobSeconds(): Promise<Record<string, number>>;
  azure: AzureObserver;
  /** Slack Web API calls through the WebClient's own fetch, counted by method and HTTP status. */
  slackFetch: FetchFunction;
}

/** Agenda's jobs that are due and that no process has locked: work waiting for a worker. */
const QUEUED = (now: Date) => ({ nextRunAt: { $lte: now }, lockedAt: null, disabled: { $ne: true } });

export function createMetrics(db: Db, fetchImpl: FetchFunction = fetch as FetchFunction): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'oslayer_' });

  new Gauge({
    name: 'oslayer_tasks',
    help: 'Tasks in the store by status',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const counts = await db
        .collection('tasks')
        .aggregate<{ _id: string; n: number }>([{ $group: { _id: '$status', n: { $sum: 1 } } }])
        .toArray();
      this.reset();
      for (const { _id, n } of counts) this.set({ status: _id }, n);
    },
  });
  new Gauge({
    name: 'oslayer_job_queue_depth',
    help: 'Jobs due to run that no process has locked yet',
    registers: [registry],
    async collect() {
      this.set(await db.collection('jobs').countDocuments(QUEUED(new Date())));
    },
  });
  const jobRuns = new Histogram({
    name: 'oslayer_job_run_seconds',
    help: 'Job runs by job name and outcome, with their durations',
    labelNames: ['job', 'outcome'],
    buckets: [0.1, 1, 5, 15, 60, 300, 900, 3600],
    registers: [registry],
  });
  const azureRequests = new Counter({
    name: 'oslayer_azure_requests_total',
    help: 'HTTP requests to Azure (ARM and storage) by operation and status; retries are counted too',
    labelNames: ['operation', 'status'],
    registers: [registry],
  });
  const azureRetries = new Counter({
    name: 'oslayer_azure_retries_total',
    help: 'Requests to Azure sent again by the SDK retry policy (after a 429, a 5xx or a network error)',
    labelNames: ['operation'],
    registers: [registry],
  });
  const tokens = new Counter({
    name: 'oslayer_azure_token_requests_total',
    help: 'Tokens asked of Microsoft Entra ID by connector credentials, by outcome',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const slackCalls = new Counter({
    name: 'oslayer_slack_calls_total',
    help: 'Slack Web API calls by method and HTTP status (429: rate limited)',
    labelNames: ['method', 'status'],
    registers: [registry],
  });

  return {
    registry,
    jobRun: (job, outcome, seconds) => jobRuns.observe({ job, outcome }, seconds),
    async usualJobSeconds() {
      const totals = new Map<string, { sum: number; count: number }>();
      for (const { metricName, labels, value } of (await jobRuns.get()).values) {
        const total = totals.get(String(labels.job)) ?? { sum: 0, count: 0 };
        if (metricName === 'oslayer_job_run_seconds_sum') total.sum += value;
        else if (metricName === 'oslayer_job_run_seconds_count') total.count += value;
        totals.set(String(labels.job), total);
      }
      return Object.fromEntries([...totals].filter(([, t]) => t.count > 0).map(([job, t]) => [job, t.sum / t.count]));
    },
    azure: {
      request(operation, status, retry) {
        azureRequests.inc({ operation, status });
        if (retry) azureRetries.inc({ operation });
      },
      token: (outcome) => tokens.inc({ outcome }),
    },
    slackFetch: async (url, init) => {
      // The method is the last path segment: https://slack.com/api/chat.postMessage
      const method = new URL(String(url)).pathname.split('/').pop() ?? 'unknown';
      try {
        const response = await fetchImpl(url, init);
        slackCalls.inc({ method, status: String(response.status) });
        return response;
      } catch (error) {
        slackCalls.inc({ method, status: 'error' });
        throw error;
      }
    },
  };
}
