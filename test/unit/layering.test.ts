/**
 * Product code (what runs against real Azure and real Slack) never reaches a stand-in: the
 * simulator, the fake Slack Web API and the local workspace live under src/sandbox/ and
 * src/local/, and the only door into them is the runtime's sandbox switch (OSLAYER_SANDBOX=1).
 * Imports are read with TypeScript's own pre-processor, so dynamic imports count too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = normalize(join(dirname(fileURLToPath(import.meta.url)), '../..'));
const STAND_IN_FOLDERS = ['src/sandbox/', 'src/local/'];
/** file → the stand-in modules it may import: the runtime's one switch. */
const ALLOWED: Record<string, string[]> = { 'src/runtime.ts': ['src/sandbox/index.ts'] };

function tsFilesUnder(folder: string): string[] {
  return readdirSync(join(root, folder), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split('\\').join('/'));
}

const isStandIn = (file: string) => STAND_IN_FOLDERS.some((folder) => file.startsWith(folder));

/** The stand-in modules a product file imports that it may not. */
function forbiddenImports(file: string, source: string): string[] {
  const { importedFiles } = ts.preProcessFile(source, true, true);
  return importedFiles
    .map(({ fileName }) => fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => join(dirname(file), spec).split('\\').join('/').replace(/\.js$/, '.ts'))
    .filter((target) => isStandIn(target) && !(ALLOWED[file] ?? []).includes(target));
}

const productFiles = ['src', 'commands', 'views', 'jobs'].flatMap(tsFilesUnder).filter((file) => !isStandIn(file));

describe('product code and stand-ins are kept apart', () => {
  it('finds the product files it guards', () => {
    expect(productFiles).toEqual(expect.arrayContaining(['src/runtime.ts', 'src/azure/gateway.ts', 'jobs/index.ts', 'views/task-message.ts']));
    expect(productFiles.some((file) => file.startsWith('src/sandbox/'))).toBe(false);
  });

  it('no product file imports from src/sandbox or src/local, but the runtime switch', () => {
    const offenders = productFiles.flatMap((file) =>
      forbiddenImports(file, readFileSync(join(root, file), 'utf8')).map((target) => `${file} → ${target}`),
    );
    expect(offenders).toEqual([]);
  });

  it('the runtime reaches the sandbox only through its switch', () => {
    expect(forbiddenImports('src/runtime.ts', readFileSync(join(root, 'src/runtime.ts'), 'utf8'))).toEqual([]);
    expect(readFileSync(join(root, 'src/runtime.ts'), 'utf8')).toContain("await import('./sandbox/index.js')");
  });

  it('refuses an adapter that imports the simulator, statically or dynamically', () => {
    expect(forbiddenImports('src/azure/gateway.ts', "import { startArmSimulator } from '../sandbox/azure/index.js';")).toEqual([
      'src/sandbox/azure/index.ts',
    ]);
    expect(forbiddenImports('jobs/publish.ts', "const fake = await import('../src/sandbox/slack/web-api.js');")).toEqual([
      'src/sandbox/slack/web-api.ts',
    ]);
    expect(forbiddenImports('src/slack/replies.ts', "import type { Inputs } from '../local/workspace/server.js';")).toEqual([
      'src/local/workspace/server.ts',
    ]);
    expect(forbiddenImports('src/runtime.ts', "import { FakeSlackWebApi } from './sandbox/slack/web-api.js';")).toEqual([
      'src/sandbox/slack/web-api.ts',
    ]);
  });

  it('src/azure holds the product adapters alone', () => {
    expect(tsFilesUnder('src/azure').filter((file) => /simulator|azurite|fake/i.test(file))).toEqual([]);
  });
});
