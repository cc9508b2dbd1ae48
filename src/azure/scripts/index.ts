/**
 * The PowerShell scripts the bot runs inside the packaging machine, read from the .ps1 files
 * next to this module (they are reviewed, and grammar-checked in the tests, as PowerShell, not
 * as strings in TypeScript). Read once at load, so a missing file stops the bot at start instead
 * of failing the first check. Each script's "# oslayer:fail-closed" line is replaced by
 * fail-closed.ps1, the contract they all keep; nothing else is ever put into them, and no caller
 * can add anything (input travels as Run Command parameters).
 */
import { readFileSync } from 'node:fs';

const FAIL_CLOSED_MARKER = '# oslayer:fail-closed';

function lines(file: string): string[] {
  return readFileSync(new URL(`./${file}`, import.meta.url), 'utf8').replace(/\r\n/g, '\n').trimEnd().split('\n');
}

const FAIL_CLOSED = lines('fail-closed.ps1');

function script(file: string, marker: string): readonly string[] {
  const own = lines(file);
  // The first line tells the sandbox's simulated guest which script it is running.
  if (own[0] !== marker) throw new Error(`${file} must start with "${marker}"`);
  const at = own.indexOf(FAIL_CLOSED_MARKER);
  if (at < 0 || own.lastIndexOf(FAIL_CLOSED_MARKER) !== at) throw new Error(`${file} must have one "${FAIL_CLOSED_MARKER}" line`);
  return Object.freeze([...own.slice(0, at), ...FAIL_CLOSED, ...own.slice(at + 1)]);
}

export const INTEGRITY_CHECK_SCRIPT = script('integrity-check.ps1', '# oslayer:integrity-check');
export const EXPEDITE_NGEN_SCRIPT = script('expedite-ngen.ps1', '# oslayer:expedite-ngen');
export const RUNONCE_SCRIPT = script('runonce.ps1', '# oslayer:runonce');
export const WINDOWS_UPDATE_SCRIPT = script('windows-update.ps1', '# oslayer:windows-update');
export const INVENTORY_SCRIPT = script('inventory.ps1', '# oslayer:inventory');
