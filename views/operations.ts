/** Operations (Administrators, from App Home): the job queue's running, waiting and failed jobs. */
import type { KnownBlock } from '@slack/types';
import { actions, button, confirmDialog, context, escapeMrkdwn, header, joinMrkdwn, type Message, mrkdwn, section, slackAgo, userText } from './blocks.js';
import type { OpsJob, OpsJobState } from '../src/workflow/job-queue.js';

export const OPERATIONS_ACTIONS = {
  /** App Home's button that opens the view. */
  open: 'home_operations',
  /** value: the job id. */
  retry: 'operations_retry',
  cancel: 'operations_cancel',
} as const;

export interface OperationsInput {
  jobs: readonly OpsJob[];
  /** A job's usual run time in seconds (the mean of this process's finished runs), by name. */
  usualSeconds: Readonly<Record<string, number>>;
  now: Date;
}

/** A run this many times its usual time is called out. */
const SLOW_FACTOR = 3;
/** Jobs shown per state, so the view stays under Slack's 100 blocks. */
export const OPS_JOBS_SHOWN = 15;

const TITLES: Record<OpsJobState, string> = { running: 'Running', waiting: 'Waiting', failed: 'Failed' };

function duration(seconds: number): string {
  return seconds < 90 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} min`;
}

function jobBlocks(job: OpsJob, input: OperationsInput): KnownBlock[] {
  const when = job.state === 'waiting' ? mrkdwn`due` : job.state === 'running' ? mrkdwn`started` : mrkdwn`failed`;
  const task = job.taskId ? mrkdwn` · task \`${userText(job.taskId, 60)}\`` : undefined;
  const usual = input.usualSeconds[job.name];
  const ranFor = (input.now.getTime() - job.since.getTime()) / 1000;
  const slow = job.state === 'running' && usual !== undefined && ranFor > SLOW_FACTOR * usual;
  const text = joinMrkdwn([
    mrkdwn`*${userText(job.name, 100)}*${task ?? mrkdwn``} · ${when} ${slackAgo(job.since)}`,
    job.lastError !== undefined && mrkdwn`Last error: ${userText(job.lastError, 500)}`,
    slow && mrkdwn`:hourglass: running ${escapeMrkdwn(duration(ranFor))}, longer than its usual ${escapeMrkdwn(duration(usual))}`,
  ]);
  const blocks: KnownBlock[] = [section(text)];
  if (job.state !== 'running') {
    blocks.push(
      actions(`operations_${job.id}`, [
        ...(job.state === 'failed' ? [button('Retry', OPERATIONS_ACTIONS.retry, { value: job.id, style: 'primary' })] : []),
        button('Cancel', OPERATIONS_ACTIONS.cancel, {
          value: job.id,
          style: 'danger',
          confirm: confirmDialog('Cancel this job?', 'The job is removed from the queue; its task is not changed.', 'Cancel job'),
        }),
      ]),
    );
  }
  return blocks;
}

export function operationsMessage(input: OperationsInput): Message {
  const blocks: KnownBlock[] = [];
  for (const state of ['running', 'waiting', 'failed'] as const) {
    const jobs = input.jobs.filter((j) => j.state === state);
    blocks.push(header(`${TITLES[state]} (${jobs.length})`));
    if (jobs.length === 0) blocks.push(context(mrkdwn`None.`));
    blocks.push(...jobs.slice(0, OPS_JOBS_SHOWN).flatMap((job) => jobBlocks(job, input)));
    if (jobs.length > OPS_JOBS_SHOWN) blocks.push(context(mrkdwn`…and ${jobs.length - OPS_JOBS_SHOWN} more`));
  }
  return { text: mrkdwn`Operations`, blocks };
}
