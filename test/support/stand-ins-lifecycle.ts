import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedFerretdb } from '../../src/store/embedded-ferretdb.js';
import { startAzurite } from '../../src/sandbox/azure/azurite.js';

/**
 * Real stand-ins for the whole run: FerretDB on a temp dir (or the MongoDB in MONGODB_URI)
 * and Azurite in memory, each on a free port. Tests find them through TEST_* variables.
 */
export async function startStandIns(): Promise<void> {
  const stops: Array<() => Promise<void>> = [];
  if (process.env.MONGODB_URI) {
    process.env.TEST_MONGODB_URI = process.env.MONGODB_URI;
    process.env.TEST_STORE = 'mongodb';
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'oslayer-test-'));
    const ferret = await startEmbeddedFerretdb(dir, (line) => process.stderr.write(`${line}\n`));
    stops.push(ferret.stop);
    process.env.TEST_MONGODB_URI = ferret.uri;
    process.env.TEST_STORE = 'ferretdb';
  }
  const azurite = await startAzurite();
  stops.push(azurite.stop);
  process.env.TEST_BLOB_ENDPOINT = azurite.blobEndpoint;
  running = stops;
}

let running: Array<() => Promise<void>> = [];

export async function stopStandIns(): Promise<void> {
  for (const stop of running.reverse().splice(0)) await stop();
}
