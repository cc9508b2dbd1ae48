/**
 * The PowerShell scripts the bot runs inside the packaging machine, read from the .ps1 files
 * next to this module (they are reviewed as PowerShell, not as strings in TypeScript). Read once
 * at load, so a missing file stops the bot at start instead of failing the first check.
 * They are sent as-is: no caller can put anything into them.
 */
import { readFileSync } from 'node:fs';

function script(file: string, marker: string): readonly string[] {
  const lines = readFileSync(new URL(`./${file}`, import.meta.url), 'utf8').replace(/\r\n/g, '\n').trimEnd().split('\n');
  // The first line tells the sandbox's simulated guest which script it is running.
  if (lines[0] !== marker) throw new Error(`${file} must start with "${marker}"`);
  return Object.freeze(lines);
}

export const INTEGRITY_CHECK_SCRIPT = script('integrity-check.ps1', '# oslayer:integrity-check');
export const EXPEDITE_NGEN_SCRIPT = script('expedite-ngen.ps1', '# oslayer:expedite-ngen');
export const RUNONCE_SCRIPT = script('runonce.ps1', '# oslayer:runonce');
