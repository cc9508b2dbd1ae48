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
      sandbox: { enabled: false },
    });
    expect(result.config.mongodbUri).toBeUndefined();
    expect(result.config.slack.appToken).toBeUndefined();
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
    expect(c.sandbox).toEqual({ enabled: true, armPort: 8443, blobPort: undefined });
    expect(secretsOf(c)).toEqual(expect.arrayContaining(['xoxb-1-2-abc', 'signing-secret-xyz', 'xapp-1-A-1-abc', key, 'p%40ss', 'p@ss']));
  });
});
