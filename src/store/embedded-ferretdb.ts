import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureFerretdbBinary } from '../../tools/build-ferretdb.js';
import { startChildService, type ChildService } from '../util/child-service.js';

export interface EmbeddedMongo {
  uri: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts FerretDB (SQLite handler) with its databases under `<dataDir>/ferretdb` on a free
 * loopback port. The wrapper exits by itself if this process dies.
 */
export async function startEmbeddedFerretdb(
  dataDir: string,
  log: (line: string) => void = () => {},
): Promise<EmbeddedMongo> {
  const binary = ensureFerretdbBinary(log);
  const dbDir = join(resolve(dataDir), 'ferretdb');
  mkdirSync(dbDir, { recursive: true, mode: 0o700 });
  const releaseLock = lockDataDir(dbDir);
  let service: ChildService;
  try {
    service = await startChildService({
      name: 'FerretDB',
      command: binary,
      args: ['-data', dbDir, '-listen', '127.0.0.1:0', '-log-level', 'error'],
      readyPattern: /^\{"uri":"(mongodb:\/\/[^"]+)"\}$/,
      onLine: log,
    });
  } catch (err) {
    releaseLock();
    throw err;
  }
  const uri = service.ready[1] as string;
  return {
    uri,
    pid: service.pid,
    stop: async () => {
      await service.stop();
      releaseLock();
    },
  };
}

/** Thrown when another live bot already serves this embedded data directory. */
export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
}

/**
 * One bot per embedded data directory. FerretDB 1.x on SQLite does not make findAndModify or
 * conditional updates atomic (test/integration/store-atomicity.test.ts), so two bots on one
 * directory could both lock the same job. A lock file names the bot's pid; one left by a process
 * that no longer runs (kill -9, a crash) is taken over.
 */
function lockDataDir(dbDir: string): () => void {
  const lockPath = join(dbDir, 'oslayer.lock');
  try {
    writeFileSync(lockPath, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const holder = Number(readFileSync(lockPath, 'utf8').trim());
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && processRuns(holder)) {
      throw new DataDirInUseError(
        `another oslayer (pid ${holder}) is already using the embedded store in ${dbDir}. The embedded FerretDB serves one bot process; stop that one, give this one its own OSLAYER_DATA_DIR, or run replicas on a shared MongoDB (MONGODB_URI).`,
      );
    }
    writeFileSync(lockPath, `${process.pid}\n`, { mode: 0o600 });
  }
  return () => {
    try {
      if (readFileSync(lockPath, 'utf8').trim() === String(process.pid)) rmSync(lockPath, { force: true });
    } catch {
      // Already gone.
    }
  };
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
