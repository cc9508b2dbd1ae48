/**
 * Debian's PostgreSQL server on a temp directory and a free loopback port, for the stores
 * several bots share in tests (FerretDB on PostgreSQL). initdb refuses to run as root, so as
 * root the server runs as `nobody`; as anyone else, as that user. `npm test`'s pretest
 * (scripts/ensure-postgres.ts) makes sure the server is installed.
 *
 * nobody reads nothing of the checkout, which may sit in a private (0700) directory: the server
 * is Debian's, and its data directory and socket are in a temp directory nobody can reach.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { freePort } from './free-port.js';
import { ensureFerretdbBinary } from '../../tools/build-ferretdb.js';
import { startChildService } from '../../src/util/child-service.js';

export interface RunningPostgres {
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  url: string;
  stop(): Promise<void>;
}

const NOBODY = 65534;

/** The newest /usr/lib/postgresql/<major>/bin, where Debian installs the server. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root).filter((d) => existsSync(join(root, d, 'bin', 'postgres'))).sort((a, b) => Number(b) - Number(a));
  return majors[0] ? join(root, majors[0], 'bin') : undefined;
}

/**
 * `parent` when every directory down to it lets other users through (o+x), else /tmp: TMPDIR may
 * point into a private directory, which the server user could not enter. Throws when neither does.
 */
function reachableByOthers(parent: string): string {
  const traversable = (dir: string): boolean => {
    const ancestors = resolve(dir).split(sep).map((_, i, parts) => parts.slice(0, i + 1).join(sep) || sep);
    return ancestors.every((d) => (statSync(d).mode & 0o001) !== 0);
  };
  for (const candidate of [parent, '/tmp']) if (existsSync(candidate) && traversable(candidate)) return candidate;
  throw new Error(`PostgreSQL runs as nobody here (it refuses root), and nobody cannot enter ${parent} nor /tmp: point TMPDIR at a directory others may traverse`);
}

export async function startPostgres(): Promise<RunningPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed (npm test installs Debian\'s postgresql package in its pretest step)');
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(asRoot ? reachableByOthers(tmpdir()) : tmpdir(), 'oslayer-pg-'));
  chmodSync(dir, 0o700);
  if (asRoot) chownSync(dir, NOBODY, NOBODY);
  const asServerUser = (command: string, args: string[]): [string, string[]] => (asRoot ? ['setpriv', ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', command, ...args]] : [command, args]);
  const [initCommand, initArgs] = asServerUser(join(bin, 'initdb'), ['-D', join(dir, 'data'), '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  execFileSync(initCommand, initArgs, { stdio: 'ignore', cwd: dir });
  const port = await freePort();
  const [command, args] = asServerUser(join(bin, 'postgres'), ['-D', join(dir, 'data'), '-h', '127.0.0.1', '-p', String(port), '-k', dir, '-c', 'fsync=off', '-c', 'max_connections=200']);
  const server: ChildProcess = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  await new Promise<void>((resolve, reject) => {
    let log = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new Error(`PostgreSQL did not start (${why}):\n${log}`));
    };
    const timer = setTimeout(() => fail('not ready within 20 s'), 20_000);
    const onOutput = (d: Buffer) => {
      log += d.toString();
      if (!log.includes('ready to accept connections')) return;
      clearTimeout(timer);
      server.off('exit', onExit);
      resolve();
    };
    const onExit = (code: number | null) => fail(`exited with ${code}`);
    server.stdout!.on('data', onOutput);
    server.stderr!.on('data', onOutput);
    server.once('exit', onExit);
  });
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      if (server.exitCode === null) {
        const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
        // SIGINT: PostgreSQL's fast shutdown.
        server.kill('SIGINT');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** FerretDB on a fresh PostgreSQL: a MongoDB wire store several bot processes can share. */
export async function startSharedStore(): Promise<{ uri: string; stop(): Promise<void> }> {
  const postgres = await startPostgres();
  try {
    const ferretdb = await startChildService({
      name: 'FerretDB (PostgreSQL)',
      command: ensureFerretdbBinary(),
      args: ['-postgresql-url', postgres.url, '-listen', '127.0.0.1:0', '-log-level', 'error'],
      readyPattern: /^\{"uri":"(mongodb:\/\/[^"]+)"\}$/,
    });
    return {
      uri: `${(ferretdb.ready[1] as string).replace(/\/$/, '')}/oslayer`,
      async stop() {
        await ferretdb.stop();
        await postgres.stop();
      },
    };
  } catch (err) {
    await postgres.stop();
    throw err;
  }
}
