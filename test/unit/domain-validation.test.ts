import fc from 'fast-check';
import {
  defaultMaxLayerSizeGb,
  importLayerSchema,
  isVersionNameTaken,
  maxLayerSizeGbSchema,
  minimumLayerSizeGb,
  packagingDiskStepSchema,
  parseForm,
  versionDetailsSchema,
  versionExistsMessage,
  versionNameSchema,
} from '../../src/domain/validation.js';

const GIB = 1024 ** 3;
const CONTROL = fc.constantFrom('\u0000', '\u0007', '\t', '\n', '\r', '\u001b', '\u007f', '\u0085', '\u009f', '\u2028');

function errorsOf(result: { ok: boolean; errors?: Record<string, string> }): Record<string, string> {
  if (result.ok) throw new Error('expected the form to be refused');
  return result.errors ?? {};
}

describe('version name', () => {
  it('is trimmed', () => {
    expect(versionNameSchema.parse('  2026-11  ')).toBe('2026-11');
  });

  it.each([
    [undefined, 'Enter a version name'],
    ['   ', 'Enter a version name'],
    ['x'.repeat(65), 'Version can be at most 64 characters (this one has 65).'],
    ['2026\t11', 'Version must be one line of text'],
    ['2026-11\n', 'Version must be one line of text'],
  ])('refuses %j: %s', (input, message) => {
    const result = versionNameSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain(message);
  });

  it('accepts 64 characters of any script', () => {
    expect(versionNameSchema.parse('é'.repeat(64))).toHaveLength(64);
  });

  it('never crashes on arbitrary input and accepts exactly the clean 1–64 character names', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (s) => {
        const ok = versionNameSchema.safeParse(s).success;
        const trimmed = s.trim();
        const expected = !/[\p{Cc}\u2028\u2029]/u.test(s) && trimmed.length >= 1 && trimmed.length <= 64;
        expect(ok).toBe(expected);
      }),
    );
  });

  it('always refuses a control character, wherever it is', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), CONTROL, fc.string({ maxLength: 30 }), (a, c, b) => {
        expect(versionNameSchema.safeParse(`${a}${c}${b}`).success).toBe(false);
      }),
    );
  });

  it('is unique in its layer regardless of case and surrounding spaces', () => {
    expect(isVersionNameTaken(' 2026-11 ', ['2026-10', '2026-11'])).toBe(true);
    expect(isVersionNameTaken('Nov Updates', ['nov updates'])).toBe(true);
    expect(isVersionNameTaken('2026-12', ['2026-10', '2026-11'])).toBe(false);
    expect(versionExistsMessage(' 2026-11', 'Windows Server 2022')).toBe(
      'Version "2026-11" already exists in layer "Windows Server 2022". Choose another name.',
    );
  });
});

describe('max layer size', () => {
  it('defaults to 100 GB, or the base disk when that is bigger', () => {
    expect(maxLayerSizeGbSchema().parse(undefined)).toBe(100);
    expect(maxLayerSizeGbSchema().parse(null)).toBe(100);
    expect(maxLayerSizeGbSchema().parse('  ')).toBe(100);
    expect(defaultMaxLayerSizeGb(127 * GIB)).toBe(127);
    expect(maxLayerSizeGbSchema(127 * GIB).parse('')).toBe(127);
  });

  it('rounds the base disk up to whole gigabytes', () => {
    expect(minimumLayerSizeGb(0)).toBe(1);
    expect(minimumLayerSizeGb(30 * GIB)).toBe(30);
    expect(minimumLayerSizeGb(30 * GIB + 512)).toBe(31);
  });

  it.each([
    ['abc', 'Enter a whole number of gigabytes, such as 100.'],
    ['12.5', 'Enter a whole number of gigabytes, such as 100.'],
    ['0x10', 'Enter a whole number of gigabytes, such as 100.'],
    ['0', 'Max Layer Size must be between 1 and 4095 GB.'],
    ['4096', 'Max Layer Size must be between 1 and 4095 GB.'],
    ['-5', 'Max Layer Size must be between 1 and 4095 GB.'],
  ])('refuses %j', (input, message) => {
    expect(maxLayerSizeGbSchema().safeParse(input).error?.issues[0]?.message).toBe(message);
  });

  it('refuses a size smaller than the base disk, saying how big the disk is', () => {
    expect(maxLayerSizeGbSchema(127 * GIB).safeParse('100').error?.issues[0]?.message).toBe(
      "The base version's disk is 127 GB, so Max Layer Size must be at least 127.",
    );
    expect(maxLayerSizeGbSchema(5000 * GIB).safeParse('4095').error?.issues[0]?.message).toContain('choose another base version');
  });

  it('accepts every whole number from the base disk size to 4095, as text or number', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4095 * GIB }), fc.integer({ min: 1, max: 4095 }), (baseBytes, gb) => {
        const result = maxLayerSizeGbSchema(baseBytes).safeParse(String(gb));
        expect(result.success).toBe(gb >= Math.ceil(baseBytes / GIB));
        if (result.success) expect(result.data).toBe(gb);
        expect(maxLayerSizeGbSchema(baseBytes).safeParse(gb).success).toBe(result.success);
      }),
    );
  });

  it('never crashes on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (s) => {
        const result = maxLayerSizeGbSchema().safeParse(s);
        if (result.success) expect(Number.isInteger(result.data) && result.data >= 1 && result.data <= 4095).toBe(true);
      }),
    );
  });
});

describe('wizard steps', () => {
  const details = {
    layerId: 'layer-1',
    versionName: '2026-11',
    versionDescription: null,
    baseVersionId: 'version-7',
    maxLayerSizeGb: '150',
  };

  it('reads Version Details, with a blank description', () => {
    expect(parseForm(versionDetailsSchema(), details)).toEqual({
      ok: true,
      value: { layerId: 'layer-1', versionName: '2026-11', versionDescription: '', baseVersionId: 'version-7', maxLayerSizeGb: 150 },
    });
  });

  it('reports every problem at once, one message per field', () => {
    const errors = errorsOf(
      parseForm(versionDetailsSchema(127 * GIB), { versionName: '', versionDescription: 'd'.repeat(1001), maxLayerSizeGb: '100' }),
    );
    expect(errors).toEqual({
      layerId: 'Choose the OS layer to add a version to.',
      versionName: expect.stringContaining('Enter a version name'),
      versionDescription: 'Version Description can be at most 1000 characters (this one has 1001).',
      baseVersionId: expect.stringContaining('Choose the version to start from'),
      maxLayerSizeGb: "The base version's disk is 127 GB, so Max Layer Size must be at least 127.",
    });
  });

  it('keeps line breaks in a description but not other control characters', () => {
    expect(parseForm(versionDetailsSchema(), { ...details, versionDescription: 'Line one\nLine two\tend' })).toMatchObject({ ok: true });
    expect(errorsOf(parseForm(versionDetailsSchema(), { ...details, versionDescription: 'bell\u0007' }))).toEqual({
      versionDescription: expect.stringContaining('control character'),
    });
  });

  it('takes the packaging disk as a fixed VHD', () => {
    expect(parseForm(packagingDiskStepSchema, { packagingDiskFilename: ' w-1.vhd ' })).toEqual({
      ok: true,
      value: { packagingDiskFilename: 'w-1.vhd', diskFormat: 'fixed-vhd' },
    });
    expect(errorsOf(parseForm(packagingDiskStepSchema, { packagingDiskFilename: 'w.vhdx', diskFormat: 'dynamic' }))).toEqual({
      packagingDiskFilename: expect.stringContaining('end the name with .vhd'),
      diskFormat: 'Azure accepts only fixed-size VHD disks; choose Fixed VHD.',
    });
  });
});

describe('import layer', () => {
  const valid = {
    layerName: 'Windows Server 2022',
    layerDescription: 'Golden image',
    vmGeneration: 'V2',
    connectorId: 'conn-1',
    blobPath: 'imports/Windows Server 2022 (base).vhd',
  };

  it('accepts any Azure blob name ending in .vhd, since the disk already exists', () => {
    expect(parseForm(importLayerSchema, valid)).toEqual({ ok: true, value: { ...valid, osType: 'Windows' } });
  });

  it('explains each refused field', () => {
    expect(errorsOf(parseForm(importLayerSchema, { layerName: 'Win/2022', osType: 'Linux', vmGeneration: 'V3', blobPath: 'disk.vmdk' }))).toEqual({
      layerName: 'Use letters, digits, spaces, dot, dash and underscore in the layer name.',
      osType: 'OS layers run Windows; choose Windows.',
      vmGeneration: expect.stringContaining('V1 (BIOS) or V2 (UEFI)'),
      connectorId: 'Choose the connector whose storage account holds the VHD.',
      blobPath: expect.stringContaining('end the name with .vhd'),
    });
  });
});
