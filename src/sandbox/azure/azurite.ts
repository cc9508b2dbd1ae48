import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { startChildService } from '../../util/child-service.js';

/** Azurite's well-known development account (public, documented by Microsoft; not a secret). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface RunningAzurite {
  /** Blob endpoint including the account path, e.g. http://127.0.0.1:10000/devstoreaccount1 */
  blobEndpoint: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Azurite's blob service on loopback; port 0 picks a free port. In memory, unless `location`
 * names a directory to keep the blobs in across restarts (the sandbox's data dir).
 */
export async function startAzurite(opts: { port?: number; location?: string; log?: (line: string) => void } = {}): Promise<RunningAzurite> {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('azurite/dist/src/blob/main.js');
  const service = await startChildService({
    name: 'Azurite',
    command: process.execPath,
    args: [
      // Azurite shares a copied page blob's page list with its source; see the file for the fix.
      '--require', fileURLToPath(new URL('../../../tools/azurite-copy-fix.cjs', import.meta.url)),
      '--require', fileURLToPath(new URL('../../../tools/azurite-behind-gateway.cjs', import.meta.url)),
      '--require', fileURLToPath(new URL('../../../tools/exit-with-parent.cjs', import.meta.url)),
      entry,
      ...(opts.location ? ['--location', opts.location] : ['--inMemoryPersistence']),
      '--blobHost', '127.0.0.1',
      '--blobPort', String(opts.port ?? 0),
      // Bearer tokens and user delegation keys (over HTTPS only, which the storage gateway provides).
      '--oauth', 'basic',
      '--skipApiVersionCheck',
      '--disableTelemetry',
      '--loose',
      '--silent',
    ],
    readyPattern: /successfully listens on (http:\/\/127\.0\.0\.1:(\d+))/,
    onLine: opts.log,
  });
  const port = Number(service.ready[2]);
  return { blobEndpoint: `${service.ready[1]}/${AZURITE_ACCOUNT}`, port, stop: () => service.stop() };
}
