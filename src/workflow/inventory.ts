/**
 * The changelog's readings: what is installed on the packaging machine when it first comes up
 * (the base inventory, before any change) and again just before it is shut down for finalize.
 * The inventory script runs through Run Command once per part (see src/domain/inventory.ts);
 * a reading that cannot be read whole is a failure with its reason, never an empty inventory.
 */
import type { AzureSession } from '../azure/gateway.js';
import type { Machines } from '../azure/ports.js';
import { INVENTORY_SCRIPT } from '../azure/scripts/index.js';
import { assembleInventory, changelogBetween, readInventoryPart, type Inventory, type InventoryPart } from '../domain/inventory.js';
import type { LayerVersion } from '../domain/model.js';
import type { ScriptReading } from '../domain/script-output.js';
import { escapeMrkdwn, mrkdwn, type Mrkdwn } from '../../views/blocks.js';
import type { MachinePlace } from './machine-actions.js';
import type { TaskRun } from './task-run.js';

/** Reads every part of the inventory, in order. */
export async function readInventory(machines: Machines, vm: MachinePlace): Promise<ScriptReading<Inventory>> {
  const parts: InventoryPart[] = [];
  for (let part = 0; part === 0 || part < parts[0]!.parts; part++) {
    const output = await machines.runPowerShell(vm, INVENTORY_SCRIPT, { parameters: { Part: String(part) } });
    const reading = readInventoryPart(output, part);
    if (!reading.ok) return { ok: false, failure: { ...reading.failure, reason: `the inventory script ${reading.failure.reason}` } };
    parts.push(reading.value);
  }
  return assembleInventory(parts, new Date());
}

async function saveVersion(run: TaskRun, fields: Partial<LayerVersion>): Promise<void> {
  run.version = { ...run.version, ...fields };
  await run.services.repos.versions.update(run.version._id, fields);
}

function summary(inventory: Inventory): Mrkdwn {
  const plural = (n: number) => (n === 1 ? mrkdwn`` : mrkdwn`s`);
  return mrkdwn`${inventory.updates.length} installed update${plural(inventory.updates.length)} and ${inventory.programs.length} program${plural(inventory.programs.length)}`;
}

/**
 * The base inventory, read once as the machine first reports ready. A base version that has no
 * inventory of its own (an imported layer) gets this one: it is exactly what its disk holds.
 */
export async function recordBaseInventory(run: TaskRun, azure: AzureSession, vm: MachinePlace): Promise<void> {
  const reading = await readInventory(azure.machines, vm);
  if (!reading.ok) {
    await saveVersion(run, { baseInventoryFailure: reading.failure.reason });
    await run.thread(
      mrkdwn`:warning: I couldn't read what is installed on \`${escapeMrkdwn(vm.name)}\` before any change: ${escapeMrkdwn(reading.failure.reason)}. The changelog will compare with the base version's own inventory, if it has one.`,
    );
    return;
  }
  await saveVersion(run, { baseInventory: reading.value, baseInventoryFailure: undefined });
  const baseId = run.version.baseVersionId;
  const base = baseId ? await run.services.repos.versions.get(baseId) : null;
  if (base && !base.inventory) await run.services.repos.versions.update(base._id, { inventory: reading.value });
  await run.thread(mrkdwn`:clipboard: Read what \`${escapeMrkdwn(vm.name)}\` has installed before any change (${summary(reading.value)}); the changelog compares with it at finalize.`);
}

/**
 * The version's own inventory, just before the machine is shut down for finalize, and the
 * changelog against the base. Answers why it could not be read, so shutdown can stop there.
 */
export async function recordVersionInventory(run: TaskRun, azure: AzureSession, vm: MachinePlace): Promise<ScriptReading<Inventory>> {
  const reading = await readInventory(azure.machines, vm);
  if (!reading.ok) return reading;
  const baseId = run.version.baseVersionId;
  const baseVersion = baseId ? await run.services.repos.versions.get(baseId) : null;
  const compareWith = run.version.baseInventory
    ? { inventory: run.version.baseInventory, comparedWith: 'packaging-machine' as const }
    : baseVersion?.inventory
      ? { inventory: baseVersion.inventory, comparedWith: 'base-version' as const }
      : undefined;
  const changelog = compareWith ? { ...changelogBetween(compareWith.inventory, reading.value), comparedWith: compareWith.comparedWith } : undefined;
  await saveVersion(run, { inventory: reading.value, changelog });
  return reading;
}
