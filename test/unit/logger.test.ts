import { createLogger } from '../../src/logger.js';
import { addLogFields, withLogFields } from '../../src/log-context.js';

const parse = (line: string) => JSON.parse(line) as Record<string, unknown>;

describe('logger', () => {
  it('masks registered secrets in every line, including inside objects and message strings', () => {
    const lines: string[] = [];
    const logger = createLogger('debug', (l) => lines.push(l));
    logger.addSecrets(['xoxb-secret-token', 'key"with\\quote']);
    logger.child('bolt').info('calling with', { headers: { authorization: 'Bearer xoxb-secret-token' }, note: 'Bearer xoxb-secret-token' });
    logger.child('bolt').warn('sent Bearer xoxb-secret-token with key"with\\quote');
    expect(lines).toHaveLength(2);
    const [first, second] = lines.map(parse);
    expect(first).toMatchObject({ level: 'info', component: 'oslayer:bolt', msg: 'calling with' });
    // By path (authorization is a secret field whatever it holds) and by value (a known secret anywhere).
    expect(first!.data).toEqual({ headers: { authorization: '[redacted]' }, note: 'Bearer [redacted]' });
    expect(second!.msg).toBe('sent Bearer [redacted] with [redacted]');
    for (const line of lines) {
      expect(line).not.toContain('xoxb-secret-token');
      expect(line).not.toContain('with\\\\quote');
    }
  });

  it('redacts secret fields by name even when the value is not a known secret', () => {
    const lines: string[] = [];
    createLogger('debug', (l) => lines.push(l)).info('connector', { clientSecret: 'never-registered', auth: { clientSecret: 'nested-one' } });
    expect(parse(lines[0]!).data).toEqual({ clientSecret: '[redacted]', auth: { clientSecret: '[redacted]' } });
  });

  it('writes one JSON object per line with time, level, msg and the fields of the work being done', async () => {
    const lines: string[] = [];
    const logger = createLogger('debug', (l) => lines.push(l));
    await withLogFields({ job: 'publish-packaging-disk', taskId: 'T-1' }, async () => {
      await Promise.resolve();
      addLogFields({ connector: 'prod' });
      logger.child('jobs').error('copy failed', new Error('boom'));
    });
    logger.info('outside');
    expect(lines).toHaveLength(2);
    expect(parse(lines[1]!)).toEqual({ level: 'info', time: expect.any(String), component: 'oslayer', msg: 'outside' });
    expect(lines[0]).not.toContain('\n');
    const line = parse(lines[0]!);
    expect(line).toMatchObject({ level: 'error', msg: 'copy failed boom', component: 'oslayer:jobs', job: 'publish-packaging-disk', taskId: 'T-1', connector: 'prod' });
    expect(new Date(line.time as string).toISOString()).toBe(line.time);
    expect(line.err).toMatchObject({ type: 'Error', message: 'boom' });
  });

  it('drops lines below the configured level', () => {
    const lines: string[] = [];
    const logger = createLogger('warn', (l) => lines.push(l));
    logger.info('quiet');
    logger.warn('loud');
    expect(lines.map(parse)).toEqual([expect.objectContaining({ level: 'warn', component: 'oslayer', msg: 'loud' })]);
  });
});
