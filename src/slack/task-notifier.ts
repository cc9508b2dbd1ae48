import type { WebClient } from '@slack/web-api';
import type { HomeView, KnownBlock } from '@slack/types';
import type { Repositories } from '../store/repositories.js';
import type { Logger } from '../logger.js';
import { BackgroundBudget, PRIORITY, type BudgetSettings } from './background-budget.js';
import type { RenderHome } from './home/home-view.js';
import { mention, type Message, mrkdwn, type Mrkdwn } from '../../views/blocks.js';
import { AUTOPILOT_ACTOR } from '../domain/autopilot.js';

export type RenderTask = (taskId: string) => Promise<Message | null>;

export interface NotifierClients {
  /** Task messages, history lines, App Home refreshes: paced by the budget, 429s handed back (rejectRateLimitedCalls), so no 429 pauses its queue. */
  background: WebClient;
  /** Answers to a person after their click: never paused by a background 429. */
  interactive: WebClient;
}

export interface NotifierSettings {
  /** At most one chat.update per task this often (progress would otherwise spend the budget on one task). */
  minIntervalMs: number;
  budget: BudgetSettings;
  /** How long after app_home_opened a person counts as looking at App Home. */
  homeOpenMs?: number;
}

/** Slack sends no event when a person leaves App Home: after this long they are taken to have left. */
const HOME_OPEN_MS = 10 * 60_000;

/**
 * Shows a task as one channel message, updated in place, with its history in the thread, and
 * keeps App Home current for whoever has it open. All of it goes through one workspace-wide
 * budget (background-budget.ts): a render identical to what Slack shows is not sent, updates of
 * one task coalesce, and a 429 holds back only this traffic.
 */
export class TaskNotifier {
  private readonly lastUpdate = new Map<string, number>();
  private readonly pending = new Map<string, Promise<void>>();
  /** What each task message and each open Home tab shows now, as sent. */
  private readonly shown = new Map<string, string>();
  /** Who opened App Home, and when. */
  private readonly homeOpenedAt = new Map<string, number>();
  readonly budget: BackgroundBudget;

  constructor(
    private readonly clients: NotifierClients,
    private readonly repos: Repositories,
    private readonly render: RenderTask,
    private readonly renderHome: RenderHome,
    private readonly logger: Logger,
    private readonly settings: NotifierSettings,
  ) {
    this.budget = new BackgroundBudget(settings.budget, logger);
  }

  /**
   * Posts the task's message in `channel` and remembers where it is. Someone just started the task
   * and waits to see it, so it does not wait behind background traffic, but keeps the channel's
   * pace (with the history lines) so that many tasks started at once meet no 429.
   */
  async post(taskId: string, channel: string): Promise<{ channel: string; ts: string }> {
    const content = await this.render(taskId);
    if (!content) throw new Error(`task ${taskId} not found`);
    const res = await this.budget.postNow(channel, () =>
      this.clients.background.chat.postMessage({ channel, text: content.text, blocks: content.blocks, unfurl_links: false }),
    );
    const where = { channel: res.channel as string, ts: res.ts as string };
    this.shown.set(taskId, JSON.stringify(content));
    await this.repos.tasks.update(taskId, { slack: where });
    this.lastUpdate.set(taskId, Date.now());
    // The task's job may have moved on before the message existed: show that (nothing is sent when nothing changed).
    void this.sendUpdate(taskId, PRIORITY.urgent);
    this.refreshHomes();
    return where;
  }

  /** Brings the message up to date: now (a new state), or once the task's interval allows (progress). */
  refresh(taskId: string, opts: { immediate?: boolean } = {}): Promise<void> {
    if (opts.immediate) return this.sendUpdate(taskId, PRIORITY.urgent);
    const queued = this.pending.get(taskId);
    if (queued) return queued;
    const wait = Math.max(0, (this.lastUpdate.get(taskId) ?? 0) + this.settings.minIntervalMs - Date.now());
    const run = new Promise<void>((resolve) => setTimeout(resolve, wait)).then(() => {
      this.pending.delete(taskId);
      return this.sendUpdate(taskId, PRIORITY.normal);
    });
    this.pending.set(taskId, run);
    return run;
  }

  /** One line of history in the task's thread: mrkdwn by construction (views/blocks.ts Mrkdwn). */
  async thread(taskId: string, text: Mrkdwn): Promise<void> {
    const task = await this.repos.tasks.get(taskId);
    if (!task?.slack) return;
    const { channel, ts } = task.slack;
    await this.budget.send({
      channel,
      prepare: async () => () => this.clients.background.chat.postMessage({ channel, thread_ts: ts, text, unfurl_links: false }),
    });
  }

  /** A message in a channel that belongs to no task (an autopilot schedule's notes), at the channel's pace. */
  async announce(channel: string, text: Mrkdwn): Promise<void> {
    await this.budget.send({ channel, prepare: async () => () => this.clients.background.chat.postMessage({ channel, text, unfurl_links: false }) });
  }

  /** A file in the task's thread (files.uploadV2: getUploadURLExternal, the upload, completeUploadExternal; needs files:write). */
  async threadFile(taskId: string, file: { filename: string; title: string; content: string }, comment: Mrkdwn): Promise<void> {
    const task = await this.repos.tasks.get(taskId);
    if (!task?.slack) return;
    const { channel, ts } = task.slack;
    await this.budget.send({
      channel,
      prepare: async () => () => this.clients.background.filesUploadV2({ channel_id: channel, thread_ts: ts, initial_comment: comment, ...file }),
    });
  }

  /**
   * An answer for `userId` from a job that finished what their click started: an ephemeral in the
   * task message's channel, or — where Slack refuses one (a public channel the bot posts in through
   * chat:write.public without being a member answers `not_in_channel`) — a thread reply naming them.
   * A person is waiting for it, so it goes outside the budget's queue: the ephemeral on the
   * interactive client, the thread reply at the channel's pace.
   */
  async tell(taskId: string, userId: string, text: Mrkdwn): Promise<void> {
    // Autopilot clicked nothing and reads no ephemeral: what it did is already in the thread.
    if (userId === AUTOPILOT_ACTOR) return;
    const task = await this.repos.tasks.get(taskId);
    if (!task?.slack) return;
    try {
      await this.clients.interactive.chat.postEphemeral({ channel: task.slack.channel, user: userId, text });
    } catch (err) {
      this.logger.debug(`ephemeral answer for task ${taskId} refused (${(err as Error).message}); answering in the thread`);
      const { channel, ts } = task.slack;
      await this.budget.postNow(channel, () => this.clients.background.chat.postMessage({ channel, thread_ts: ts, text: mrkdwn`${mention(userId)} ${text}`, unfurl_links: false }));
    }
  }

  /** `user` opened App Home: their view now, and refreshes while they are taken to look at it. */
  async homeOpened(user: string): Promise<HomeView> {
    this.homeOpenedAt.set(user, Date.now());
    const view = await this.renderHome(user);
    this.shown.set(homeKey(user), JSON.stringify(view));
    return view;
  }

  private sendUpdate(taskId: string, priority: number): Promise<void> {
    return this.budget
      .send({
        key: `task ${taskId}`,
        priority,
        prepare: async () => {
          const [task, content] = await Promise.all([this.repos.tasks.get(taskId), this.render(taskId)]);
          if (!task?.slack || !content) return undefined;
          const json = JSON.stringify(content);
          if (this.shown.get(taskId) === json) return undefined;
          const { channel, ts } = task.slack;
          return async () => {
            this.lastUpdate.set(taskId, Date.now());
            await this.clients.background.chat.update({ channel, ts, text: content.text, blocks: content.blocks });
            this.shown.set(taskId, json);
            this.refreshHomes();
          };
        },
      })
      .catch((err: Error) => this.logger.warn(`could not update the message of task ${taskId}: ${err.message}`));
  }

  /** Re-publishes App Home for everyone looking at it (each coalesced, after the task messages). */
  private refreshHomes(): void {
    const since = Date.now() - (this.settings.homeOpenMs ?? HOME_OPEN_MS);
    for (const [user, at] of this.homeOpenedAt) {
      if (at < since) {
        this.homeOpenedAt.delete(user);
        this.shown.delete(homeKey(user));
        continue;
      }
      void this.budget
        .send({
          key: homeKey(user),
          priority: PRIORITY.home,
          prepare: async () => {
            const view = await this.renderHome(user);
            const json = JSON.stringify(view);
            if (this.shown.get(homeKey(user)) === json) return undefined;
            return async () => {
              await this.clients.background.views.publish({ user_id: user, view });
              this.shown.set(homeKey(user), json);
            };
          },
        })
        .catch((err: Error) => this.logger.warn(`could not refresh App Home of ${user}: ${err.message}`));
    }
  }
}

function homeKey(user: string): string {
  return `home ${user}`;
}
