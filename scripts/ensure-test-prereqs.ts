/**
 * `pretest`, first step: the system programs the tests drive are found (on PATH or in their
 * variable) or installed, before anything slow runs. On Debian or Ubuntu as root the missing ones
 * are installed with apt-get, saying so; anywhere else the run stops here, before jest, with one
 * sentence per missing program: what to install and which variable to point at it. A suite never
 * passes or skips because its program is missing.
 *
 * A new system program the tests need is one more row in TEST_PREREQUISITES.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface SystemPrerequisite {
  /** Who needs it, for the sentences printed. */
  neededBy: string;
  /** Executable names looked up on PATH, in order. */
  commands: readonly string[];
  /** The Debian (and Ubuntu) package that provides it. */
  debianPackage: string;
  /** Points at the executable when it is not on PATH; when set, it is the only place looked at. */
  envVar: string;
}

export const CHROMIUM: SystemPrerequisite = {
  neededBy: 'The browser tests (test/browser, driven through playwright-core, which brings no browser)',
  commands: ['chromium'],
  debianPackage: 'chromium',
  envVar: 'CHROMIUM_PATH',
};

export const TEST_PREREQUISITES: readonly SystemPrerequisite[] = [CHROMIUM];

type Env = Record<string, string | undefined>;

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The executable for `prereq`: its variable when set (and only then), else the first match on PATH. */
export function findExecutable(prereq: SystemPrerequisite, env: Env = process.env): string | undefined {
  const pinned = env[prereq.envVar]?.trim();
  if (pinned) return isExecutableFile(pinned) ? resolve(pinned) : undefined;
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const command of prereq.commands) {
      const candidate = join(dir, command);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}

/** The sentence that stops the run when `prereq` is missing and this machine cannot install it. */
export function missingSentence(prereq: SystemPrerequisite, env: Env = process.env): string {
  const pinned = env[prereq.envVar]?.trim();
  const where = pinned
    ? `${prereq.envVar} is set to ${pinned}, which is not an executable file`
    : `no ${prereq.commands.join(' or ')} is on PATH`;
  return (
    `${prereq.neededBy} need ${prereq.commands[0]}, and ${where}: install Debian's or Ubuntu's ` +
    `\`${prereq.debianPackage}\` package (apt-get install ${prereq.debianPackage}, as root) or another build of it, ` +
    `or set ${prereq.envVar} to its executable.`
  );
}

/** True on Debian, Ubuntu and their derivatives, from /etc/os-release. */
function isDebianLike(osRelease: string): boolean {
  const ids = [/^ID=(.*)$/m, /^ID_LIKE=(.*)$/m].flatMap((re) => (re.exec(osRelease)?.[1] ?? '').replace(/"/g, '').split(/\s+/));
  return ids.includes('debian') || ids.includes('ubuntu');
}

export interface Machine {
  isRoot: boolean;
  osRelease: string;
  hasAptGet: boolean;
}

function thisMachine(): Machine {
  return {
    isRoot: process.getuid?.() === 0,
    osRelease: existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : '',
    hasAptGet: spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0,
  };
}

/** Whether missing packages may be installed here: apt-get, as root, on Debian or Ubuntu. */
export function canInstallWithApt(machine: Machine): boolean {
  return machine.isRoot && machine.hasAptGet && isDebianLike(machine.osRelease);
}

function aptGet(args: string[]): boolean {
  console.log(`  apt-get ${args.join(' ')}`);
  return spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
}

/** Finds or installs every prerequisite; returns the sentences for those still missing. */
export function ensurePrerequisites(prereqs: readonly SystemPrerequisite[], machine: Machine = thisMachine()): string[] {
  // A set but wrong variable is the person's choice: report it rather than install around it.
  const installable = (p: SystemPrerequisite) => !process.env[p.envVar]?.trim();
  const missing = prereqs.filter((p) => !findExecutable(p));
  const toInstall = missing.filter(installable);
  if (toInstall.length > 0 && canInstallWithApt(machine)) {
    const packages = toInstall.map((p) => p.debianPackage);
    console.log(`Installing what the tests need and this machine lacks (${packages.join(', ')}) with apt-get, as root:`);
    if (aptGet(['update']) && aptGet(['install', '-y', '--no-install-recommends', ...packages])) {
      console.log(`Installed ${packages.join(', ')}.`);
    }
  }
  return prereqs.filter((p) => !findExecutable(p)).map((p) => missingSentence(p));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const problems = ensurePrerequisites(TEST_PREREQUISITES);
  for (const sentence of problems) console.error(sentence);
  process.exit(problems.length > 0 ? 1 : 0);
}
