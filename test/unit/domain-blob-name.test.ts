import fc from 'fast-check';
import {
  packagingDiskFilenameProblem,
  packagingDiskFilenameSchema,
  suggestPackagingDiskFilename,
  vhdBlobNameProblem,
} from '../../src/domain/blob-name.js';

const CONTROL = fc.constantFrom('\u0000', '\u0001', '\t', '\n', '\r', '\u001f', '\u007f', '\u0080', '\u009f', '\u2029');
const STORE_CHAR = fc.constantFrom(...'abcXYZ019._-'.split(''));

describe('packaging disk filename', () => {
  it.each(['win2022-2026-11-packaging.vhd', 'disks/2026/Win_2022.VHD', `${'a'.repeat(250)}.vhd`])('accepts %s', (name) => {
    expect(packagingDiskFilenameProblem(name)).toBeUndefined();
  });

  it.each([
    ['', 'Enter a file name'],
    ['win.vhdx', 'end the name with .vhd'],
    ['disks/.vhd', 'end the name with .vhd'],
    ['win 2022.vhd', 'A space is not allowed here'],
    ['wïn.vhd', 'The character “ï” is not allowed here'],
    ['win%20.vhd', 'The character “%” is not allowed here'],
    ['disks\\win.vhd', 'Use / between folders, not \\'],
    ['/win.vhd', 'remove the leading slash'],
    ['disks//win.vhd', 'double slash'],
    ['disks/../win.vhd', 'Folders named . or .. are not allowed'],
    ['win.vhd.', 'cannot end with a dot or a slash'],
    ['disks/', 'cannot end with a dot or a slash'],
    [`${'a'.repeat(255)}/w.vhd`, 'at most 254 characters'],
    [`${'a/'.repeat(254)}w.vhd`, 'folder levels'],
    [`${'a'.repeat(1021)}.vhd`, 'at most 1024 characters (this one has 1025)'],
    ['win\u0000.vhd', 'control character'],
  ])('refuses %j, saying %s', (name, message) => {
    expect(packagingDiskFilenameProblem(name)).toContain(message);
  });

  it('tolerates surrounding spaces when typed into the form', () => {
    expect(packagingDiskFilenameSchema.parse('  win.vhd ')).toBe('win.vhd');
  });

  it('never crashes, and whatever it accepts is a URL-safe .vhd name within Azure limits', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (name) => {
        const result = packagingDiskFilenameSchema.safeParse(name);
        if (!result.success) return;
        const accepted = result.data;
        expect(accepted).toMatch(/^[A-Za-z0-9._/-]+\.vhd$/i);
        expect(encodeURIComponent(accepted).replaceAll('%2F', '/')).toBe(accepted);
        expect(accepted.split('/').every((s) => s.length >= 1 && s.length <= 254)).toBe(true);
      }),
    );
  });

  it('accepts names built from the allowed alphabet', () => {
    const segment = fc.string({ unit: STORE_CHAR, minLength: 1, maxLength: 40 }).filter((s) => s !== '.' && s !== '..');
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 5 }), fc.string({ unit: STORE_CHAR, minLength: 1, maxLength: 40 }), (folders, file) => {
        expect(packagingDiskFilenameProblem([...folders, `${file}.vhd`].join('/'))).toBeUndefined();
      }),
    );
  });

  it('always refuses a control character', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), CONTROL, fc.string({ maxLength: 20 }), (a, c, b) => {
        expect(packagingDiskFilenameSchema.safeParse(`${a}${c}${b}.vhd`).success).toBe(false);
        expect(vhdBlobNameProblem(`${a}${c}${b}.vhd`)).toBeDefined();
      }),
    );
  });
});

describe('any VHD blob name (import)', () => {
  it('allows what Azure allows, spaces and accents included', () => {
    expect(vhdBlobNameProblem('imports/Windows Server 2022 (ä).vhd')).toBeUndefined();
  });

  it('refuses a broken Unicode character, which cannot appear in a URL', () => {
    expect(vhdBlobNameProblem('win\uD800.vhd')).toContain('cannot be written in a URL');
  });
});

describe('suggested packaging disk filename', () => {
  it.each([
    ['Win2022', '2026-11', 'win2022-2026-11-packaging.vhd'],
    ['Windows Server 2022 (Datacenter)', 'November Updates', 'windows-server-2022-datacenter-november-updates-packaging.vhd'],
    ['Café Desktop', 'v1.2', 'cafe-desktop-v1-2-packaging.vhd'],
    ['東京', '🚀', 'layer-version-packaging.vhd'],
  ])('%s + %s → %s', (layer, version, expected) => {
    expect(suggestPackagingDiskFilename(layer, version)).toBe(expected);
  });

  it('is always a valid packaging disk filename', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }), (layer, version) => {
        const name = suggestPackagingDiskFilename(layer, version);
        expect(packagingDiskFilenameProblem(name)).toBeUndefined();
        expect(packagingDiskFilenameSchema.parse(name)).toBe(name);
      }),
    );
  });
});
