import { createHttpHeaders, createPipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import type { Db } from 'mongodb';
import { createMetrics } from '../../src/metrics.js';
import { observingPolicy, operationOf } from '../../src/azure/observer.js';

// No store is read here: the counters under test never touch it (the gauges are covered by test/integration/operations.test.ts).
const noStore = {} as Db;

async function valueOf(metrics: ReturnType<typeof createMetrics>, name: string, labels: Record<string, string>): Promise<number> {
  const metric = await metrics.registry.getSingleMetric(name)!.get();
  return metric.values.filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want)).reduce((n, v) => n + v.value, 0);
}

describe('metrics', () => {
  it('names Azure operations by method and resource type, never by resource name', () => {
    const sub = 'https://management.azure.com/subscriptions/0000/resourceGroups/rg-1';
    expect(operationOf('PUT', `${sub}/providers/Microsoft.Compute/virtualMachines/vm-1?api-version=2024-07-01`)).toBe('PUT Microsoft.Compute/virtualMachines');
    expect(operationOf('POST', `${sub}/providers/Microsoft.Compute/virtualMachines/vm-1/runCommand?api-version=2024-07-01`)).toBe('POST Microsoft.Compute/virtualMachines/runCommand');
    expect(operationOf('GET', `${sub}?api-version=2021-04-01`)).toBe('GET subscriptions/resourceGroups');
    expect(operationOf('PUT', 'https://acct.blob.core.windows.net/vhds/disk-1.vhd?comp=page&sig=abc')).toBe('PUT blob comp=page');
  });

  it('counts a 429 and the retry after it, each with its status', async () => {
    const metrics = createMetrics(noStore);
    const policy = observingPolicy(metrics.azure);
    const request = createPipelineRequest({ url: 'https://management.azure.com/subscriptions/0000/providers/Microsoft.Compute/disks/d1', method: 'GET' });
    const answers = [429, 200];
    const next = async (): Promise<PipelineResponse> => ({ request, status: answers.shift()!, headers: createHttpHeaders() });
    // The SDK's retry policy sends the same request object again after the 429.
    await policy.sendRequest(request, next);
    await policy.sendRequest(request, next);
    const operation = 'GET Microsoft.Compute/disks';
    expect(await valueOf(metrics, 'oslayer_azure_requests_total', { operation, status: '429' })).toBe(1);
    expect(await valueOf(metrics, 'oslayer_azure_requests_total', { operation, status: '200' })).toBe(1);
    expect(await valueOf(metrics, 'oslayer_azure_retries_total', { operation })).toBe(1);
  });

  it('counts Slack calls by method with a 429 as Slack sends it', async () => {
    // Stands in for the network only: the fetch the WebClient would use answers as Slack does when it rate-limits.
    const metrics = createMetrics(noStore, async () => new Response('{"ok":false,"error":"ratelimited"}', { status: 429, headers: { 'retry-after': '1' } }));
    const res = await metrics.slackFetch('https://slack.com/api/chat.update', { method: 'POST' });
    expect(res.status).toBe(429);
    expect(await valueOf(metrics, 'oslayer_slack_calls_total', { method: 'chat.update', status: '429' })).toBe(1);
  });
});
