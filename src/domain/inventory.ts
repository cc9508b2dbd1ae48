/**
 * What is installed on the packaging machine (updates by KB with their install date, from
 * Win32_QuickFixEngineering and Windows Update's history; drivers with their versions; programs
 * from the Uninstall keys of both registry views) and what changed between two such readings:
 * the version's changelog. Pure: no I/O (gzip and SHA-256 are computation).
 *
 * A machine's inventory is larger than Run Command's 4 KB output, so the inventory script
 * gzips its JSON, base64-encodes it and prints it in numbered parts, one per run (its `Part`
 * parameter); every part carries the SHA-256 of the whole, so parts from two different
 * readings can never be stitched together into something that was never on the machine.
 */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { z } from 'zod';
import { readScriptOutput, versionedReader, type ScriptOutput, type ScriptReading } from './script-output.js';

export const inventoryPartSchema = z.strictObject({
  v: z.literal(1),
  action: z.literal('inventory'),
  part: z.number().int().min(0),
  parts: z.number().int().min(1).max(64),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  data: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/),
});
export type InventoryPart = z.infer<typeof inventoryPartSchema>;

const inventoryPayloadSchema = z.strictObject({
  /** [KB, install date yyyy-mm-dd or ''] */
  updates: z.array(z.tuple([z.string().regex(/^KB\d{5,8}$/), z.string().max(32)])),
  /** [DeviceName, DriverVersion, DriverProviderName] (Win32_PnPSignedDriver) */
  drivers: z.array(z.tuple([z.string().min(1).max(400), z.string().min(1).max(100), z.string().max(400)])),
  /** [DisplayName, DisplayVersion, Publisher] */
  programs: z.array(z.tuple([z.string().min(1).max(400), z.string().max(100), z.string().max(400)])),
});

export interface InstalledUpdate {
  kb: string;
  installedOn: string;
}

export interface InstalledProgram {
  name: string;
  version: string;
  publisher: string;
}

export interface InstalledDriver {
  name: string;
  version: string;
  provider: string;
}

export interface Inventory {
  readAt: Date;
  updates: InstalledUpdate[];
  /** Absent in inventories read before drivers were (an older bot). */
  drivers?: InstalledDriver[];
  programs: InstalledProgram[];
}

const readInventoryLine = versionedReader({ 1: inventoryPartSchema });

export function readInventoryPart(run: ScriptOutput, expectedPart: number): ScriptReading<InventoryPart> {
  const reading = readScriptOutput(run, readInventoryLine);
  if (!reading.ok) return reading;
  if (reading.value.part !== expectedPart || reading.value.part >= reading.value.parts) return { ok: false, failure: { reason: `it answered part ${reading.value.part + 1} when part ${expectedPart + 1} was asked for` } };
  return reading;
}

/** Puts the parts (in order) back together and checks them against the hash they all carry. */
export function assembleInventory(parts: readonly InventoryPart[], readAt: Date): ScriptReading<Inventory> {
  const first = parts[0];
  if (!first || parts.length !== first.parts) return { ok: false, failure: { reason: 'some parts of the inventory are missing' } };
  if (parts.some((p, i) => p.part !== i || p.parts !== first.parts || p.sha256 !== first.sha256)) {
    return { ok: false, failure: { reason: 'the machine changed while its inventory was being read (the parts do not belong together); read it again' } };
  }
  const packed = Buffer.from(parts.map((p) => p.data).join(''), 'base64');
  if (createHash('sha256').update(packed).digest('hex') !== first.sha256) return { ok: false, failure: { reason: 'the inventory arrived damaged (its checksum does not match)' } };
  let json: unknown;
  try {
    json = JSON.parse(gunzipSync(packed).toString('utf8'));
  } catch {
    return { ok: false, failure: { reason: 'the inventory could not be unpacked' } };
  }
  const parsed = inventoryPayloadSchema.safeParse(json);
  if (!parsed.success) return { ok: false, failure: { reason: 'the inventory was incomplete or had unexpected fields' } };
  return {
    ok: true,
    value: {
      readAt,
      updates: parsed.data.updates.map(([kb, installedOn]) => ({ kb: kb.toUpperCase(), installedOn })),
      drivers: parsed.data.drivers.map(([name, version, provider]) => ({ name, version, provider })),
      programs: parsed.data.programs.map(([name, version, publisher]) => ({ name, version, publisher })),
    },
  };
}

export interface ProgramUpgrade {
  name: string;
  from: string;
  to: string;
}

export interface DriverUpdate {
  name: string;
  from: string;
  to: string;
}

export interface Changelog {
  updatesAdded: InstalledUpdate[];
  /** Absent in changelogs worked out before drivers were read. */
  driversAdded?: InstalledDriver[];
  driversUpdated?: DriverUpdate[];
  programsAdded: InstalledProgram[];
  programsRemoved: InstalledProgram[];
  programsUpgraded: ProgramUpgrade[];
}

/** Versions of each name (the same program may be listed in both registry views, a driver for several devices). */
function versionsByName<T extends { name: string; version: string }>(items: readonly T[]): Map<string, { program: T; versions: string[] }> {
  const byName = new Map<string, { program: T; versions: string[] }>();
  for (const item of items) {
    const entry = byName.get(item.name) ?? { program: item, versions: [] };
    if (!entry.versions.includes(item.version)) entry.versions.push(item.version);
    byName.set(item.name, entry);
  }
  for (const entry of byName.values()) entry.versions.sort();
  return byName;
}

/** Drivers new in `after` (by device name) and those whose version changed. */
function driverChanges(before: readonly InstalledDriver[], after: readonly InstalledDriver[]): Pick<Changelog, 'driversAdded' | 'driversUpdated'> {
  const old = versionsByName(before);
  const driversAdded: InstalledDriver[] = [];
  const driversUpdated: DriverUpdate[] = [];
  for (const [name, entry] of versionsByName(after)) {
    const previous = old.get(name);
    if (!previous) driversAdded.push(entry.program);
    else if (previous.versions.join(', ') !== entry.versions.join(', ')) driversUpdated.push({ name, from: previous.versions.join(', '), to: entry.versions.join(', ') });
  }
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
  return { driversAdded: driversAdded.sort(byName), driversUpdated: driversUpdated.sort(byName) };
}

/** What `after` has that `before` had not, and the programs and drivers whose version changed. */
export function changelogBetween(before: Pick<Inventory, 'updates' | 'programs' | 'drivers'>, after: Pick<Inventory, 'updates' | 'programs' | 'drivers'>): Changelog {
  const hadUpdate = new Set(before.updates.map((u) => u.kb));
  const updatesAdded = after.updates.filter((u, i, all) => !hadUpdate.has(u.kb) && all.findIndex((o) => o.kb === u.kb) === i);
  const old = versionsByName(before.programs);
  const now = versionsByName(after.programs);
  const programsAdded: InstalledProgram[] = [];
  const programsUpgraded: ProgramUpgrade[] = [];
  for (const [name, entry] of now) {
    const previous = old.get(name);
    if (!previous) programsAdded.push(entry.program);
    else if (previous.versions.join(', ') !== entry.versions.join(', ')) programsUpgraded.push({ name, from: previous.versions.join(', '), to: entry.versions.join(', ') });
  }
  const programsRemoved = [...old].filter(([name]) => !now.has(name)).map(([, entry]) => entry.program);
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
  return {
    updatesAdded: updatesAdded.sort((a, b) => a.kb.localeCompare(b.kb)),
    // Without a driver list on both sides nothing can be said about drivers.
    ...(before.drivers && after.drivers ? driverChanges(before.drivers, after.drivers) : {}),
    programsAdded: programsAdded.sort(byName),
    programsRemoved: programsRemoved.sort(byName),
    programsUpgraded: programsUpgraded.sort(byName),
  };
}

export function isEmptyChangelog(c: Changelog): boolean {
  return c.updatesAdded.length + (c.driversAdded?.length ?? 0) + (c.driversUpdated?.length ?? 0) + c.programsAdded.length + c.programsRemoved.length + c.programsUpgraded.length === 0;
}
