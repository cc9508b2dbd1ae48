import type { Job } from 'agenda';
import { useSandboxWorld, type SandboxWorld } from '../support/world.js';
import { readyToFinalize, sandboxContents, startVersion, taggedWith, threadOf, waitForStatus } from '../support/ready-to-finalize.js';
import type { AzureGateway } from '../../src/azure/gateway.js';
import { PUBLISH_JOB } from '../../src/workflow/create-version.js';
import { FINALIZE_JOB, FINALIZE_STEP } from '../../src/workflow/finalize-steps.js';
import { WATCH_MACHINE_JOB } from '../../src/workflow/machine-jobs.js';
import { PUBLISH_STEP } from '../../src/workflow/publish.js';
import { TASK_ACTIONS } from '../../views/task-message.js';

/**
 * Two processes running the same job at once (a heartbeat that came late, a network pause):
 * the job body is run twice concurrently, as two Agenda processors would, and what a user and
 * Azure see must be what one run makes.
 */
let w: SandboxWorld;
const copiesStarted: string[] = [];
useSandboxWorld(async (world) => {
  w = world;
  // This bot takes no jobs itself: the test runs each job's body, twice at once.
  await w.t.bot.services.scheduler.drain(5_000);
  w.t.bot.services.azure = countingCopies(w.t.bot.services.azure);
});

/** The real gateway, noting every server-side copy started (target path). */
function countingCopies(gateway: AzureGateway): AzureGateway {
  return {
    session(connector) {
      const session = gateway.session(connector);
      return {
        ...session,
        blobs: async () => {
          const blobs = await session.blobs();
          return {
            ...blobs,
            startCopy: (opts) => {
              copiesStarted.push(`${opts.container}/${opts.blob}`);
              return blobs.startCopy(opts);
            },
          };
        },
      };
    },
  };
}

/** Runs job `name`'s body for the task twice concurrently; returns the two jobs as the runs left them. */
async function runTwiceAtOnce(name: string, taskId: string): Promise<Array<Job<{ taskId: string }>>> {
  const { agenda } = w.t.bot.services.scheduler;
  const jobs = [agenda.create(name, { taskId }), agenda.create(name, { taskId })];
  const body = agenda.definitions[name]!.fn as (job: Job<{ taskId: string }>) => Promise<void>;
  await Promise.all(jobs.map((job) => body(job)));
  return jobs;
}

const count = (lines: string[], text: string) => lines.filter((line) => line.includes(text)).length;

it('publish and finalize run twice at once: one copy per target, one message, each step and result posted once, nothing left in Azure', async () => {
  const { t, sim, layer, base } = w;
  const before = await sandboxContents(t);
  const { task, where } = await startVersion(t, layer, base._id, '2027-09');

  const publishRuns = await runTwiceAtOnce(PUBLISH_JOB, task._id);
  await waitForStatus(t, where.ts, 'action-required');
  // The run that found the task held looks again once the holder's lease would be stale.
  expect(publishRuns.filter((job) => job.attrs.nextRunAt && job.attrs.nextRunAt.getTime() > Date.now())).toHaveLength(1);
  const packagingDisk = `oslayer-layers/2027-09-packaging.vhd`;
  expect(copiesStarted.filter((path) => path === packagingDisk)).toHaveLength(1);
  // A second run after the first finished leaves the version alone.
  await runTwiceAtOnce(PUBLISH_JOB, task._id);
  expect(copiesStarted.filter((path) => path === packagingDisk)).toHaveLength(1);

  await readyToFinalize(t.bot.services, task._id);
  const ready = await waitForStatus(t, where.ts, 'ready-to-finalize');
  await sim.clickInMessage('UADMIN1', ready.args, TASK_ACTIONS.finalize, { value: task._id, channel: where.channel });
  await t.slack.waitForCall('chat.postMessage', (c) => c.args.thread_ts === where.ts && String(c.args.text).includes('started Finalize'));
  await runTwiceAtOnce(FINALIZE_JOB, task._id);
  await waitForStatus(t, where.ts, 'deployable');

  const target = 'oslayer-layers/windows-server-2022-demo/2027-09.vhd';
  expect(copiesStarted.filter((path) => path === target)).toHaveLength(1);
  const thread = threadOf(t, where.ts);
  for (const step of [...Object.values(PUBLISH_STEP), ...Object.values(FINALIZE_STEP)]) expect(count(thread, step)).toBe(1);
  expect(count(thread, 'Action Required')).toBe(1);
  expect(count(thread, 'is deployable')).toBe(1);
  expect(count(thread, 'Resuming')).toBe(0);
  const taskMessages = t.slack.callsTo('chat.postMessage').filter((c) => !c.args.thread_ts && c.args.channel === where.channel);
  expect(taskMessages).toHaveLength(1);

  const watches = await t.bot.services.scheduler.agenda.queryJobs({ name: WATCH_MACHINE_JOB });
  expect(watches.jobs.filter((job) => (job.data as { taskId?: string } | undefined)?.taskId === task._id).length).toBeLessThanOrEqual(1);
  expect(await taggedWith(() => t.bot.sandbox!.simulator.inventory(), task._id)).toEqual([]);
  expect(await sandboxContents(t)).toEqual({ ...before, blobs: [...before.blobs, target].sort() });
});
