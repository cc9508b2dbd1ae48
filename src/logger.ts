import { inspect } from 'node:util';
import { LogLevel as SlackLogLevel, type Logger as SlackLogger } from '@slack/logger';
import type { LogLevel } from './config.js';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const REDACTED = '[redacted]';

export interface Logger extends SlackLogger {
  /** Registers values that must be masked wherever they would appear in a log line. */
  addSecrets(values: Iterable<string>): void;
  child(name: string): Logger;
}

interface Shared {
  level: LogLevel;
  secrets: Set<string>;
  write: (line: string) => void;
}

/**
 * Plain-text lines on stderr, one per call, with every known secret masked. Implements
 * Bolt's Logger so Bolt, Agenda glue and our code share one level and one redaction list.
 */
export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Logger {
  return build({ level, secrets: new Set(), write }, 'oslayer');
}

function build(shared: Shared, name: string): Logger {
  const emit = (lvl: LogLevel, msg: unknown[]): void => {
    if (ORDER[lvl] < ORDER[shared.level]) return;
    const text = msg.map((m) => (typeof m === 'string' ? m : inspect(m, { depth: 4, breakLength: Infinity }))).join(' ');
    shared.write(`${new Date().toISOString()} ${lvl.toUpperCase().padEnd(5)} [${name}] ${redact(text, shared.secrets)}`);
  };
  return {
    debug: (...m: unknown[]) => emit('debug', m),
    info: (...m: unknown[]) => emit('info', m),
    warn: (...m: unknown[]) => emit('warn', m),
    error: (...m: unknown[]) => emit('error', m),
    setLevel: (l: SlackLogLevel) => {
      shared.level = l as LogLevel;
    },
    getLevel: () => shared.level as SlackLogLevel,
    setName: (n: string) => {
      name = n;
    },
    addSecrets: (values) => {
      for (const v of values) if (v.length >= 4) shared.secrets.add(v);
    },
    child: (childName) => build(shared, `${name}:${childName}`),
  };
}

export function redact(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join(REDACTED);
  return out;
}
