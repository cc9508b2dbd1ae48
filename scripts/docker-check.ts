/**
 * `npm run docker:check`: the Dockerfile's build without a container engine (none runs on the
 * project's machines). Every instruction of the Dockerfile, in order, is matched by one step
 * below — a Dockerfile changed without this file fails the check — and the steps run on a clean
 * copy of the repository (the files git tracks or would track, as the build context), each stage
 * in its own directory under a temp dir. Then it starts the image's CMD with no Slack settings.
 *
 * Where it differs from a real build, and why:
 * - `RUN npm ci` is replaced by hard-linking this checkout's node_modules, which `npm ci` made
 *   from the same package-lock.json (checked): a second install would cost a minute and the
 *   network. `npm prune --omit=dev` then runs for real on those links (its lock file is copied,
 *   not linked, because prune rewrites it).
 * - Absolute image paths (/app, /out, /data, /usr/local/bin) become directories in the temp dir.
 * - USER, chown, VOLUME, EXPOSE, STOPSIGNAL and the base images are not reproduced: the host's
 *   Node and Go build and run it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface ImageBuild {
  /** The temp dir holding every stage; remove it when done. */
  root: string;
  /** The runtime stage's /app. */
  app: string;
  /** The runtime stage's environment (ENV), with its absolute paths mapped into the temp dir. */
  env: Record<string, string>;
  /** The image's CMD. */
  cmd: string[];
}

interface Stages {
  context: string;
  build: string;
  ferretdb: string;
  out: string;
  app: string;
  data: string;
  usrLocalBin: string;
  env: Record<string, string>;
  cmd: string[];
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): void {
  execFileSync(command, args, { cwd, env, stdio: ['ignore', 'inherit', 'inherit'] });
}

function copyInto(from: string, paths: string[], to: string): void {
  for (const path of paths) cpSync(join(from, path), join(to, path), { recursive: true });
}

/** The Dockerfile's instructions, one per line, without comments and the parser directive. */
function dockerfileInstructions(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** Each Dockerfile instruction, verbatim, and what stands in for it here. */
const STEPS: Array<[instruction: string, step: (s: Stages) => void]> = [
  ['FROM node:20-bookworm-slim AS build', () => {}],
  ['WORKDIR /app', (s) => mkdirSync(s.build, { recursive: true })],
  ['COPY package.json package-lock.json ./', (s) => copyInto(s.context, ['package.json', 'package-lock.json'], s.build)],
  [
    'RUN npm ci --no-audit --no-fund',
    (s) => {
      const installed = join(repo, 'node_modules', '.package-lock.json');
      if (!existsSync(installed) || readFileSync(join(repo, 'package-lock.json'), 'utf8') !== readFileSync(join(s.build, 'package-lock.json'), 'utf8')) {
        throw new Error('node_modules here was not installed by `npm ci` from the package-lock.json being built: run `npm ci` first');
      }
      run('cp', ['-al', join(repo, 'node_modules'), join(s.build, 'node_modules')], s.build);
      // Directories are the copy's own, files are shared: replace the one file prune rewrites in place.
      const lock = join(s.build, 'node_modules', '.package-lock.json');
      rmSync(lock);
      copyFileSync(installed, lock);
    },
  ],
  ['COPY tsconfig.json tsconfig.build.json ./', (s) => copyInto(s.context, ['tsconfig.json', 'tsconfig.build.json'], s.build)],
  ['COPY src src', (s) => copyInto(s.context, ['src'], s.build)],
  ['COPY commands commands', (s) => copyInto(s.context, ['commands'], s.build)],
  ['COPY views views', (s) => copyInto(s.context, ['views'], s.build)],
  ['COPY jobs jobs', (s) => copyInto(s.context, ['jobs'], s.build)],
  ['COPY scripts scripts', (s) => copyInto(s.context, ['scripts'], s.build)],
  [
    'COPY tools/*.ts tools/*.cjs tools/',
    (s) => copyInto(s.context, readdirSync(join(s.context, 'tools')).filter((n) => /\.(ts|cjs)$/.test(n)).map((n) => join('tools', n)), s.build),
  ],
  ['RUN npm run build && npm prune --omit=dev', (s) => run('sh', ['-c', 'npm run build && npm prune --omit=dev --no-audit --no-fund'], s.build)],
  ['FROM golang:1.24-bookworm AS ferretdb', () => {}],
  ['WORKDIR /src', (s) => mkdirSync(s.ferretdb, { recursive: true })],
  ['COPY tools/ferretdb/ ./', (s) => cpSync(join(s.context, 'tools', 'ferretdb'), s.ferretdb, { recursive: true })],
  [
    'RUN CGO_ENABLED=0 go build -trimpath -o /out/oslayer-ferretdb .',
    (s) => run('go', ['build', '-trimpath', '-o', join(s.out, 'oslayer-ferretdb'), '.'], s.ferretdb, { ...process.env, CGO_ENABLED: '0' }),
  ],
  ['FROM node:20-bookworm-slim', () => {}],
  [
    'ENV NODE_ENV=production OSLAYER_DATA_DIR=/data OSLAYER_FERRETDB_BIN=/usr/local/bin/oslayer-ferretdb PORT=3000',
    (s) => Object.assign(s.env, { NODE_ENV: 'production', OSLAYER_DATA_DIR: s.data, OSLAYER_FERRETDB_BIN: join(s.usrLocalBin, 'oslayer-ferretdb'), PORT: '3000' }),
  ],
  ['WORKDIR /app', (s) => mkdirSync(s.app, { recursive: true })],
  // Hard links again: the same files, without another 250 MB on disk.
  ['COPY --from=build /app/node_modules node_modules', (s) => run('cp', ['-al', join(s.build, 'node_modules'), join(s.app, 'node_modules')], s.app)],
  ['COPY --from=build /app/dist dist', (s) => copyInto(s.build, ['dist'], s.app)],
  ['COPY --from=build /app/package.json ./', (s) => copyInto(s.build, ['package.json'], s.app)],
  ['COPY manifest.yml ./', (s) => copyInto(s.context, ['manifest.yml'], s.app)],
  [
    'COPY --from=ferretdb /out/oslayer-ferretdb /usr/local/bin/oslayer-ferretdb',
    (s) => {
      mkdirSync(s.usrLocalBin, { recursive: true });
      copyFileSync(join(s.out, 'oslayer-ferretdb'), join(s.usrLocalBin, 'oslayer-ferretdb'));
      chmodSync(join(s.usrLocalBin, 'oslayer-ferretdb'), 0o755);
    },
  ],
  ['RUN mkdir -p /data && chown node:node /data', (s) => mkdirSync(s.data, { recursive: true })],
  ['USER node', () => {}],
  ['VOLUME /data', () => {}],
  ['EXPOSE 3000', () => {}],
  ['STOPSIGNAL SIGTERM', () => {}],
  ['CMD ["node", "--max-semi-space-size=1", "dist/src/main.js"]', (s) => s.cmd.push('node', '--max-semi-space-size=1', 'dist/src/main.js')],
];

/** The build context: every file git tracks or would track, as it is in the working tree. */
function cleanCopy(to: string): void {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: repo, encoding: 'utf8' })
    .split('\0')
    .filter((file) => file !== '' && existsSync(join(repo, file)));
  for (const file of files) {
    mkdirSync(dirname(join(to, file)), { recursive: true });
    copyFileSync(join(repo, file), join(to, file));
  }
}

/** Throws, naming the first difference, unless `dockerfile` has exactly the instructions STEPS mirror. */
export function checkStepsMirror(dockerfile: string): void {
  const instructions = dockerfileInstructions(dockerfile);
  const mirrored = STEPS.map(([instruction]) => instruction);
  const firstDifference = instructions.findIndex((line, i) => line !== mirrored[i]);
  if (firstDifference !== -1 || instructions.length !== mirrored.length) {
    const at = firstDifference === -1 ? Math.min(instructions.length, mirrored.length) : firstDifference;
    throw new Error(
      `the Dockerfile and scripts/docker-check.ts disagree at instruction ${at + 1}: ` +
        `the Dockerfile has ${JSON.stringify(instructions[at] ?? '(nothing)')}, the check mirrors ${JSON.stringify(mirrored[at] ?? '(nothing)')}`,
    );
  }
}

/** Runs the Dockerfile's build, step by step, into a new temp dir; throws when the Dockerfile and STEPS disagree. */
export function buildImageWithoutDocker(log: (line: string) => void = () => {}): ImageBuild {
  checkStepsMirror(readFileSync(join(repo, 'Dockerfile'), 'utf8'));
  const root = mkdtempSync(join(tmpdir(), 'oslayer-image-'));
  const stages: Stages = {
    context: join(root, 'context'),
    build: join(root, 'build', 'app'),
    ferretdb: join(root, 'ferretdb', 'src'),
    out: join(root, 'ferretdb', 'out'),
    app: join(root, 'runtime', 'app'),
    data: join(root, 'runtime', 'data'),
    usrLocalBin: join(root, 'runtime', 'usr', 'local', 'bin'),
    env: {},
    cmd: [],
  };
  cleanCopy(stages.context);
  for (const [instruction, step] of STEPS) {
    log(`[docker-check] ${instruction}`);
    step(stages);
  }
  return { root, app: stages.app, env: stages.env, cmd: stages.cmd };
}

/** What the image holds that the program needs, as paths relative to /app (and the FerretDB wrapper). */
export function imageLayout(image: ImageBuild): string[] {
  const under = (dir: string, pattern: RegExp) =>
    readdirSync(join(image.app, dir))
      .filter((name) => pattern.test(name))
      .sort()
      .map((name) => join(dir, name));
  return [
    ...['package.json', 'manifest.yml', 'dist/src/main.js'].filter((path) => existsSync(join(image.app, path))),
    ...under('dist/src/azure/scripts', /\.ps1$/),
    ...under('dist/tools', /\.cjs$/),
    ...(statSync(image.env.OSLAYER_FERRETDB_BIN!).mode & 0o111 ? [`${relative(image.app, image.env.OSLAYER_FERRETDB_BIN!)} (executable)`] : []),
  ];
}

/** The image's CMD with no Slack settings: its exit status and everything it printed. */
export function startWithoutSlackSettings(image: ImageBuild): { status: number | null; output: string } {
  const [command, ...args] = image.cmd;
  const result = spawnSync(command === 'node' ? process.execPath : command!, args, {
    cwd: image.app,
    env: { PATH: process.env.PATH ?? '', ...image.env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const image = buildImageWithoutDocker((line) => console.log(line));
  console.log(`\nimage /app is ${image.app}; it holds:`);
  for (const path of imageLayout(image)) console.log(`  ${path}`);
  const started = startWithoutSlackSettings(image);
  console.log(`\n${image.cmd.join(' ')} with no Slack settings exited with ${started.status}:\n${started.output}`);
}
