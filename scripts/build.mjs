/**
 * `npm run build`, and `prestart` with --if-stale: compiles the TypeScript into dist/ and copies
 * beside it the files the compiled code reads at run time (the Run Command .ps1 scripts, the
 * Azurite preloads), so dist/ is the whole program and the Docker image copies it as it is.
 * With --if-stale it does nothing when dist/ was built from exactly these sources (their hash is
 * kept in dist/.sources.sha256), which takes a few milliseconds.
 *
 * Plain JavaScript on purpose: it runs before anything is compiled, on every `npm start`, and
 * loading tsx for it would cost half a second of start time.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const stampFile = join(dist, '.sources.sha256');

/** What tsconfig.build.json compiles, and the configuration it compiles with. */
const SOURCE_DIRS = ['src', 'commands', 'views', 'jobs', 'scripts'];
const SOURCE_FILES = ['tsconfig.json', 'tsconfig.build.json'];
/** Non-TypeScript files the compiled program reads next to itself: [directory, file extension]. */
const RUNTIME_ASSETS = [
  ['src/azure/scripts', '.ps1'],
  ['tools', '.cjs'],
  ['src/azure/roles', '.json'],
  ['src/sandbox/azure/roles', '.json'],
];

function filesUnder(dir) {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

function sourcesHash() {
  const topLevelTools = readdirSync(join(root, 'tools')).filter((name) => /\.(ts|cjs)$/.test(name)).map((name) => join('tools', name));
  const files = [...SOURCE_DIRS.flatMap(filesUnder), ...topLevelTools, ...SOURCE_FILES].sort();
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${file}\0`).update(readFileSync(join(root, file))).update('\0');
  return hash.digest('hex');
}

function build(hash, why) {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  if (!existsSync(tsc)) {
    console.error('dist/ is missing or older than the sources, and rebuilding it needs TypeScript: run `npm ci` (with the dev dependencies), then `npm run build`.');
    process.exit(1);
  }
  console.log(`Compiling the TypeScript into dist/ (${why}; about half a minute)…`);
  rmSync(dist, { recursive: true, force: true });
  const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (compiled.status !== 0) process.exit(compiled.status ?? 1);
  for (const [dir, extension] of RUNTIME_ASSETS) {
    mkdirSync(join(dist, dir), { recursive: true });
    for (const name of readdirSync(join(root, dir)).filter((n) => n.endsWith(extension))) {
      copyFileSync(join(root, dir, name), join(dist, dir, name));
    }
  }
  writeFileSync(stampFile, hash);
  console.log(`Built ${relative(process.cwd(), dist) || '.'}/`);
}

const hash = sourcesHash();
const builtFrom = existsSync(stampFile) ? readFileSync(stampFile, 'utf8') : undefined;
if (!process.argv.includes('--if-stale')) build(hash, 'npm run build');
else if (builtFrom !== hash) build(hash, builtFrom === undefined ? 'no build yet' : 'the sources changed since the last build');
