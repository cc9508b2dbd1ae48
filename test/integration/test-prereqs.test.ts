import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { CHROMIUM, canInstallWithApt, findExecutable } from '../../scripts/ensure-test-prereqs.js';

/** A directory with an executable `chromium` and a non-executable `chromium-notes`. */
function binDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'oslayer-prereqs-'));
  chmodSync(dir, 0o755); // readable by the unprivileged user the pretest check runs as
  writeFileSync(join(dir, 'chromium'), '#!/bin/sh\n');
  chmodSync(join(dir, 'chromium'), 0o755);
  writeFileSync(join(dir, 'chromium-notes'), 'not a program');
  return dir;
}

/**
 * `pretest`'s first step, as an unprivileged user (nobody) when the tests run as root: as root on
 * Debian it would install what is missing instead of stopping. nobody may not read the checkout (a
 * clone in root's 0700 home, say), so it runs a copy of the script, compiled to JavaScript the way
 * tsx runs it under npm, from a directory of its own: the script imports nothing but Node's own
 * modules, so the copy is the whole program (an import of the checkout would fail here, loudly).
 */
function runPretestCheck(env: Record<string, string>): { status: number | null; output: string } {
  const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  const result = spawnSync(process.execPath, [pretestCheckCopy()], { env, encoding: 'utf8', cwd: dirname(pretestCheckCopy()), ...asNobody });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

let copied: string | undefined;
function pretestCheckCopy(): string {
  if (copied) return copied;
  const dir = mkdtempSync(join(tmpdir(), 'oslayer-pretest-'));
  chmodSync(dir, 0o755);
  const { outputText } = ts.transpileModule(readFileSync('scripts/ensure-test-prereqs.ts', 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  copied = join(dir, 'ensure-test-prereqs.mjs');
  writeFileSync(copied, outputText, { mode: 0o644 });
  return copied;
}

describe('the tests’ system prerequisites (pretest)', () => {
  it('finds chromium on PATH, or only where CHROMIUM_PATH points when it is set', () => {
    const dir = binDir();
    const emptyDir = mkdtempSync(join(tmpdir(), 'oslayer-prereqs-empty-'));
    expect(findExecutable(CHROMIUM, { PATH: `${emptyDir}:${dir}` })).toBe(join(dir, 'chromium'));
    expect(findExecutable(CHROMIUM, { PATH: emptyDir })).toBeUndefined();
    expect(findExecutable(CHROMIUM, { PATH: emptyDir, CHROMIUM_PATH: join(dir, 'chromium') })).toBe(join(dir, 'chromium'));
    // A wrong CHROMIUM_PATH is not papered over by the one on PATH.
    expect(findExecutable(CHROMIUM, { PATH: dir, CHROMIUM_PATH: join(dir, 'chromium-notes') })).toBeUndefined();
  });

  it('installs with apt-get only as root on Debian or Ubuntu', () => {
    const debian = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n';
    const mint = 'ID=linuxmint\nID_LIKE="ubuntu debian"\n';
    const fedora = 'ID=fedora\n';
    expect(canInstallWithApt({ isRoot: true, hasAptGet: true, osRelease: debian })).toBe(true);
    expect(canInstallWithApt({ isRoot: true, hasAptGet: true, osRelease: mint })).toBe(true);
    expect(canInstallWithApt({ isRoot: false, hasAptGet: true, osRelease: debian })).toBe(false);
    expect(canInstallWithApt({ isRoot: true, hasAptGet: false, osRelease: debian })).toBe(false);
    expect(canInstallWithApt({ isRoot: true, hasAptGet: true, osRelease: fedora })).toBe(false);
  });

  it('stops before jest with one sentence naming the package and CHROMIUM_PATH when it cannot install chromium', () => {
    const { status, output } = runPretestCheck({ PATH: mkdtempSync(join(tmpdir(), 'oslayer-prereqs-empty-')) });
    expect(status).toBe(1);
    expect(output.trim().split('\n')).toEqual([
      'The browser tests (test/browser, driven through playwright-core, which brings no browser) need chromium, and no chromium is on PATH: ' +
        "install Debian's or Ubuntu's `chromium` package (apt-get install chromium, as root) or another build of it, or set CHROMIUM_PATH to its executable.",
    ]);
  });

  it('passes quietly when CHROMIUM_PATH points at an executable', () => {
    const dir = binDir();
    expect(runPretestCheck({ PATH: '', CHROMIUM_PATH: join(dir, 'chromium') })).toEqual({ status: 0, output: '' });
  });
});
