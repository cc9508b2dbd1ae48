/**
 * Every PowerShell script in the repository parses with a real PowerShell grammar: tree-sitter's
 * (npm tree-sitter-powershell, its .wasm build) through web-tree-sitter's wasm runtime. Both come
 * from the npm registry; nothing is built or downloaded when the tests run.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Language, Parser, type Node } from 'web-tree-sitter';
import { EXPEDITE_NGEN_SCRIPT, INTEGRITY_CHECK_SCRIPT, INVENTORY_SCRIPT, RUNONCE_SCRIPT, WINDOWS_UPDATE_SCRIPT } from '../../src/azure/scripts/index.js';

const require = createRequire(import.meta.url);
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
let parser: Parser;

beforeAll(async () => {
  await Parser.init();
  const grammar = readFileSync(require.resolve('tree-sitter-powershell/tree-sitter-powershell.wasm'));
  parser = new Parser();
  parser.setLanguage(await Language.load(grammar));
});

/** Each ERROR or MISSING node, with where it is. */
function syntaxProblems(source: string): string[] {
  const tree = parser.parse(source);
  if (!tree) throw new Error('the parser gave no tree');
  const problems: string[] = [];
  const visit = (node: Node): void => {
    if (node.isError || node.isMissing) {
      const at = `${node.startPosition.row + 1}:${node.startPosition.column + 1}`;
      problems.push(`${node.isMissing ? `missing ${node.type}` : 'syntax error'} at ${at}: ${node.text.slice(0, 60)}`);
    }
    if (node.hasError) for (const child of node.children) if (child) visit(child);
  };
  visit(tree.rootNode);
  tree.delete();
  return problems;
}

/** Every .ps1 the repository tracks (new scripts are picked up without touching this test). */
const scripts = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ps1'], { cwd: repoRoot, encoding: 'utf8' })
  .split('\n')
  .filter(Boolean);

describe('the PowerShell scripts, parsed with the tree-sitter PowerShell grammar', () => {
  it('finds the scripts the bot sends', () => {
    expect(scripts).toEqual(
      expect.arrayContaining([
        'src/azure/scripts/integrity-check.ps1',
        'src/azure/scripts/expedite-ngen.ps1',
        'src/azure/scripts/runonce.ps1',
        'src/azure/scripts/windows-update.ps1',
        'src/azure/scripts/inventory.ps1',
      ]),
    );
  });

  it.each(scripts)('%s has no ERROR or MISSING node', (file) => {
    expect(syntaxProblems(readFileSync(`${repoRoot}${file}`, 'utf8'))).toEqual([]);
  });

  it.each([
    ['integrity check', INTEGRITY_CHECK_SCRIPT],
    ['Expedite NGen', EXPEDITE_NGEN_SCRIPT],
    ['RunOnce', RUNONCE_SCRIPT],
    ['Windows Update', WINDOWS_UPDATE_SCRIPT],
    ['inventory', INVENTORY_SCRIPT],
  ])('the %s script as sent (with the fail-closed prelude) has no ERROR or MISSING node, and param() stays first', (_name, script) => {
    expect(syntaxProblems(script.join('\n'))).toEqual([]);
    const firstStatement = script.find((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));
    if (script.some((line) => line.startsWith('param('))) expect(firstStatement).toBe('param(');
  });

  it.each([
    ['an unclosed if condition', "if ($x { Write-Output 'x' }"],
    ['an unclosed script block', 'function Test-It {\n  $a = 1\n'],
    ['an unclosed hashtable', '$report = [ordered]@{ v = 2; ok = $true'],
    ['an unterminated string', "Write-Output 'never closed"],
    ['a pipe into nothing', 'Get-Process |'],
    ['a parameter list left open', 'function Test-It([string]$x { }'],
    ['an unclosed call argument list', "Get-Item (Join-Path $a 'b'"],
  ])('catches %s', (_what, snippet) => {
    expect(syntaxProblems(snippet)).not.toEqual([]);
  });

  it('accepts what the scripts rely on', () => {
    const valid = [
      "$ErrorActionPreference = 'Stop'",
      "try { [System.Threading.Mutex]::TryOpenExisting('Global\\_MSIExecute', [ref]$m) } catch [System.Threading.AbandonedMutexException] { $true }",
      "param(\n    [string]$Mode = 'queued'\n)\nWrite-Output $Mode",
      "[regex]::Replace($json, '[^\\x20-\\x7E]', { param($match) '\\u{0:x4}' -f [int][char]$match.Value })",
    ];
    for (const snippet of valid) expect(syntaxProblems(snippet)).toEqual([]);
  });
});
