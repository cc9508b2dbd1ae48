/**
 * Builds the embedded FerretDB wrapper (tools/ferretdb) into tools/ferretdb/bin on first use,
 * and again whenever its sources change. Run directly (`npm run ferretdb:build`) or imported
 * by the bot and the test setup.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** tools/ferretdb, whether this runs as tools/build-ferretdb.ts or compiled as dist/tools/build-ferretdb.js. */
const sourceDir = [join(here, 'ferretdb'), resolve(here, '..', '..', 'tools', 'ferretdb')].find((dir) => existsSync(join(dir, 'main.go'))) ?? join(here, 'ferretdb');
export const ferretdbBinary = process.env.OSLAYER_FERRETDB_BIN ?? join(sourceDir, 'bin', 'oslayer-ferretdb');
const stampFile = `${ferretdbBinary}.sha256`;

function sourceHash(): string {
  const hash = createHash('sha256');
  for (const file of ['main.go', 'go.mod', 'go.sum']) hash.update(readFileSync(join(sourceDir, file)));
  return hash.digest('hex');
}

function goAvailable(): boolean {
  return spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0;
}

/** Returns the wrapper's path, building it when missing or stale. `log` receives progress lines. */
export function ensureFerretdbBinary(log: (line: string) => void = () => {}): string {
  if (process.env.OSLAYER_FERRETDB_BIN) return ferretdbBinary;
  const hash = existsSync(join(sourceDir, 'main.go')) ? sourceHash() : '';
  if (existsSync(ferretdbBinary) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === hash) {
    return ferretdbBinary;
  }
  if (!goAvailable()) {
    if (existsSync(ferretdbBinary)) return ferretdbBinary;
    throw new Error(
      'The embedded store needs the FerretDB wrapper, and building it needs Go 1.22 or newer on PATH. ' +
        'Install Go, or set MONGODB_URI to use an existing MongoDB.',
    );
  }
  log('Building the embedded FerretDB wrapper (first run only; about a minute)…');
  mkdirSync(dirname(ferretdbBinary), { recursive: true });
  execFileSync('go', ['build', '-trimpath', '-o', ferretdbBinary, '.'], {
    cwd: sourceDir,
    env: { ...process.env, CGO_ENABLED: '0' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  writeFileSync(stampFile, hash);
  log(`Built ${ferretdbBinary}`);
  return ferretdbBinary;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureFerretdbBinary((line) => console.log(line));
}
