import { createLogger } from '../../src/logger.js';

describe('logger', () => {
  it('masks registered secrets in every line, including inside objects', () => {
    const lines: string[] = [];
    const logger = createLogger('debug', (l) => lines.push(l));
    logger.addSecrets(['xoxb-secret-token']);
    logger.child('bolt').info('calling with', { headers: { authorization: 'Bearer xoxb-secret-token' } });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('[oslayer:bolt]');
    expect(lines[0]).toContain('Bearer [redacted]');
    expect(lines[0]).not.toContain('xoxb-secret-token');
  });

  it('drops lines below the configured level', () => {
    const lines: string[] = [];
    const logger = createLogger('warn', (l) => lines.push(l));
    logger.info('quiet');
    logger.warn('loud');
    expect(lines).toEqual([expect.stringContaining('WARN  [oslayer] loud')]);
  });
});
