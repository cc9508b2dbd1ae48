import { formatConfigProblems, loadConfig, secretsOf } from '../../src/config.js';

const valid = { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: 'signing-secret-xyz' };

function problemsOf(env: Record<string, string>): string {
  const result = loadConfig(env);
  if (result.ok) throw new Error('expected configuration problems');
  return formatConfigProblems(result);
}

describe('configuration from the environment', () => {
  it('explains how to create the Slack app when the tokens are missing', () => {
    const text = problemsOf({});
    expect(text).toContain('SLACK_BOT_TOKEN is not set');
    expect(text).toContain('SLACK_SIGNING_SECRET is not set');
    expect(text).toContain('manifest.yml');
    expect(text).toContain('Bot User OAuth Token');
    expect(text).toContain('Signing Secret');
  });

  it('lists every problem at once', () => {
    const text = problemsOf({
      SLACK_BOT_TOKEN: 'xoxp-user-token',
      SLACK_SIGNING_SECRET: 'long-enough-secret',
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      MONGODB_URI: 'postgres://db',
      OSLAYER_SECRET_KEY: 'c2hvcnQ=',
      OSLAYER_ADMINS: 'U123ABC,alice',
    });
    for (const expected of [
      'SLACK_BOT_TOKEN must be a bot token',
      'PORT must be a TCP port number',
      'LOG_LEVEL must be one of debug, info, warn, error',
      'MONGODB_URI must start with mongodb://',
      'OSLAYER_SECRET_KEY must be 32 random bytes in base64',
      'OSLAYER_ADMINS must list Slack user IDs such as U0123ABCD (bad: alice)',
    ]) {
      expect(text).toContain(expected);
    }
  });

  it('never repeats a secret value in its messages', () => {
    const text = problemsOf({
      SLACK_BOT_TOKEN: 'xoxp-very-secret-user-token',
      SLACK_SIGNING_SECRET: 'abc',
      SLACK_APP_TOKEN: 'xoxb-not-an-app-token-secret',
      OSLAYER_SECRET_KEY: 'not-base64-secret!!',
    });
    expect(text).not.toMatch(/very-secret|not-an-app-token|not-base64-secret/);
    expect(text).toContain('SLACK_SIGNING_SECRET looks too short');
    expect(text).toContain('SLACK_APP_TOKEN must be an app-level token');
  });

  it('applies the documented defaults', () => {
    const result = loadConfig(valid);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config).toMatchObject({
      port: 3000,
      dataDir: './.data',
      admins: [],
      logLevel: 'info',
      logFormat: 'json',
      sandbox: { enabled: false },
    });
    expect(result.config.mongodbUri).toBeUndefined();
    expect(result.config.slack.appToken).toBeUndefined();
    expect(result.config.jobs.watch).toEqual({ intervalMs: 60_000, runningReminderMs: 8 * 3_600_000, noMachineReminderMs: 24 * 3_600_000, agentReportTimeoutMs: 15 * 60_000 });
    // A crashed replica's jobs are taken over one lifetime after its last heartbeat, plus Agenda's scan: within 30 s.
    expect(result.config.jobs.lockLifetimeMs).toBe(20_000);
  });

  it('reads the packaging machine watch settings, refusing reads more often than every 30 seconds', () => {
    const result = loadConfig({
      ...valid,
      OSLAYER_WATCH_INTERVAL_SECONDS: '45',
      OSLAYER_RUNNING_REMINDER_HOURS: '4',
      OSLAYER_NO_MACHINE_REMINDER_HOURS: '48',
      OSLAYER_AGENT_REPORT_MINUTES: '5',
    });
    expect(result.ok && result.config.jobs.watch).toEqual({
      intervalMs: 45_000,
      runningReminderMs: 4 * 3_600_000,
      noMachineReminderMs: 48 * 3_600_000,
      agentReportTimeoutMs: 5 * 60_000,
    });
    const text = problemsOf({ ...valid, OSLAYER_WATCH_INTERVAL_SECONDS: '10', OSLAYER_RUNNING_REMINDER_HOURS: '0' });
    expect(text).toContain('OSLAYER_WATCH_INTERVAL_SECONDS must be a whole number from 30 to 3600');
    expect(text).toContain('OSLAYER_RUNNING_REMINDER_HOURS must be a whole number from 1 to 720');
  });

  it('reads every optional setting', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const result = loadConfig({
      ...valid,
      SLACK_APP_TOKEN: 'xapp-1-A-1-abc',
      SLACK_API_URL: 'http://127.0.0.1:9999/api',
      PORT: '8080',
      OSLAYER_NOTIFY_CHANNEL: 'C0123ABCD',
      OSLAYER_ADMINS: 'U0123ABCD, W0456EFGH',
      MONGODB_URI: 'mongodb://user:p%40ss@db.example:27017/oslayer',
      OSLAYER_DATA_DIR: '/var/lib/oslayer',
      OSLAYER_SECRET_KEY: key,
      OSLAYER_SANDBOX: '1',
      OSLAYER_SANDBOX_ARM_PORT: '8443',
      LOG_LEVEL: 'debug',
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const c = result.config;
    expect(c.slack.apiUrl).toBe('http://127.0.0.1:9999/api/');
    expect(c.admins).toEqual(['U0123ABCD', 'W0456EFGH']);
    expect(c.secretKey?.length).toBe(32);
    expect(c.sandbox).toEqual({ enabled: true, armPort: 8443, blobPort: undefined, gallery: true });
    expect(secretsOf(c)).toEqual(expect.arrayContaining(['xoxb-1-2-abc', 'signing-secret-xyz', 'xapp-1-A-1-abc', key, 'p%40ss', 'p@ss']));
  });
});

describe('retention settings', () => {
  it('keeps finished tasks 180 days and audit entries 365 days unless told otherwise', () => {
    const result = loadConfig(valid);
    if (!result.ok) throw new Error('expected a valid configuration');
    expect(result.config.retention).toEqual({ taskDays: 180, auditDays: 365 });
  });

  it('reads OSLAYER_TASK_RETENTION_DAYS and OSLAYER_AUDIT_RETENTION_DAYS', () => {
    const result = loadConfig({ ...valid, OSLAYER_TASK_RETENTION_DAYS: '30', OSLAYER_AUDIT_RETENTION_DAYS: '730' });
    if (!result.ok) throw new Error('expected a valid configuration');
    expect(result.config.retention).toEqual({ taskDays: 30, auditDays: 730 });
  });

  it('explains a retention that is not a whole number of days', () => {
    const text = problemsOf({ ...valid, OSLAYER_TASK_RETENTION_DAYS: 'six months', OSLAYER_AUDIT_RETENTION_DAYS: '0' });
    expect(text).toContain('OSLAYER_TASK_RETENTION_DAYS must be a whole number of days from 1 to 36500 (how long finished tasks are kept; default 180)');
    expect(text).toContain('OSLAYER_AUDIT_RETENTION_DAYS must be a whole number of days from 1 to 36500 (how long audit entries are kept; default 365)');
  });
});
