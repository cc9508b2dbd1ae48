import { z } from 'zod';
import { DEFAULT_UPDATE_ROUNDS } from './domain/windows-update.js';
import type { UpdateSettings } from './workflow/windows-updates.js';

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
const LOG_FORMATS = ['json', 'pretty'] as const;

const MANIFEST_HELP = [
  'To create the Slack app: open https://api.slack.com/apps, choose "Create New App" → "From a manifest",',
  'paste manifest.yml from this repository, and install the app to your workspace. Then:',
  '  SLACK_BOT_TOKEN      = "OAuth & Permissions" → Bot User OAuth Token (starts with xoxb-)',
  '  SLACK_SIGNING_SECRET = "Basic Information" → App Credentials → Signing Secret',
  '  SLACK_APP_TOKEN      = optional, for Socket Mode: "Basic Information" → App-Level Tokens,',
  '                         a token with the connections:write scope (starts with xapp-)',
].join('\n');

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const wholeNumber = (name: string, min: number, max: number, message = `${name} must be a whole number from ${min} to ${max}`) =>
  optionalText.pipe(
    z
      .string()
      .regex(/^\d+$/, message)
      .transform(Number)
      .refine((n) => n >= min && n <= max, message)
      .optional(),
  );

const port = (name: string) => wholeNumber(name, 1, 65535, `${name} must be a TCP port number (1-65535)`);

/** Messages never quote the received value: several of these settings are secrets. */
const envSchema = z.object({
  SLACK_BOT_TOKEN: optionalText.pipe(
    z
      .string({ error: 'SLACK_BOT_TOKEN is not set' })
      .startsWith('xoxb-', 'SLACK_BOT_TOKEN must be a bot token, starting with xoxb-'),
  ),
  SLACK_SIGNING_SECRET: optionalText.pipe(
    z.string({ error: 'SLACK_SIGNING_SECRET is not set' }).min(8, 'SLACK_SIGNING_SECRET looks too short'),
  ),
  SLACK_APP_TOKEN: optionalText.pipe(
    z.string().startsWith('xapp-', 'SLACK_APP_TOKEN must be an app-level token, starting with xapp-').optional(),
  ),
  SLACK_API_URL: optionalText.pipe(
    z
      .url({ protocol: /^https?$/, error: 'SLACK_API_URL must be an http(s) URL, e.g. https://slack.com/api/' })
      .transform((u) => (u.endsWith('/') ? u : `${u}/`))
      .optional(),
  ),
  PORT: port('PORT').transform((p) => p ?? 3000),
  OSLAYER_NOTIFY_CHANNEL: optionalText.pipe(
    z.string().regex(/^[CGD][A-Z0-9]{2,}$/, 'OSLAYER_NOTIFY_CHANNEL must be a channel ID such as C0123ABCD').optional(),
  ),
  OSLAYER_ADMINS: optionalText.transform((v, ctx) => {
    const ids = (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const bad = ids.filter((id) => !/^[UW][A-Z0-9]{2,}$/.test(id));
    if (bad.length > 0) {
      ctx.addIssue({ code: 'custom', message: `OSLAYER_ADMINS must list Slack user IDs such as U0123ABCD (bad: ${bad.join(', ')})` });
    }
    return ids;
  }),
  MONGODB_URI: optionalText.pipe(
    z.string().regex(/^mongodb(\+srv)?:\/\//, 'MONGODB_URI must start with mongodb:// or mongodb+srv://').optional(),
  ),
  OSLAYER_DATA_DIR: optionalText.transform((v) => v ?? './.data'),
  OSLAYER_SECRET_KEY: optionalText.pipe(
    z
      .string()
      .refine(
        (v) => /^[A-Za-z0-9+/]+={0,2}$/.test(v) && Buffer.from(v, 'base64').length === 32,
        'OSLAYER_SECRET_KEY must be 32 random bytes in base64 (e.g. `openssl rand -base64 32`)',
      )
      .optional(),
  ),
  OSLAYER_SANDBOX: optionalText.pipe(
    z.enum(['0', '1', 'true', 'false'], { error: 'OSLAYER_SANDBOX must be 1 or 0' }).optional(),
  ).transform((v) => v === '1' || v === 'true'),
  OSLAYER_SANDBOX_ARM_PORT: port('OSLAYER_SANDBOX_ARM_PORT'),
  OSLAYER_SANDBOX_BLOB_PORT: port('OSLAYER_SANDBOX_BLOB_PORT'),
  // The template link is a user delegation SAS, which Azure Storage signs for at most 7 days.
  OSLAYER_TEMPLATE_SAS_DAYS: wholeNumber('OSLAYER_TEMPLATE_SAS_DAYS', 1, 7),
  OSLAYER_COPY_POLL_SECONDS: wholeNumber('OSLAYER_COPY_POLL_SECONDS', 1, 300),
  // At least 30 s: the watch makes one ARM read per interval, and ARM throttles reads per subscription.
  OSLAYER_WATCH_INTERVAL_SECONDS: wholeNumber('OSLAYER_WATCH_INTERVAL_SECONDS', 30, 3600),
  // How long a job's lock lasts without a heartbeat: a stopped process's work is taken over after this.
  OSLAYER_JOB_LOCK_SECONDS: wholeNumber('OSLAYER_JOB_LOCK_SECONDS', 2, 600),
  OSLAYER_RUNNING_REMINDER_HOURS: wholeNumber('OSLAYER_RUNNING_REMINDER_HOURS', 1, 720),
  OSLAYER_NO_MACHINE_REMINDER_HOURS: wholeNumber('OSLAYER_NO_MACHINE_REMINDER_HOURS', 1, 720),
  OSLAYER_UPDATE_ROUNDS: wholeNumber('OSLAYER_UPDATE_ROUNDS', 1, 20),
  OSLAYER_UPDATE_TIMEOUT_MINUTES: wholeNumber('OSLAYER_UPDATE_TIMEOUT_MINUTES', 5, 240),
  OSLAYER_AGENT_WAIT_MINUTES: wholeNumber('OSLAYER_AGENT_WAIT_MINUTES', 1, 120),
  // A Windows machine's agent reports within minutes of boot; this long without it means it is missing.
  OSLAYER_AGENT_REPORT_MINUTES: wholeNumber('OSLAYER_AGENT_REPORT_MINUTES', 1, 1440),
  OSLAYER_TASK_RETENTION_DAYS: wholeNumber(
    'OSLAYER_TASK_RETENTION_DAYS',
    1,
    36500,
    'OSLAYER_TASK_RETENTION_DAYS must be a whole number of days from 1 to 36500 (how long finished tasks are kept; default 180)',
  ),
  OSLAYER_AUDIT_RETENTION_DAYS: wholeNumber(
    'OSLAYER_AUDIT_RETENTION_DAYS',
    1,
    36500,
    'OSLAYER_AUDIT_RETENTION_DAYS must be a whole number of days from 1 to 36500 (how long audit entries are kept; default 365)',
  ),
  LOG_LEVEL: optionalText.pipe(
    z.enum(LOG_LEVELS, { error: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` }).optional(),
  ).transform((v) => v ?? 'info'),
  LOG_FORMAT: optionalText.pipe(
    z.enum(LOG_FORMATS, { error: `LOG_FORMAT must be one of ${LOG_FORMATS.join(', ')}` }).optional(),
  ).transform((v) => v ?? 'json'),
  // Socket Mode has no HTTP server of its own: /metrics, /healthz and /readyz are served here then.
  METRICS_PORT: port('METRICS_PORT'),
});

export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = (typeof LOG_FORMATS)[number];

const HOUR_MS = 60 * 60 * 1000;
/**
 * A stopped process's job is taken over one lock lifetime after its last heartbeat (every
 * quarter lifetime: 5 s), plus Agenda's 2 s scan: 15-22 s after the crash, inside the 30 s
 * target (issue #29), while a live job survives three missed heartbeats (a GC pause or a slow
 * store answer of up to 15 s). Each running job pays two writes per heartbeat (the lease, the
 * lock); `npm run bench` measures both sides.
 */
export const DEFAULT_JOB_LOCK_SECONDS = 20;

export interface Config {
  slack: {
    botToken: string;
    signingSecret: string;
    appToken?: string;
    apiUrl?: string;
  };
  port: number;
  notifyChannel?: string;
  admins: string[];
  mongodbUri?: string;
  dataDir: string;
  secretKey?: Buffer;
  /** `gallery`: the sandbox connector publishes to the simulated subscription's Compute Gallery (on when started from the environment). */
  sandbox: { enabled: boolean; armPort?: number; blobPort?: number; gallery?: boolean };
  logLevel: LogLevel;
  logFormat: LogFormat;
  /** Socket Mode only: the port of /metrics, /healthz and /readyz (HTTP mode serves them on PORT). */
  metricsPort?: number;
  jobs: {
    publish: { templateSasDays: number; copyPollIntervalMs: number };
    /** The packaging machine watch (see src/workflow/machine-watch.ts). */
    watch: { intervalMs: number; runningReminderMs: number; noMachineReminderMs: number; agentReportTimeoutMs: number };
    /** Install updates on the packaging machine (see src/workflow/windows-updates.ts). */
    updates: UpdateSettings;
    /** Agenda's lock lifetime for every job, renewed by heartbeats (see src/workflow/task-lease.ts). */
    lockLifetimeMs: number;
  };
  /** Days to keep finished tasks and audit entries; the daily enforce-retention job deletes older ones. */
  retention: { taskDays: number; auditDays: number };
  /** At most one chat.update per task message this often (Slack rate-limits chat.update). */
  messageUpdateIntervalMs: number;
  /** Background Slack calls per minute after a burst (src/slack/background-budget.ts); unset: BACKGROUND_BUDGET. */
  slackBackgroundBudget?: { perMinute: number; burst: number };
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[]; help: string };

/** Validates the whole environment at once, so a person can fix every problem in one go. */
export function loadConfig(env: NodeJS.ProcessEnv): ConfigResult {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = [...new Set(parsed.error.issues.map((i) => i.message))];
    const slackMissing = parsed.error.issues.some((i) => String(i.path[0] ?? '').startsWith('SLACK_'));
    return { ok: false, problems, help: slackMissing ? MANIFEST_HELP : '' };
  }
  const e = parsed.data;
  return {
    ok: true,
    config: {
      slack: {
        botToken: e.SLACK_BOT_TOKEN,
        signingSecret: e.SLACK_SIGNING_SECRET,
        appToken: e.SLACK_APP_TOKEN,
        apiUrl: e.SLACK_API_URL,
      },
      port: e.PORT,
      notifyChannel: e.OSLAYER_NOTIFY_CHANNEL,
      admins: e.OSLAYER_ADMINS,
      mongodbUri: e.MONGODB_URI,
      dataDir: e.OSLAYER_DATA_DIR,
      secretKey: e.OSLAYER_SECRET_KEY ? Buffer.from(e.OSLAYER_SECRET_KEY, 'base64') : undefined,
      sandbox: {
        enabled: e.OSLAYER_SANDBOX,
        armPort: e.OSLAYER_SANDBOX_ARM_PORT,
        blobPort: e.OSLAYER_SANDBOX_BLOB_PORT,
        gallery: true,
      },
      logLevel: e.LOG_LEVEL,
      logFormat: e.LOG_FORMAT,
      metricsPort: e.METRICS_PORT,
      jobs: {
        publish: {
          templateSasDays: e.OSLAYER_TEMPLATE_SAS_DAYS ?? 7,
          copyPollIntervalMs: (e.OSLAYER_COPY_POLL_SECONDS ?? 5) * 1000,
        },
        watch: {
          intervalMs: (e.OSLAYER_WATCH_INTERVAL_SECONDS ?? 60) * 1000,
          runningReminderMs: (e.OSLAYER_RUNNING_REMINDER_HOURS ?? 8) * HOUR_MS,
          noMachineReminderMs: (e.OSLAYER_NO_MACHINE_REMINDER_HOURS ?? 24) * HOUR_MS,
          agentReportTimeoutMs: (e.OSLAYER_AGENT_REPORT_MINUTES ?? 15) * 60_000,
        },
        updates: {
          rounds: e.OSLAYER_UPDATE_ROUNDS ?? DEFAULT_UPDATE_ROUNDS,
          installTimeoutSeconds: (e.OSLAYER_UPDATE_TIMEOUT_MINUTES ?? 90) * 60,
          searchTimeoutSeconds: 30 * 60,
          // One ARM read every 15 s while a restarted machine boots: a few reads per restart.
          agentPollMs: 15_000,
          agentWaitMs: (e.OSLAYER_AGENT_WAIT_MINUTES ?? 20) * 60_000,
        },
        lockLifetimeMs: (e.OSLAYER_JOB_LOCK_SECONDS ?? DEFAULT_JOB_LOCK_SECONDS) * 1000,
      },
      retention: {
        taskDays: e.OSLAYER_TASK_RETENTION_DAYS ?? 180,
        auditDays: e.OSLAYER_AUDIT_RETENTION_DAYS ?? 365,
      },
      messageUpdateIntervalMs: 3000,
    },
  };
}

export function formatConfigProblems(result: Extract<ConfigResult, { ok: false }>): string {
  const lines = ['oslayer cannot start; fix these settings:', ...result.problems.map((p) => `  - ${p}`)];
  if (result.help) lines.push('', result.help);
  return lines.join('\n');
}

/** Every configured value that must never reach a log line or a Slack message. */
export function secretsOf(config: Config): string[] {
  const secrets = [config.slack.botToken, config.slack.signingSecret, config.slack.appToken];
  if (config.secretKey) secrets.push(config.secretKey.toString('base64'));
  const mongoPassword = config.mongodbUri?.match(/^mongodb(?:\+srv)?:\/\/[^:/@]+:([^@]+)@/)?.[1];
  if (mongoPassword) secrets.push(mongoPassword, decodeURIComponent(mongoPassword));
  return secrets.filter((s): s is string => typeof s === 'string' && s.length >= 4);
}
