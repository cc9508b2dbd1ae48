/** Finalize and Cancel tests: getting a version ready, and what a user and Azure show afterwards. */
import type { Services } from '../../src/services.js';
import { packagingSpecFor } from '../../src/workflow/packaging-spec.js';
import { TaskRun } from '../../src/workflow/task-run.js';
import { TASK_TAG } from '../../src/azure/machine-spec.js';
import { GIB } from '../../src/azure/vhd.js';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { AZURITE_ACCOUNT, AZURITE_KEY } from '../../src/sandbox/azure/azurite.js';
import type { InventoryItem } from '../../src/sandbox/azure/index.js';
import { createVersion } from '../../src/workflow/create-version.js';
import type { LayerVersion, OsLayer, Task } from '../../src/domain/model.js';
import type { RecordedCall } from '../../src/sandbox/slack/web-api.js';
import type { TestBot } from './bot.js';
import { isEphemeralTo } from './interactions.js';
import type { SandboxWorld } from './world.js';
import { TASK_ACTIONS, versionHeadline } from '../../views/task-message.js';
import { VERSION_STATUSES } from '../../src/domain/version-status.js';

/**
 * Brings a published version (Action Required) to Ready to Finalize the way Deploy for me and
 * Shutdown for Finalize would: the packaging machine is created from the same spec the publish
 * job's template uses, around the OS disk Publish prepared, deallocated, and recorded with a
 * clean integrity check.
 */
export async function readyToFinalize(services: Services, taskId: string): Promise<{ vmName: string; diskName: string }> {
  const run = await TaskRun.load(services, taskId);
  if (!run) throw new Error(`task ${taskId} not found`);
  if (run.version.status !== 'action-required') throw new Error(`version ${run.version.name} is ${run.version.status}, not action-required`);
  const azure = run.azure();
  const spec = await packagingSpecFor(run, azure);
  if (spec.access.mode === 'public') await azure.machines.createNetworkSecurityGroup(spec);
  const vm = await azure.machines.createVm(spec);
  await azure.machines.deallocateVm(spec.vmName);
  await run.moveVersion(
    { type: 'shutdown-clean' },
    {
      packagingMachine: { name: spec.vmName, resourceGroup: run.connector.resourceGroup, vmId: vm.id, diskId: spec.diskId },
      lastIntegrity: { checkedAt: new Date(), clean: true, blocking: [] },
    },
  );
  return { vmName: spec.vmName, diskName: spec.disk.name };
}

// ---- what the finalize and cancel tests look at: the task message, its thread, Azure's contents ----


export interface StartedVersion {
  version: LayerVersion;
  task: Task;
  where: { channel: string; ts: string };
}

/**
 * The Max Layer Size the tests use: 20 MiB, the smallest disk Compute lets one upload into.
 * Azurite validates a copy by reading the whole source blob (zeros included), so gigabyte disks
 * would make every copy take seconds.
 */
export const TEST_LAYER_BYTES = 20 * 1024 * 1024;

/** Create Version as the wizard's last step does it, with the task message posted in `channel`. */
export async function startVersion(t: TestBot, layer: OsLayer, baseVersionId: string, name: string, channel = 'COSLAYER'): Promise<StartedVersion> {
  const { services } = t.bot;
  const result = await createVersion(services, {
    layerId: layer._id,
    name,
    description: 'Monthly updates',
    baseVersionId,
    maxLayerSizeGb: TEST_LAYER_BYTES / GIB,
    connectorId: layer.connectorId,
    packagingDiskFilename: `${name}-packaging.vhd`,
    requestedBy: 'UADMIN1',
  });
  if (!result.ok) throw new Error(result.message);
  const where = await services.notifier.post(result.task._id, channel);
  return { version: result.version, task: result.task, where };
}

export interface ReadyVersion extends StartedVersion {
  /** The packaging machine readyToFinalize made, deallocated. */
  machine: { vmName: string; diskName: string };
  /** The task message once it shows Ready to Finalize, with its Finalize and Cancel buttons. */
  ready: RecordedCall;
}

/** startVersion, then readyToFinalize once its message shows Action Required: a version whose message offers Finalize. */
export async function startReadyVersion(t: TestBot, layer: OsLayer, baseVersionId: string, name: string): Promise<ReadyVersion> {
  const started = await startVersion(t, layer, baseVersionId, name);
  await waitForStatus(t, started.where.ts, 'action-required');
  const machine = await readyToFinalize(t.bot.services, started.task._id);
  const ready = await waitForStatus(t, started.where.ts, 'ready-to-finalize');
  return { ...started, machine, ready };
}

export function textOf(call: RecordedCall): string {
  return JSON.stringify(call.args.blocks);
}

/** The task message as last shown, once it contains `text`. */
export function waitForMessage(t: TestBot, ts: string, text: string, timeoutMs = 20_000): Promise<RecordedCall> {
  return t.slack.waitForCall('chat.update', (c) => c.args.ts === ts && textOf(c).includes(text), timeoutMs);
}

/** How the task message's status line reads for `status`: the status in words, bold, with its emoji. */
export function statusShown(status: LayerVersion['status']): string {
  return `*${versionHeadline(status)}*`;
}

/** The version status a task message (its blocks as JSON) shows. */
export function statusOfMessage(blocksJson: string): LayerVersion['status'] | undefined {
  return VERSION_STATUSES.find((status) => blocksJson.includes(statusShown(status)));
}

/** Waits until the task message shows the version in `status` (its status line says it). */
export function waitForStatus(t: TestBot, ts: string, status: LayerVersion['status'], timeoutMs = 20_000): Promise<RecordedCall> {
  return waitForMessage(t, ts, statusShown(status), timeoutMs);
}

export function buttonsOf(call: RecordedCall): string[] {
  const blocks = call.args.blocks as Array<{ type: string; elements?: Array<{ text?: { text: string } }> }>;
  return blocks.filter((b) => b.type === 'actions').flatMap((b) => (b.elements ?? []).map((e) => e.text?.text ?? ''));
}

export function threadOf(t: TestBot, ts: string): string[] {
  return t.slack.callsTo('chat.postMessage').filter((c) => c.args.thread_ts === ts).map((c) => String(c.args.text));
}

/** Waits for the first thread line containing `text`. */
export async function waitForThread(t: TestBot, ts: string, text: string, timeoutMs = 20_000): Promise<string> {
  const call = await t.slack.waitForCall('chat.postMessage', (c) => c.args.thread_ts === ts && String(c.args.text).includes(text), timeoutMs);
  return String(call.args.text);
}

/** What only `user` was told (ephemeral answers), oldest first. */
export function ephemeralsTo(t: TestBot, user: string): string[] {
  return t.slack.calls.filter((c) => isEphemeralTo(c, user)).map((c) => String(c.args.text));
}

export async function waitForEphemeral(t: TestBot, user: string, text: string): Promise<string> {
  const call = await t.slack.waitForAnyCall((c) => isEphemeralTo(c, user) && String(c.args.text).includes(text));
  return String(call.args.text);
}

export interface AzureContents {
  /** ARM resource ids in the simulator. */
  resources: string[];
  /** `container/blob` for every blob in the storage account. */
  blobs: string[];
}

/** Everything in the simulated subscription and its storage account, to compare before and after a task. */
export async function azureContents(inventory: () => InventoryItem[] | Promise<InventoryItem[]>, blobEndpoint: string): Promise<AzureContents> {
  const service = new BlobServiceClient(blobEndpoint, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
  const blobs: string[] = [];
  for await (const container of service.listContainers()) {
    for await (const blob of service.getContainerClient(container.name).listBlobsFlat()) blobs.push(`${container.name}/${blob.name}`);
  }
  return { resources: (await inventory()).map((r) => r.id).sort(), blobs: blobs.sort() };
}

/** The sandbox's ARM inventory and blobs for a test bot started with the sandbox. */
export function sandboxContents(t: TestBot): Promise<AzureContents> {
  const sandbox = t.bot.sandbox!;
  return azureContents(() => sandbox.simulator.inventory(), sandbox.azuriteEndpoint);
}

/** Resources the simulator holds with the task's tag. */
export async function taggedWith(inventory: () => InventoryItem[] | Promise<InventoryItem[]>, taskId: string): Promise<string[]> {
  return (await inventory()).filter((r) => r.tags[TASK_TAG] === taskId).map((r) => `${r.type} ${r.name}`);
}

/**
 * Finalize (in a sandbox bot) with `breakIt` applied once the version is ready; checks the task fails with `reason`,
 * keeps the machine for a look and offers Clean up, which then leaves nothing of the task behind.
 */
export async function failingFinalize(
  world: SandboxWorld,
  name: string,
  breakIt: (machine: { vmName: string; diskName: string }) => Promise<void>,
  reason: string,
): Promise<void> {
  const { t, sim, layer, base } = world;
  const inventory = () => t.bot.sandbox!.simulator.inventory();
  const before = await sandboxContents(t);
  const { task, where, machine, ready } = await startReadyVersion(t, layer, base._id, name);
  await breakIt(machine);
  await sim.clickInMessage('UADMIN1', ready.args, TASK_ACTIONS.finalize, { value: task._id, channel: where.channel });

  const failed = await waitForStatus(t, where.ts, 'failed');
  expect(textOf(failed)).toContain(`*What went wrong:* Finalize failed: ${reason}`);
  expect(textOf(failed)).toContain(`The packaging machine \`${machine.vmName}\``);
  expect(buttonsOf(failed)).toEqual(['Cancel', 'Clean up']);
  expect(await waitForThread(t, where.ts, 'Kept in Azure')).toContain(`machine ${machine.vmName}`);
  expect(await taggedWith(inventory, task._id)).toEqual(expect.arrayContaining([`Microsoft.Compute/virtualMachines ${machine.vmName}`]));
  // The half-made or unverified VHD is never left behind for a failed version.
  expect((await sandboxContents(t)).blobs).not.toContain(`oslayer-layers/windows-server-2022-demo/${name}.vhd`);

  await sim.clickInMessage('UADMIN1', failed.args, TASK_ACTIONS.cleanUp, { value: task._id, channel: where.channel });
  const cleaned = await waitForThread(t, where.ts, 'Cleaned up');
  expect(cleaned).toContain(`machine ${machine.vmName}`);
  expect(cleaned).toContain(`disk ${machine.diskName}`);
  const after = await waitForStatus(t, where.ts, 'failed');
  await t.slack.waitForCall('chat.update', (c) => c.args.ts === where.ts && !buttonsOf(c).includes('Clean up'));
  expect(buttonsOf(after)).toContain('Cancel');
  expect(await taggedWith(inventory, task._id)).toEqual([]);
  expect(await sandboxContents(t)).toEqual(before);
  expect((await t.bot.services.repos.versions.get(task.versionId))?.status).toBe('failed');
}
