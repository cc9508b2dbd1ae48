import { operationsMessage, OPS_JOBS_SHOWN } from '../../views/operations.js';
import { checkBlockKitLimits } from '../../views/limits.js';
import { listModal } from '../../src/slack/replies.js';
import type { OpsJob } from '../../src/workflow/job-queue.js';

const now = new Date('2026-06-01T12:00:00Z');
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);

describe('Operations view', () => {
  it('says when a running job has run far longer than usual, and offers no buttons on it', () => {
    const jobs: OpsJob[] = [
      { id: 'j1', name: 'publish-packaging-disk', state: 'running', taskId: 'T1', since: minutesAgo(40) },
      { id: 'j2', name: 'finalize-version', state: 'running', taskId: 'T2', since: minutesAgo(1) },
    ];
    const message = operationsMessage({ jobs, usualSeconds: { 'publish-packaging-disk': 300, 'finalize-version': 300 }, now });
    const text = JSON.stringify(message.blocks);
    expect(text).toContain(':hourglass: running 40 min, longer than its usual 5 min');
    expect(text.match(/hourglass/g)).toHaveLength(1);
    expect(text).not.toContain('operations_retry');
    expect(text).not.toContain('operations_cancel');
  });

  it('offers Retry only on failed jobs and Cancel on waiting and failed ones, within Block Kit limits however many there are', () => {
    const many = (state: OpsJob['state'], n: number): OpsJob[] =>
      Array.from({ length: n }, (_, i) => ({ id: `${state}${i}`, name: `job-${'x'.repeat(300)}`, state, since: minutesAgo(i), lastError: state === 'failed' ? 'E'.repeat(5000) : undefined }));
    const jobs = [...many('running', 40), ...many('waiting', 40), ...many('failed', 40)];
    const view = listModal(operationsMessage({ jobs, usualSeconds: {}, now }), 'Operations');
    expect(checkBlockKitLimits(view, 'modal')).toEqual([]);
    const text = JSON.stringify(view.blocks);
    expect(text.match(/operations_retry/g)).toHaveLength(OPS_JOBS_SHOWN);
    expect(text.match(/operations_cancel/g)).toHaveLength(2 * OPS_JOBS_SHOWN);
    expect(text).toContain(`…and ${40 - OPS_JOBS_SHOWN} more`);
  });
});
