import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedFerretdb } from '../../src/store/embedded-ferretdb.js';
import { startAzurite } from '../../src/sandbox/azure/azurite.js';
import { workerVariable } from './worker-stand-ins.js';

/**
 * Real stand-ins for the whole run, one set per jest worker, so that test files running side by
 * side share no store and no blob account: each worker gets its own FerretDB on a temp dir (or the
 * MongoDB in MONGODB_URI, where each test takes a fresh database anyway) and its own Azurite in
 * memory, each on a free port. Tests find their worker's through ./stand-ins.ts.
 */
export async function startStandIns(workers: number): Promise<void> {
  const stops: Array<() => Promise<void>> = [];
  running = stops;
  process.env.TEST_STORE = process.env.MONGODB_URI ? 'mongodb' : 'ferretdb';
  await Promise.all(
    Array.from({ length: Math.max(1, workers) }, async (_, i) => {
      const worker = i + 1;
      if (process.env.MONGODB_URI) {
        process.env[workerVariable('TEST_MONGODB_URI', worker)] = process.env.MONGODB_URI;
      } else {
        const dir = mkdtempSync(join(tmpdir(), 'oslayer-test-'));
        const ferret = await startEmbeddedFerretdb(dir, (line) => process.stderr.write(`${line}\n`));
        stops.push(async () => {
          await ferret.stop();
          rmSync(dir, { recursive: true, force: true });
        });
        process.env[workerVariable('TEST_MONGODB_URI', worker)] = ferret.uri;
      }
      const azurite = await startAzurite();
      stops.push(azurite.stop);
      process.env[workerVariable('TEST_BLOB_ENDPOINT', worker)] = azurite.blobEndpoint;
    }),
  );
}

let running: Array<() => Promise<void>> = [];

export async function stopStandIns(): Promise<void> {
  await Promise.all(running.splice(0).map((stop) => stop()));
}
