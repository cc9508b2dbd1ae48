/**
 * Bots as real processes (`npm start`'s command) around a world that outlives them: the store,
 * Azurite behind a proxy that can hold a copy's answer, the ARM simulator and a fake Slack Web
 * API, all in this process. The world also acts as a bot would (creates versions, clicks
 * Finalize) through its own services, so a killed bot's work is visible to the next one.
 * Used by the crash, replica and bench runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { WebClient } from '@slack/web-api';
import { AZURITE_KEY, startAzurite, type RunningAzurite } from '../../src/sandbox/azure/azurite.js';
import { createAzureGateway } from '../../src/azure/gateway.js';
import { startArmSimulator, type RunningArmSimulator } from '../../src/sandbox/azure/index.js';
import { TASK_TAG } from '../../src/azure/machine-spec.js';
import { GIB, MIB } from '../../src/azure/vhd.js';
import type { LayerVersion, OsLayer } from '../../src/domain/model.js';
import { FakeSlackWebApi } from '../../src/sandbox/slack/web-api.js';
import { whenSlackShows } from './waits.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { Scheduler } from '../../src/scheduler.js';
import type { Services } from '../../src/services.js';
import { TaskNotifier } from '../../src/slack/task-notifier.js';
import { backgroundClient } from '../../src/slack/clients.js';
import { BACKGROUND_BUDGET } from '../../src/slack/background-budget.js';
import { homeRenderer } from '../../src/slack/home/home-view.js';
import { connectDatabase, type Database } from '../../src/store/database.js';
import { createRepositories } from '../../src/store/repositories.js';
import { createVersion } from '../../src/workflow/create-version.js';
import { endClaimKey, endClaimOwner, FINALIZE_JOB } from '../../src/workflow/finalize-steps.js';
import { taskRenderer } from '../../src/workflow/render-task.js';
import { TaskRun } from '../../src/workflow/task-run.js';
import { BlobHoldProxy } from './blob-hold-proxy.js';
import { SlackClientSim } from './interactions.js';
import { TEST_UPDATE_SETTINGS, type TestBot } from './bot.js';
import { interactionBody, slackSignatureHeaders } from '../../src/sandbox/slack/signature.js';
import { readyToFinalize } from './ready-to-finalize.js';
import { freePort } from './free-port.js';
import { seedLayer } from './seed-layer.js';

const BOT_TOKEN = 'xoxb-crash-world-0001';
const SIGNING_SECRET = 'crash-world-signing-secret';
/** Small disks: Azurite reads a copy's whole source. 20 MiB is the smallest disk Compute lets one upload into. */
const LAYER_BYTES = 20 * MIB;
export const CHANNEL = 'COSLAYER';

export interface BotProcess {
  child: ChildProcess;
  port: number;
  output(): string;
}

export interface WorldOptions {
  mongodbUri: string;
  /** OSLAYER_JOB_LOCK_SECONDS for the bots. */
  lockSeconds: number;
  /** An Azurite to use (the test run's); else one is started and stopped with the world. */
  azuriteEndpoint?: string;
}

export class BotWorld {
  readonly slack = new FakeSlackWebApi(BOT_TOKEN);
  readonly secretKey = randomBytes(32);
  readonly bots: BotProcess[] = [];
  services!: Services;
  layer!: OsLayer;
  base!: LayerVersion;
  arm!: RunningArmSimulator;
  proxy!: BlobHoldProxy;
  private slackUrl = '';
  private database?: Database;
  private ownAzurite?: RunningAzurite;
  private roundRobin?: Server;

  constructor(private readonly opts: WorldOptions) {}

  async start(): Promise<void> {
    // Slack refuses posts where the bot is not a member: it was invited to the task channel.
    this.slack.addConversation({ id: CHANNEL, kind: 'public', name: 'os-layers', botMember: true });
    this.slackUrl = await this.slack.listen();
    let azuriteEndpoint = this.opts.azuriteEndpoint;
    if (!azuriteEndpoint) {
      this.ownAzurite = await startAzurite();
      azuriteEndpoint = this.ownAzurite.blobEndpoint;
    }
    this.proxy = new BlobHoldProxy(azuriteEndpoint);
    this.arm = await startArmSimulator({ blobEndpoint: await this.proxy.listen(), blobAccountKey: AZURITE_KEY });
    this.database = await connectDatabase(this.opts.mongodbUri);
    const logger = createLogger('error', () => undefined);
    const repos = createRepositories(this.database.db);
    const lockLifetimeMs = this.opts.lockSeconds * 1000;
    this.services = {
      config: {
        slack: { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, apiUrl: this.slackUrl },
        port: 0,
        admins: ['UADMIN1'],
        mongodbUri: this.opts.mongodbUri,
        dataDir: './.data/test',
        sandbox: { enabled: false },
        logLevel: 'error',
        logFormat: 'json',
        jobs: {
          publish: { templateSasDays: 7, copyPollIntervalMs: 200 },
          watch: { intervalMs: 30_000, runningReminderMs: 8 * 3_600_000, noMachineReminderMs: 24 * 3_600_000, agentReportTimeoutMs: 3_600_000 },
          updates: TEST_UPDATE_SETTINGS,
          lockLifetimeMs,
        },
        retention: { taskDays: 180, auditDays: 365 },
        messageUpdateIntervalMs: 3000,
      },
      logger,
      repos,
      // Never started: the world only enqueues; the bot processes run the jobs.
      scheduler: new Scheduler(this.database.db, logger, { lockLifetimeMs, name: 'test-world' }),
      secretKey: this.secretKey,
      azure: createAzureGateway({ secretKey: this.secretKey }),
      notifier: new TaskNotifier(
        { background: backgroundClient({ botToken: BOT_TOKEN, apiUrl: this.slackUrl }, logger), interactive: new WebClient(BOT_TOKEN, { slackApiUrl: this.slackUrl }) },
        repos,
        taskRenderer(repos),
        homeRenderer(repos, ['UADMIN1']),
        logger,
        { minIntervalMs: 3000, budget: BACKGROUND_BUDGET },
      ),
      metrics: createMetrics(this.database.db),
    };
    await this.services.scheduler.agenda.ready;
    ({ layer: this.layer, base: this.base } = await seedLayer(this.services, this.arm, this.secretKey));
  }

  /** Starts `npm start`'s process, in its own process group, and waits until it serves HTTP. */
  async startBot(): Promise<BotProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: this.slackUrl,
        PORT: String(port),
        MONGODB_URI: this.opts.mongodbUri,
        OSLAYER_SECRET_KEY: this.secretKey.toString('base64'),
        OSLAYER_ADMINS: 'UADMIN1',
        OSLAYER_JOB_LOCK_SECONDS: String(this.opts.lockSeconds),
        OSLAYER_COPY_POLL_SECONDS: '1',
        LOG_LEVEL: 'info',
      },
    });
    let out = '';
    const bot: BotProcess = { child, port, output: () => out };
    this.bots.push(bot);
    await new Promise<void>((resolve, reject) => {
      const fail = () => {
        clearTimeout(timer);
        reject(new Error(`the bot did not start:\n${out}`));
      };
      const timer = setTimeout(fail, 30_000);
      let listening = false;
      const onOutput = (d: Buffer) => {
        out += d.toString();
        if (listening || !out.includes('listening on port')) return;
        listening = true;
        clearTimeout(timer);
        child.off('exit', fail);
        resolve();
      };
      child.stdout!.on('data', onOutput);
      child.stderr!.on('data', onOutput);
      child.once('exit', fail);
    });
    return bot;
  }

  /** SIGKILL to the bot's whole process group: nothing gets to clean up. */
  async kill(bot: BotProcess): Promise<void> {
    const exited = new Promise<void>((resolve) => (bot.child.exitCode !== null ? resolve() : bot.child.once('exit', () => resolve())));
    process.kill(-bot.child.pid!, 'SIGKILL');
    await exited;
  }

  /**
   * One address for all running bots, as a load balancer gives Slack: each request goes to the
   * next live bot in turn. Answers the address of /slack/events.
   */
  async startRoundRobin(): Promise<string> {
    let next = 0;
    this.roundRobin = createServer((req, res) => {
      const live = this.bots.filter((bot) => bot.child.exitCode === null && bot.child.signalCode === null);
      const bot = live[next++ % live.length];
      if (!bot) {
        res.writeHead(502);
        res.end();
        return;
      }
      const upstream = request({ host: '127.0.0.1', port: bot.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => this.roundRobin!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.roundRobin.address() as AddressInfo).port}/slack/events`;
  }

  /** Slack's client, clicking buttons on the world's task messages through `eventsUrl` (signed requests). */
  slackClient(eventsUrl: string): SlackClientSim {
    const post = async (rawBody: string) => {
      const res = await fetch(eventsUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackSignatureHeaders(SIGNING_SECRET, rawBody) },
        body: rawBody,
      });
      return { status: res.status, body: await res.text() };
    };
    const client: Pick<TestBot, 'slack' | 'post' | 'interaction'> = { slack: this.slack, post, interaction: (payload) => post(interactionBody(payload)) };
    return new SlackClientSim(client as TestBot);
  }

  /** The replica that locked most jobs named `name` (Agenda's lastModifiedBy ends with its pid), so a kill hits work in flight. */
  async busiestWith(name: string): Promise<BotProcess> {
    const jobs = await this.database!.db.collection('jobs').find({ name }).toArray();
    const held = (bot: BotProcess) => jobs.filter((job) => String(job.lastModifiedBy ?? '').endsWith(`-${bot.child.pid}`)).length;
    return [...this.bots].sort((a, b) => held(b) - held(a))[0]!;
  }

  /** Job documents named `name` for the task, as the store holds them. */
  jobsFor(name: string, taskId: string): Promise<number> {
    return this.database!.db.collection('jobs').countDocuments({ name, 'data.taskId': taskId });
  }

  /** The task message as the channel shows it now. */
  message(ts: string): { blocks: unknown[] } {
    const found = this.slack.messages.find((m) => m.channel === CHANNEL && m.ts === ts);
    if (!found) throw new Error(`no task message ${ts}`);
    return { blocks: found.blocks ?? [] };
  }

  /** Create Version as the wizard's last step does, with the task message posted in the channel. */
  async createVersion(name: string): Promise<{ taskId: string; versionId: string; ts: string }> {
    const result = await createVersion(this.services, {
      layerId: this.layer._id,
      name,
      description: 'Monthly updates',
      baseVersionId: this.base._id,
      maxLayerSizeGb: LAYER_BYTES / GIB,
      connectorId: this.layer.connectorId,
      packagingDiskFilename: `${name}-packaging.vhd`,
      requestedBy: 'UADMIN1',
    });
    if (!result.ok) throw new Error(result.message);
    const where = await this.services.notifier.post(result.task._id, CHANNEL);
    return { taskId: result.task._id, versionId: result.version._id, ts: where.ts };
  }

  /** Deploy for me and Shutdown for Finalize with a clean check, as readyToFinalize does them. */
  async readyToFinalize(taskId: string): Promise<void> {
    await readyToFinalize(this.services, taskId);
  }

  /** What the Finalize button does once it holds the version's claim: the version finalizing, the job enqueued. */
  async clickFinalize(taskId: string): Promise<void> {
    const run = (await TaskRun.load(this.services, taskId))!;
    if (!(await this.services.repos.claims.tryClaim(endClaimKey(run.version._id), endClaimOwner('finalize', 'UADMIN1')))) throw new Error('finalize already claimed');
    await run.moveVersion({ type: 'finalize-started' });
    await this.services.scheduler.agenda.now(FINALIZE_JOB, { taskId });
  }

  async status(versionId: string): Promise<string | undefined> {
    return (await this.services.repos.versions.get(versionId))?.status;
  }

  /** Polls the store until the version reaches `status`; answers how long it took. */
  async waitForStatus(versionId: string, status: string, timeoutMs: number): Promise<number> {
    const started = Date.now();
    while ((await this.status(versionId)) !== status) {
      if (Date.now() - started > timeoutMs) throw new Error(`version ${versionId} is ${await this.status(versionId)}, not ${status}, after ${timeoutMs} ms`);
      await sleep(100);
    }
    return Date.now() - started;
  }

  /** Waits until the task's thread has a line containing `text` (posted just after a status change). */
  async waitForThread(ts: string, text: string, timeoutMs = 10_000): Promise<void> {
    await whenSlackShows(this.slack, `a thread line with "${text}"`, () => (this.thread(ts).some((line) => line.includes(text)) ? true : undefined), timeoutMs).catch(() => {
      throw new Error(`no thread line with "${text}" after ${timeoutMs} ms:\n${this.thread(ts).join('\n')}`);
    });
  }

  thread(ts: string): string[] {
    return this.slack.callsTo('chat.postMessage').filter((c) => c.args.thread_ts === ts).map((c) => String(c.args.text));
  }

  /** Top-level messages the bot posted in the channel (one per task). */
  taskMessages(): number {
    return this.slack.callsTo('chat.postMessage').filter((c) => !c.args.thread_ts && c.args.channel === CHANNEL).length;
  }

  tagged(taskId: string): string[] {
    return this.arm.inventory().filter((r) => r.tags[TASK_TAG] === taskId).map((r) => `${r.type} ${r.name}`);
  }

  async stop(): Promise<void> {
    for (const bot of this.bots) if (bot.child.exitCode === null && bot.child.signalCode === null) await this.kill(bot).catch(() => undefined);
    this.roundRobin?.closeAllConnections();
    await new Promise<void>((resolve) => (this.roundRobin ? this.roundRobin.close(() => resolve()) : resolve()));
    await this.database?.db.dropDatabase().catch(() => undefined);
    await this.database?.close();
    await this.arm?.stop();
    await this.proxy?.close();
    await this.ownAzurite?.stop();
    await this.slack.close();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
