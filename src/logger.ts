import { inspect } from 'node:util';
import { pino, stdTimeFunctions, type Logger as Pino } from 'pino';
import { LogLevel as SlackLogLevel, type Logger as SlackLogger } from '@slack/logger';
import type { LogFormat, LogLevel } from './config.js';
import { logFields } from './log-context.js';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const REDACTED = '[redacted]';

/**
 * Fields that hold a secret wherever they appear in a logged object (pino's redaction by path).
 * Values we know (tokens, keys) are also masked by value in the written line: see createLogger.
 */
const SECRET_PATHS = [
  'token', 'botToken', 'appToken', 'signingSecret', 'clientSecret', 'client_secret', 'secret', 'password',
  'accountKey', 'authorization', 'cookie', 'sig',
].flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

export interface Logger extends SlackLogger {
  /** Registers values that must be masked wherever they would appear in a log line. */
  addSecrets(values: Iterable<string>): void;
  /** A logger for a part of the bot; its lines carry `component` = the parent's name + `:name`. */
  child(name: string): Logger;
}

interface Shared {
  level: LogLevel;
  secrets: Set<string>;
  root: Pino;
}

/**
 * One JSON object per line (time, level, msg, component, and the taskId, job and connector of the
 * work being done: see log-context.ts), written by pino
 * to `write` (stdout unless told). Every known secret is masked in the serialized line, after
 * pino's own redaction by path, so a secret inside a message string is caught too. Implements
 * Bolt's Logger so Bolt, Agenda glue and our code share one level and one list of secrets.
 */
export function createLogger(level: LogLevel, write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Logger {
  const secrets = new Set<string>();
  const destination = { write: (chunk: string) => write(redact(chunk.replace(/\n$/, ''), secrets)) };
  const root = pino(
    {
      level: 'debug',
      base: undefined,
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => ({ ...logFields() }),
      redact: { paths: SECRET_PATHS, censor: REDACTED },
    },
    destination,
  );
  return build({ level, secrets, root }, 'oslayer');
}

function build(shared: Shared, name: string): Logger {
  let out = shared.root.child({ component: name });
  const emit = (lvl: LogLevel, args: unknown[]): void => {
    if (ORDER[lvl] < ORDER[shared.level]) return;
    const { merged, text } = lineOf(args);
    out[lvl](merged, text);
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
      out = shared.root.child({ component: name });
    },
    addSecrets: (values) => {
      for (const v of values) {
        if (v.length < 4) continue;
        shared.secrets.add(v);
        // The line is JSON: a secret with a quote or backslash appears escaped in it.
        shared.secrets.add(JSON.stringify(v).slice(1, -1));
      }
    },
    child: (childName) => build(shared, `${name}:${childName}`),
  };
}

/**
 * Bolt and our code log `(text, value, …)`: strings make `msg`, an Error becomes `err` (pino's
 * serializer: type, message, stack), the first plain object becomes `data` (redacted by path),
 * anything else is printed into the message.
 */
function lineOf(args: unknown[]): { merged: { err?: Error; data?: Record<string, unknown> }; text: string } {
  const merged: { err?: Error; data?: Record<string, unknown> } = {};
  const parts: string[] = [];
  for (const arg of args) {
    if (typeof arg === 'string') parts.push(arg);
    else if (arg instanceof Error && !merged.err) {
      merged.err = arg;
      parts.push(arg.message);
    } else if (isPlainObject(arg) && !merged.data) merged.data = arg;
    else parts.push(inspect(arg, { depth: 4, breakLength: Infinity }));
  }
  return { merged, text: parts.join(' ') };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Where lines go: stdout as JSON, or through pino-pretty for a person at a terminal. pino-pretty is
 * a development dependency, loaded only when asked for: a production install may not have it.
 */
export async function lineWriter(format: LogFormat): Promise<(line: string) => void> {
  if (format === 'json') return (line) => process.stdout.write(`${line}\n`);
  const pretty = await import('pino-pretty').then(
    (m) => m.default,
    () => undefined,
  );
  if (!pretty) {
    throw new Error(
      'LOG_FORMAT=pretty needs the pino-pretty package, a development dependency that this install does not have: ' +
        'unset LOG_FORMAT for JSON lines, or install the development dependencies (npm ci)',
    );
  }
  const stream = pretty({ colorize: process.stdout.isTTY === true, destination: 1 });
  return (line) => stream.write(`${line}\n`);
}

export function redact(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join(REDACTED);
  return out;
}
