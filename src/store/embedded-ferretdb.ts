import { mkdirSync } from 'node:fs';
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
  const service: ChildService = await startChildService({
    name: 'FerretDB',
    command: binary,
    args: ['-data', dbDir, '-listen', '127.0.0.1:0', '-log-level', 'error'],
    readyPattern: /^\{"uri":"(mongodb:\/\/[^"]+)"\}$/,
    onLine: log,
  });
  const uri = service.ready[1] as string;
  return { uri, pid: service.pid, stop: () => service.stop() };
}
