import fc from 'fast-check';
import {
  buildFixedVhd,
  buildFixedVhdFooter,
  chsGeometry,
  GIB,
  grownVhdFooter,
  MIB,
  parseVhdFooter,
  VhdFormatError,
  VhdSizeError,
} from '../../src/azure/vhd.js';
import { HAND_MADE_FOOTER, patched, resealed, specChecksum, viewOf } from '../fixtures/vhd/hand-made.js';

const wholeMibSize = fc.integer({ min: 1, max: 2 * 1024 * 1024 }).map((n) => n * MIB); // 1 MiB .. 2 TiB
const uniqueId = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString('hex'));
const vhdTimestamp = fc.integer({ min: 0, max: 0xffffffff }).map((s) => new Date(Date.UTC(2000, 0, 1) + s * 1000));

describe('fixed VHD footer', () => {
  it('builds, byte for byte, the footer the specification describes', () => {
    const built = buildFixedVhdFooter({
      sizeBytes: 4 * MIB,
      uniqueId: '00112233445566778899aabbccddeeff',
      timestamp: new Date('2026-11-01T10:00:00Z'),
    });
    expect(Buffer.from(built).toString('hex')).toBe(HAND_MADE_FOOTER.toString('hex'));
  });

  it('reads every field of a footer made by hand', () => {
    expect(parseVhdFooter(HAND_MADE_FOOTER)).toEqual({
      features: 2,
      formatVersion: 0x00010000,
      timestamp: new Date('2026-11-01T10:00:00Z'),
      creatorApplication: 'osly',
      creatorVersion: 0x00010000,
      creatorHostOs: 'Wi2k',
      originalSize: 4 * MIB,
      currentSize: 4 * MIB,
      geometry: { cylinders: 120, heads: 4, sectorsPerTrack: 17 },
      diskType: 'fixed',
      checksum: 0xffffe6e6,
      uniqueId: '00112233445566778899aabbccddeeff',
      savedState: false,
    });
  });

  // Worked through the specification's algorithm by hand, one per branch.
  it.each([
    [4 * MIB, { cylinders: 120, heads: 4, sectorsPerTrack: 17 }], // 17 sectors/track, at least 4 heads
    [1 * GIB, { cylinders: 2080, heads: 16, sectorsPerTrack: 63 }], // too many heads at 17 and 31 → 63
    [127 * GIB, { cylinders: 65278, heads: 16, sectorsPerTrack: 255 }], // beyond 65535·16·63 sectors → 255
    [2048 * GIB, { cylinders: 65535, heads: 16, sectorsPerTrack: 255 }], // capped at 65535·16·255 sectors
  ])('computes the CHS geometry of %d bytes', (size, geometry) => {
    expect(chsGeometry(size)).toEqual(geometry);
  });

  it('names what is wrong with a footer Azure cannot use', () => {
    const reject = (buf: Uint8Array) => () => parseVhdFooter(buf);
    expect(reject(HAND_MADE_FOOTER.subarray(0, 511))).toThrow(new VhdFormatError('a VHD footer is 512 bytes, but 511 were given'));
    expect(reject(patched(HAND_MADE_FOOTER, 0, '636f6e6563746979'))).toThrow(/does not start with the "conectix" cookie/);
    expect(reject(Uint8Array.from(HAND_MADE_FOOTER).fill(7, 100, 101))).toThrow(/checksum is 0xffffe6e6, but its bytes sum to 0xffffe6df/);
    expect(reject(patched(HAND_MADE_FOOTER, 60, '00000003'))).toThrow('dynamic VHDs are not supported; Azure needs a fixed VHD');
    expect(reject(patched(HAND_MADE_FOOTER, 60, '00000004'))).toThrow('differencing VHDs are not supported; Azure needs a fixed VHD');
    expect(reject(patched(HAND_MADE_FOOTER, 48, '0000000000400200'))).toThrow(/4194816 bytes\) is not a whole number of MiB/);
  });

  it('round-trips any whole-MiB size from 1 MiB to 2 TiB', () => {
    fc.assert(
      fc.property(wholeMibSize, uniqueId, vhdTimestamp, (sizeBytes, id, timestamp) => {
        const footer = parseVhdFooter(buildFixedVhdFooter({ sizeBytes, uniqueId: id, timestamp }));
        expect(footer).toMatchObject({ currentSize: sizeBytes, originalSize: sizeBytes, uniqueId: id, timestamp, diskType: 'fixed' });
        expect(footer.geometry).toEqual(chsGeometry(sizeBytes));
      }),
    );
  });

  it('rejects a footer with any single byte changed', () => {
    fc.assert(
      fc.property(wholeMibSize, fc.integer({ min: 0, max: 511 }), fc.integer({ min: 1, max: 255 }), (sizeBytes, at, flip) => {
        const footer = buildFixedVhdFooter({ sizeBytes });
        footer[at] = footer[at]! ^ flip;
        expect(() => parseVhdFooter(footer)).toThrow(VhdFormatError);
      }),
    );
  });

  it('rejects every truncated footer', () => {
    fc.assert(
      fc.property(wholeMibSize, fc.integer({ min: 0, max: 511 }), (sizeBytes, length) => {
        const footer = buildFixedVhdFooter({ sizeBytes });
        expect(() => parseVhdFooter(footer.subarray(0, length))).toThrow(/a VHD footer is 512 bytes/);
      }),
    );
  });

  it('accepts random bytes only when they happen to meet every rule of a fixed whole-MiB footer', () => {
    const anySize = fc.oneof(wholeMibSize.map(BigInt), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }));
    const footerLike = fc
      .record({
        bytes: fc.uint8Array({ minLength: 512, maxLength: 512 }),
        cookie: fc.boolean(),
        diskType: fc.constantFrom(2, 2, 3, 4, 0x12345678),
        currentSize: anySize,
        originalSize: anySize,
        reseal: fc.boolean(),
      })
      .map(({ bytes, cookie, diskType, currentSize, originalSize, reseal }) => {
        const view = viewOf(bytes);
        if (cookie) bytes.set(Buffer.from('conectix'), 0);
        view.setUint32(60, diskType);
        view.setBigUint64(48, currentSize);
        view.setBigUint64(40, originalSize);
        return reseal ? resealed(bytes) : bytes;
      });
    const meetsEveryRule = (buf: Uint8Array) => {
      const view = viewOf(buf);
      const size = view.getBigUint64(48);
      const safe = BigInt(Number.MAX_SAFE_INTEGER);
      return (
        Buffer.from(buf.subarray(0, 8)).toString('latin1') === 'conectix' &&
        view.getUint32(64) === specChecksum(buf) &&
        view.getUint32(60) === 2 &&
        size > 0n && size % BigInt(MIB) === 0n && size <= safe &&
        view.getBigUint64(40) <= safe
      );
    };
    fc.assert(
      fc.property(footerLike, (buf) => {
        if (meetsEveryRule(buf)) expect(parseVhdFooter(buf).currentSize).toBe(Number(viewOf(buf).getBigUint64(48)));
        else expect(() => parseVhdFooter(buf)).toThrow(VhdFormatError);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('building and growing fixed VHDs', () => {
  it('refuses sizes that are not a positive whole MiB', () => {
    for (const size of [0, -MIB, MIB + 512, 1.5 * MIB, Number.NaN]) {
      expect(() => buildFixedVhdFooter({ sizeBytes: size })).toThrow(VhdSizeError);
    }
    expect(() => buildFixedVhdFooter({ sizeBytes: MIB + 512 })).toThrow("a disk's size must be a positive whole number of MiB, not 1049088 bytes");
  });

  it('grows a footer keeping the disk identity and refuses to shrink it', () => {
    const grown = parseVhdFooter(grownVhdFooter(HAND_MADE_FOOTER, 16 * MIB));
    expect(grown).toMatchObject({
      currentSize: 16 * MIB,
      originalSize: 4 * MIB,
      uniqueId: '00112233445566778899aabbccddeeff',
      timestamp: new Date('2026-11-01T10:00:00Z'),
      geometry: chsGeometry(16 * MIB),
    });
    expect(() => grownVhdFooter(HAND_MADE_FOOTER, 2 * MIB)).toThrow(new VhdSizeError('the disk is 4 MiB and cannot shrink to 2 MiB'));
    expect(() => grownVhdFooter(HAND_MADE_FOOTER, 16 * MIB + 512)).toThrow(VhdSizeError);
  });

  it('builds a whole fixed VHD: the data, then a footer for exactly that size', () => {
    const vhd = buildFixedVhd(2 * MIB, 0xab);
    expect(vhd.length).toBe(2 * MIB + 512);
    expect(vhd.subarray(0, 2 * MIB).every((b) => b === 0xab)).toBe(true);
    expect(parseVhdFooter(vhd.subarray(2 * MIB)).currentSize).toBe(2 * MIB);
  });
});
