/**
 * The sandbox's simulated subscription survives a restart of `npm run local`: the simulator's
 * state objects are written as JSON to a file in the data directory, and read back into the
 * fresh objects at the next start. The walk is generic — Maps, Sets, Dates, arrays, plain
 * objects and the fields of class instances such as ResourceStore's tables and GuestRegistry's
 * map — so a field or a state object added to the simulator context later is carried without
 * touching this file. Only what can't outlive the process is left out: the configuration (its
 * endpoints change with every start), the blob client, and operations in flight (their timers).
 * The timing set through PUT /_simulator/settings lives in the configuration and the operations,
 * so it is saved on its own (`settings`) and applied again.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SimulatorContext } from './context.js';
import type { PowerState } from './resources.js';
import { applySettings, currentSettings, settingsSchema } from './settings.js';

const NOT_STATE: ReadonlySet<string> = new Set(['config', 'blobs', 'operations']);
const SETTINGS_KEY = 'settings';
/** How often the state is compared with what was last written (and written if it changed). */
const SAVE_EVERY_MS = 500;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface SimulatorPersistence {
  /** Writes now if anything changed; the last call before the process stops. */
  flush(): void;
  stop(): void;
}

/** Loads `file` into the context's state objects (if it exists), then keeps it up to date. */
export function persistSimulator(context: SimulatorContext, file: string): SimulatorPersistence {
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Json>;
    for (const [key, value] of Object.entries(saved)) {
      const target = (context as unknown as Record<string, unknown>)[key];
      if (!NOT_STATE.has(key) && target !== undefined) restoreInto(target, value);
    }
    const settings = settingsSchema.safeParse(saved[SETTINGS_KEY]);
    if (settings.success) applySettings(context, settings.data);
    settleTransitions(context);
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  let written = '';
  const flush = (): void => {
    const state: Record<string, Json> = {};
    for (const [key, value] of Object.entries(context)) if (!NOT_STATE.has(key)) state[key] = toJson(value);
    state[SETTINGS_KEY] = toJson(currentSettings(context));
    const text = JSON.stringify(state);
    if (text === written) return;
    // Written aside and renamed: a process killed mid-write leaves the previous state whole.
    writeFileSync(`${file}.tmp`, text, { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
    written = text;
  };
  const timer = setInterval(flush, SAVE_EVERY_MS);
  timer.unref();
  return { flush, stop: () => clearInterval(timer) };
}

function toJson(value: unknown): Json {
  if (value instanceof Map) return { $map: [...value.entries()].map(([k, v]) => [toJson(k), toJson(v)]) };
  if (value instanceof Set) return { $set: [...value].map(toJson) };
  if (value instanceof Date) return { $date: value.toISOString() };
  if (Array.isArray(value)) return value.map(toJson);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, Json> = {};
    for (const [key, field] of Object.entries(value)) if (field !== undefined && typeof field !== 'function') out[key] = toJson(field);
    return out;
  }
  return value as Json;
}

function fromJson(json: Json): unknown {
  if (Array.isArray(json)) return json.map(fromJson);
  if (json !== null && typeof json === 'object') {
    if ('$map' in json) return new Map((json.$map as Json[][]).map(([k, v]) => [fromJson(k!), fromJson(v!)]));
    if ('$set' in json) return new Set((json.$set as Json[]).map(fromJson));
    if ('$date' in json) return new Date(json.$date as string);
    return Object.fromEntries(Object.entries(json).map(([key, value]) => [key, fromJson(value)]));
  }
  return json;
}

/**
 * Fills `target` (a live state object) from its saved form: a Map or Set is refilled, a class instance's
 * fields are restored one by one (so its methods stay), anything else is replaced.
 */
function restoreInto(target: unknown, saved: Json): void {
  if (target instanceof Map) {
    target.clear();
    for (const [key, value] of fromJson(saved) as Map<unknown, unknown>) target.set(key, value);
    return;
  }
  if (target instanceof Set) {
    target.clear();
    for (const value of fromJson(saved) as Set<unknown>) target.add(value);
    return;
  }
  if (target === null || typeof target !== 'object' || saved === null || typeof saved !== 'object' || Array.isArray(saved)) return;
  const fields = target as Record<string, unknown>;
  for (const [key, value] of Object.entries(saved)) {
    const current = fields[key];
    if (current !== null && typeof current === 'object' && !(current instanceof Date) && !Array.isArray(current)) restoreInto(current, value);
    else fields[key] = fromJson(value);
  }
}

/** What an operation in flight would have finished had the process not stopped. */
const SETTLED_POWER: Partial<Record<PowerState, PowerState>> = { starting: 'running', stopping: 'stopped', deallocating: 'deallocated' };

function settleTransitions({ store, deployments }: SimulatorContext): void {
  for (const machine of store.machines.values()) {
    machine.powerState = SETTLED_POWER[machine.powerState] ?? machine.powerState;
    machine.runCommandInProgress = false;
    if (machine.provisioningState === 'Deleting') store.machines.delete(machine.id);
    else machine.provisioningState = 'Succeeded';
  }
  for (const disk of store.disks.values()) {
    if (disk.provisioningState === 'Deleting') store.disks.delete(disk.id);
    else disk.provisioningState = 'Succeeded';
  }
  // Compute goes on replicating while nobody watches; a version stopped midway has replicated by now.
  for (const version of store.galleryImageVersions.values()) {
    if (version.provisioningState === 'Deleting') store.galleryImageVersions.delete(version.id);
    else if (version.provisioningState !== 'Failed') version.provisioningState = 'Succeeded';
  }
  for (const image of store.galleryImages.values()) image.provisioningState = 'Succeeded';
  // A deployment creates its resources from the process that ran it; stopped midway, it ended there.
  for (const deployment of deployments.values()) {
    if (deployment.provisioningState !== 'Accepted' && deployment.provisioningState !== 'Running') continue;
    deployment.provisioningState = 'Failed';
    deployment.error = { code: 'DeploymentFailed', message: 'The simulator stopped while this deployment ran; what it created so far is kept. Deploy the template again.' };
  }
}
