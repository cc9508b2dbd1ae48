import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A helper process (FerretDB, Azurite) that announces readiness on a line of its output. */
export interface ChildService {
  readonly pid: number;
  /** Whatever the ready pattern captured, e.g. the address it listens on. */
  readonly ready: RegExpMatchArray;
  stop(): Promise<void>;
}

export interface StartChildOptions {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  readyPattern: RegExp;
  timeoutMs?: number;
  /** Lines of output are passed here (after the ready line) for the caller's log. */
  onLine?: (line: string) => void;
}

/**
 * Starts a child process and resolves once a line of stdout or stderr matches readyPattern.
 * stdin stays an open pipe: helpers that watch it exit when this process dies, so an
 * abrupt exit leaves no orphan behind.
 */
export function startChildService(opts: StartChildOptions): Promise<ChildService> {
  const child = spawn(opts.command, opts.args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const recent: string[] = [];

  return new Promise<ChildService>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      fail(new Error(`${opts.name} did not become ready within ${opts.timeoutMs ?? 20000} ms`));
    }, opts.timeoutMs ?? 20000);

    function fail(err: Error): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      const tail = recent.length ? `\n${opts.name} said:\n  ${recent.join('\n  ')}` : '';
      reject(new Error(err.message + tail));
    }

    const onLine = (line: string): void => {
      if (settled) {
        opts.onLine?.(line);
        return;
      }
      recent.push(line);
      if (recent.length > 20) recent.shift();
      const match = line.match(opts.readyPattern);
      if (!match) return;
      settled = true;
      clearTimeout(timer);
      resolve({ pid: child.pid ?? -1, ready: match, stop: () => stopChild(child, exited) });
    };
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', onLine);
    }
    child.once('error', (err) => fail(new Error(`${opts.name} could not start: ${err.message}`)));
    child.once('exit', (code, signal) => fail(new Error(`${opts.name} exited early (${signal ?? `code ${code}`})`)));
  });
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.stdin?.end();
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(killer);
}
