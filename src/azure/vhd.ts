import { randomBytes } from 'node:crypto';

/**
 * The footer of a fixed VHD, after Microsoft's "Virtual Hard Disk Image Format Specification".
 * Azure accepts only fixed VHDs whose virtual size is a whole MiB, stored as a page blob of
 * exactly that size plus this 512-byte footer. Pure: no I/O.
 */

export const MIB = 1024 * 1024;
export const GIB = 1024 * MIB;
export const VHD_FOOTER_SIZE = 512;

/** The bytes are not a footer Azure can use. */
export class VhdFormatError extends Error {
  override name = 'VhdFormatError';
}

/** A requested disk size Azure cannot take, or a shrink. */
export class VhdSizeError extends Error {
  override name = 'VhdSizeError';
}

export interface ChsGeometry {
  cylinders: number;
  heads: number;
  sectorsPerTrack: number;
}

export interface VhdFooter {
  features: number;
  formatVersion: number;
  timestamp: Date;
  creatorApplication: string;
  creatorVersion: number;
  creatorHostOs: string;
  originalSize: number;
  currentSize: number;
  geometry: ChsGeometry;
  diskType: 'fixed';
  checksum: number;
  /** 16 bytes as 32 lowercase hex digits. */
  uniqueId: string;
  savedState: boolean;
}

/** Byte offsets of the footer's fields; every number is big-endian. */
const AT = {
  cookie: 0,
  features: 8,
  formatVersion: 12,
  dataOffset: 16,
  timestamp: 24,
  creatorApplication: 28,
  creatorVersion: 32,
  creatorHostOs: 36,
  originalSize: 40,
  currentSize: 48,
  geometry: 56,
  diskType: 60,
  checksum: 64,
  uniqueId: 68,
  savedState: 84,
} as const;

const COOKIE = 'conectix';
const DISK_TYPE = { fixed: 2, dynamic: 3, differencing: 4 } as const;
/** VHD timestamps count seconds from 2000-01-01 00:00:00 UTC. */
const VHD_EPOCH_MS = Date.UTC(2000, 0, 1);

/** CHS geometry for a disk of sizeBytes, by the algorithm in the specification's appendix. */
export function chsGeometry(sizeBytes: number): ChsGeometry {
  const totalSectors = Math.min(Math.floor(sizeBytes / 512), 65535 * 16 * 255);
  let sectorsPerTrack: number;
  let heads: number;
  let cylinderTimesHeads: number;
  if (totalSectors >= 65535 * 16 * 63) {
    sectorsPerTrack = 255;
    heads = 16;
    cylinderTimesHeads = Math.floor(totalSectors / sectorsPerTrack);
  } else {
    sectorsPerTrack = 17;
    cylinderTimesHeads = Math.floor(totalSectors / sectorsPerTrack);
    heads = Math.max(4, Math.floor((cylinderTimesHeads + 1023) / 1024));
    if (cylinderTimesHeads >= heads * 1024 || heads > 16) {
      sectorsPerTrack = 31;
      heads = 16;
      cylinderTimesHeads = Math.floor(totalSectors / sectorsPerTrack);
    }
    if (cylinderTimesHeads >= heads * 1024) {
      sectorsPerTrack = 63;
      heads = 16;
      cylinderTimesHeads = Math.floor(totalSectors / sectorsPerTrack);
    }
  }
  return { cylinders: Math.floor(cylinderTimesHeads / heads), heads, sectorsPerTrack };
}

export function parseVhdFooter(buf: Uint8Array): VhdFooter {
  if (buf.length !== VHD_FOOTER_SIZE) {
    throw new VhdFormatError(`a VHD footer is ${VHD_FOOTER_SIZE} bytes, but ${buf.length} were given`);
  }
  const view = viewOf(buf);
  if (readAscii(buf, AT.cookie, 8) !== COOKIE) {
    throw new VhdFormatError(`not a VHD: the footer does not start with the "${COOKIE}" cookie`);
  }
  const stored = view.getUint32(AT.checksum);
  const computed = checksumOf(buf);
  if (stored !== computed) {
    throw new VhdFormatError(`the VHD footer is damaged: its checksum is ${hex32(stored)}, but its bytes sum to ${hex32(computed)}`);
  }
  const diskType = view.getUint32(AT.diskType);
  if (diskType === DISK_TYPE.dynamic) throw new VhdFormatError('dynamic VHDs are not supported; Azure needs a fixed VHD');
  if (diskType === DISK_TYPE.differencing) throw new VhdFormatError('differencing VHDs are not supported; Azure needs a fixed VHD');
  if (diskType !== DISK_TYPE.fixed) throw new VhdFormatError(`unknown VHD disk type ${diskType}; Azure needs a fixed VHD`);
  const currentSize = readSize(view, AT.currentSize, 'virtual size');
  if (currentSize === 0 || currentSize % MIB !== 0) {
    throw new VhdFormatError(`the VHD's virtual size (${currentSize} bytes) is not a whole number of MiB, as Azure requires`);
  }
  const geometry = view.getUint32(AT.geometry);
  return {
    features: view.getUint32(AT.features),
    formatVersion: view.getUint32(AT.formatVersion),
    timestamp: new Date(VHD_EPOCH_MS + view.getUint32(AT.timestamp) * 1000),
    creatorApplication: readAscii(buf, AT.creatorApplication, 4),
    creatorVersion: view.getUint32(AT.creatorVersion),
    creatorHostOs: readAscii(buf, AT.creatorHostOs, 4),
    originalSize: readSize(view, AT.originalSize, 'original size'),
    currentSize,
    geometry: { cylinders: geometry >>> 16, heads: (geometry >>> 8) & 0xff, sectorsPerTrack: geometry & 0xff },
    diskType: 'fixed',
    checksum: stored,
    uniqueId: Buffer.from(buf.subarray(AT.uniqueId, AT.uniqueId + 16)).toString('hex'),
    savedState: buf[AT.savedState] !== 0,
  };
}

export interface FixedVhdFooterOptions {
  sizeBytes: number;
  /** 32 hex digits; random when omitted. */
  uniqueId?: string;
  /** Defaults to now. */
  timestamp?: Date;
}

export function buildFixedVhdFooter(opts: FixedVhdFooterOptions): Uint8Array {
  assertDiskSize(opts.sizeBytes);
  const footer = new Uint8Array(VHD_FOOTER_SIZE);
  const view = viewOf(footer);
  writeAscii(footer, AT.cookie, COOKIE);
  view.setUint32(AT.features, 0x2); // the "reserved" bit, which the specification says is always set
  view.setUint32(AT.formatVersion, 0x00010000);
  view.setBigUint64(AT.dataOffset, 0xffffffffffffffffn); // fixed disks have no dynamic header
  view.setUint32(AT.timestamp, vhdSeconds(opts.timestamp ?? new Date()));
  writeAscii(footer, AT.creatorApplication, 'osly');
  view.setUint32(AT.creatorVersion, 0x00010000);
  writeAscii(footer, AT.creatorHostOs, 'Wi2k');
  view.setBigUint64(AT.originalSize, BigInt(opts.sizeBytes));
  view.setUint32(AT.diskType, DISK_TYPE.fixed);
  footer.set(uniqueIdBytes(opts.uniqueId), AT.uniqueId);
  return sealed(withCurrentSize(footer, opts.sizeBytes));
}

/**
 * The footer of `footer`'s disk grown to newSizeBytes: only the current size, geometry and
 * checksum change, so the disk keeps its identity (unique id, creator, original size).
 */
export function grownVhdFooter(footer: Uint8Array, newSizeBytes: number): Uint8Array {
  const { currentSize } = parseVhdFooter(footer);
  assertDiskSize(newSizeBytes);
  if (newSizeBytes < currentSize) {
    throw new VhdSizeError(`the disk is ${mib(currentSize)} and cannot shrink to ${mib(newSizeBytes)}`);
  }
  return sealed(withCurrentSize(Uint8Array.from(footer), newSizeBytes));
}

/** A whole fixed VHD in memory: sizeBytes of `fill` then the footer. For tests and the sandbox. */
export function buildFixedVhd(sizeBytes: number, fill = 0): Uint8Array {
  const vhd = new Uint8Array(sizeBytes + VHD_FOOTER_SIZE);
  vhd.fill(fill, 0, sizeBytes);
  vhd.set(buildFixedVhdFooter({ sizeBytes }), sizeBytes);
  return vhd;
}

function assertDiskSize(sizeBytes: number): void {
  if (!Number.isSafeInteger(sizeBytes) || sizeBytes <= 0 || sizeBytes % MIB !== 0) {
    throw new VhdSizeError(`a disk's size must be a positive whole number of MiB, not ${sizeBytes} bytes`);
  }
}

function withCurrentSize(footer: Uint8Array, sizeBytes: number): Uint8Array {
  const view = viewOf(footer);
  const { cylinders, heads, sectorsPerTrack } = chsGeometry(sizeBytes);
  view.setBigUint64(AT.currentSize, BigInt(sizeBytes));
  view.setUint16(AT.geometry, cylinders);
  footer[AT.geometry + 2] = heads;
  footer[AT.geometry + 3] = sectorsPerTrack;
  return footer;
}

function sealed(footer: Uint8Array): Uint8Array {
  viewOf(footer).setUint32(AT.checksum, checksumOf(footer));
  return footer;
}

/** One's complement of the sum of every footer byte except the checksum field itself. */
function checksumOf(footer: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < VHD_FOOTER_SIZE; i++) {
    if (i < AT.checksum || i >= AT.checksum + 4) sum += footer[i]!;
  }
  return ~sum >>> 0;
}

function readSize(view: DataView, offset: number, what: string): number {
  const size = view.getBigUint64(offset);
  if (size > BigInt(Number.MAX_SAFE_INTEGER)) throw new VhdFormatError(`the VHD's ${what} (${size} bytes) is implausibly large`);
  return Number(size);
}

function vhdSeconds(date: Date): number {
  const seconds = Math.floor((date.getTime() - VHD_EPOCH_MS) / 1000);
  if (!(seconds >= 0 && seconds <= 0xffffffff)) throw new RangeError(`a VHD timestamp must fall between 2000 and 2136, not ${date.toISOString()}`);
  return seconds;
}

function uniqueIdBytes(uniqueId: string | undefined): Uint8Array {
  if (uniqueId === undefined) return randomBytes(16);
  if (!/^[0-9a-f]{32}$/i.test(uniqueId)) throw new RangeError(`a VHD unique id is 32 hex digits, not "${uniqueId}"`);
  return Buffer.from(uniqueId, 'hex');
}

function viewOf(buf: Uint8Array): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

function readAscii(buf: Uint8Array, offset: number, length: number): string {
  return Buffer.from(buf.subarray(offset, offset + length)).toString('latin1');
}

function writeAscii(buf: Uint8Array, offset: number, text: string): void {
  buf.set(Buffer.from(text, 'latin1'), offset);
}

function hex32(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

function mib(bytes: number): string {
  return `${bytes / MIB} MiB`;
}
