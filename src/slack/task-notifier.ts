import type { WebClient } from '@slack/web-api';
import type { KnownBlock } from '@slack/types';
import type { Repositories } from '../store/repositories.js';
import type { Logger } from '../logger.js';
import { mention, type Message, mrkdwn, type Mrkdwn } from '../../views/blocks.js';

export type RenderTask = (taskId: string) => Promise<Message | null>;

/**
 * Shows a task as one channel message, updated in place, with its history in the thread.
 * Updates are coalesced to at most one chat.update per task every `minIntervalMs`
 * (Slack rate-limits chat.update; progress would otherwise flood it).
 */
export class TaskNotifier {
  private readonly lastUpdate = new Map<string, number>();
  private readonly pending = new Map<string, Promise<void>>();
  /** The update being sent per task: the next waits for it, so a slow older one never lands last. */
  private readonly sending = new Map<string, Promise<void>>();

  constructor(
    private readonly client: WebClient,
    private readonly repos: Repositories,
    private readonly render: RenderTask,
    private readonly logger: Logger,
    private readonly minIntervalMs = 3000,
  ) {}

  /** Posts the task's message in `channel` and remembers where it is. */
  async post(taskId: string, channel: string): Promise<{ channel: string; ts: string }> {
    const content = await this.render(taskId);
    if (!content) throw new Error(`task ${taskId} not found`);
    const res = await this.client.chat.postMessage({ channel, text: content.text, blocks: content.blocks, unfurl_links: false });
    const where = { channel: res.channel as string, ts: res.ts as string };
    await this.repos.tasks.update(taskId, { slack: where });
    this.lastUpdate.set(taskId, Date.now());
    return where;
  }

  /** Brings the message up to date: now, or once the rate limit allows (one trailing update). */
  refresh(taskId: string, opts: { immediate?: boolean } = {}): Promise<void> {
    const queued = this.pending.get(taskId);
    if (queued) return queued;
    const wait = opts.immediate ? 0 : Math.max(0, (this.lastUpdate.get(taskId) ?? 0) + this.minIntervalMs - Date.now());
    const run = new Promise<void>((resolve) => setTimeout(resolve, wait))
      .then(() => {
        this.pending.delete(taskId);
        return this.afterPreviousUpdate(taskId);
      })
      .catch((err: Error) => this.logger.warn(`could not update the message of task ${taskId}: ${err.message}`));
    this.pending.set(taskId, run);
    return run;
  }

  /** One line of history in the task's thread: mrkdwn by construction (views/blocks.ts Mrkdwn). */
  async thread(taskId: string, text: Mrkdwn): Promise<void> {
    const task = await this.repos.tasks.get(taskId);
    if (!task?.slack) return;
    await this.client.chat.postMessage({ channel: task.slack.channel, thread_ts: task.slack.ts, text, unfurl_links: false });
  }

  /** A file in the task's thread (files.uploadV2: getUploadURLExternal, the upload, completeUploadExternal; needs files:write). */
  async threadFile(taskId: string, file: { filename: string; title: string; content: string }, comment: Mrkdwn): Promise<void> {
    const task = await this.repos.tasks.get(taskId);
    if (!task?.slack) return;
    await this.client.filesUploadV2({ channel_id: task.slack.channel, thread_ts: task.slack.ts, initial_comment: comment, ...file });
  }

  /**
   * An answer for `userId` from a job that finished what their click started: an ephemeral in the
   * task message's channel, or — where Slack refuses one (a public channel the bot posts in through
   * chat:write.public without being a member answers `not_in_channel`) — a thread reply naming them.
   */
  async tell(taskId: string, userId: string, text: Mrkdwn): Promise<void> {
    const task = await this.repos.tasks.get(taskId);
    if (!task?.slack) return;
    try {
      await this.client.chat.postEphemeral({ channel: task.slack.channel, user: userId, text });
    } catch (err) {
      this.logger.debug(`ephemeral answer for task ${taskId} refused (${(err as Error).message}); answering in the thread`);
      await this.client.chat.postMessage({ channel: task.slack.channel, thread_ts: task.slack.ts, text: mrkdwn`${mention(userId)} ${text}`, unfurl_links: false });
    }
  }

  /** Renders and sends only once the task's previous update is through, so the newest state is shown last. */
  private afterPreviousUpdate(taskId: string): Promise<void> {
    const previous = this.sending.get(taskId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.updateNow(taskId));
    this.sending.set(taskId, next);
    const forget = () => {
      if (this.sending.get(taskId) === next) this.sending.delete(taskId);
    };
    next.then(forget, forget);
    return next;
  }

  private async updateNow(taskId: string): Promise<void> {
    const [task, content] = await Promise.all([this.repos.tasks.get(taskId), this.render(taskId)]);
    if (!task?.slack || !content) return;
    this.lastUpdate.set(taskId, Date.now());
    await this.client.chat.update({ channel: task.slack.channel, ts: task.slack.ts, text: content.text, blocks: content.blocks });
  }
}
