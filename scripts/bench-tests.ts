/**
 * `npm run bench:tests [-- jest arguments]`: runs jest as `npm test` does (without its pretest) and
 * prints how long the run took, each test file's own time (slowest first) and the worker count,
 * with the machine's cores and load average before and after, since a busy machine slows
 * everything alike. Jest's exit code is this script's.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';

interface JestJson {
  numTotalTests: number;
  numFailedTests: number;
  testResults: Array<{ name: string; status: string; startTime: number; endTime: number }>;
}

const NPM_TEST = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { test: string } }).scripts.test.split(' ');

function load(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'oslayer-bench-tests-'));
  const output = join(dir, 'jest.json');
  const loadBefore = load();
  const started = performance.now();
  const code = await new Promise<number>((resolve) => {
    // `npm test`'s command with `node` as this process's own executable.
    const child = spawn(process.execPath, [...NPM_TEST.slice(1), '--json', `--outputFile=${output}`, ...process.argv.slice(2)], { stdio: 'inherit' });
    child.once('exit', (exitCode) => resolve(exitCode ?? 1));
  });
  const wallSeconds = (performance.now() - started) / 1000;
  const results = JSON.parse(readFileSync(output, 'utf8')) as JestJson;
  rmSync(dir, { recursive: true, force: true });

  const files = results.testResults
    .map((r) => ({ file: relative(process.cwd(), r.name), seconds: (r.endTime - r.startTime) / 1000, status: r.status }))
    .sort((a, b) => b.seconds - a.seconds);
  const summed = files.reduce((sum, f) => sum + f.seconds, 0);
  const lines = [
    '',
    'Test files, slowest first (seconds each took in its worker):',
    ...files.map((f) => `  ${f.seconds.toFixed(1).padStart(7)}  ${f.file}${f.status === 'passed' ? '' : `  (${f.status})`}`),
    '',
    `jest wall time: ${wallSeconds.toFixed(1)} s for ${files.length} files and ${results.numTotalTests} tests (${results.numFailedTests} failed);`,
    `the files' own times add up to ${summed.toFixed(1)} s (what one worker in band would take, roughly).`,
    `cores: ${availableParallelism()}; load average (1, 5, 15 min) before: ${loadBefore}, after: ${load()}`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
  process.exit(code);
}

main().catch((err: Error) => {
  process.stderr.write(`bench:tests failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
