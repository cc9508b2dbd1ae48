import { randomBytes } from 'node:crypto';
import { SimulatorControl } from '../../src/sandbox/azure/control-client.js';
import { TEST_RUN_COMMAND_MS } from '../support/bot.js';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { startTestBot, type TestBot } from '../support/bot.js';
import { freshMongoUri } from '../support/stand-ins.js';
import { seedLayer } from '../support/seed-layer.js';
import { SlackClientSim } from '../support/interactions.js';
import {
  azureContents,
  type AzureContents,
  startReadyVersion,
  taggedWith,
  TEST_LAYER_BYTES,
  waitForStatus,
  waitForThread,
} from '../support/ready-to-finalize.js';
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, type RunningAzurite } from '../../src/sandbox/azure/azurite.js';
import { startArmSimulator, type RunningArmSimulator } from '../../src/sandbox/azure/index.js';
import type { AzureGateway } from '../../src/azure/gateway.js';
import { finalizeVersion } from '../../src/workflow/finalize.js';
import { FINALIZE_STEP } from '../../src/workflow/finalize-steps.js';
import { TaskRun } from '../../src/workflow/task-run.js';
import { TASK_ACTIONS } from '../../views/task-message.js';

/**
 * Azure outlives the bot: Azurite and the ARM simulator belong to this test, so two bot
 * processes in a row (same database, same secret key) see the same subscription.
 */
let azurite: RunningAzurite;
let arm: RunningArmSimulator;
const secretKey = randomBytes(32);
const mongodbUri = freshMongoUri();
beforeAll(async () => {
  azurite = await startAzurite();
  arm = await startArmSimulator({ blobEndpoint: azurite.blobEndpoint, blobAccountKey: AZURITE_KEY });
  await new SimulatorControl(arm).settings({ runCommandMs: TEST_RUN_COMMAND_MS });
});
afterAll(async () => {
  await arm.stop();
  await azurite.stop();
});

/**
 * The process that dies: its Azure copy starts for real, but it never sees the copy end (Azurite
 * finishes copies at once, so "still pending when the process died" is modelled by a wait that never returns).
 */
function diesWhileCopying(gateway: AzureGateway, copyStarted: () => void): AzureGateway {
  return {
    session(connector) {
      const session = gateway.session(connector);
      return {
        ...session,
        blobs: async () => ({
          ...(await session.blobs()),
          waitForCopy: () => {
            copyStarted();
            return new Promise(() => undefined);
          },
        }),
      };
    },
  };
}

const contents = (): Promise<AzureContents> => azureContents(() => arm.inventory(), azurite.blobEndpoint);
const blobService = () => new BlobServiceClient(azurite.blobEndpoint, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));

it('a process stopped in the middle of the disk copy is finished by the next one: one correct VHD, nothing leaked', async () => {
  let first: TestBot | undefined = await startTestBot({ mongodbUri, secretKey });
  let second: TestBot | undefined;
  const sim = new SlackClientSim(first);
  await sim.start();
  try {
    const { layer, base } = await seedLayer(first.bot.services, arm, secretKey);
    const before = await contents();
    const { task, where, ready } = await startReadyVersion(first, layer, base._id, '2027-07');

    // The first process takes no more jobs: the finalize job it enqueues is left for the next one.
    await first.bot.services.scheduler.drain(10_000);
    await sim.clickInMessage('UADMIN1', ready.args, TASK_ACTIONS.finalize, { value: task._id, channel: where.channel });
    await waitForThread(first, where.ts, 'started Finalize');

    let copyStarted!: () => void;
    const copying = new Promise<void>((resolve) => (copyStarted = resolve));
    const doomed = (await TaskRun.load({ ...first.bot.services, azure: diesWhileCopying(first.bot.services.azure, copyStarted) }, task._id))!;
    void finalizeVersion(doomed, { copyPollIntervalMs: 50 });
    await copying;

    const target = blobService().getContainerClient('oslayer-layers').getBlobClient('windows-11-enterprise/2027-07.vhd');
    const started = await target.getProperties();
    const steps = (await first.bot.services.repos.tasks.get(task._id))!.steps;
    expect(steps.find((s) => s.name === FINALIZE_STEP.copy)?.status).toBe('running');
    await first.stop();
    first = undefined;

    second = await startTestBot({ mongodbUri, secretKey });
    await waitForStatus(second, where.ts, 'deployable', 30_000);

    const finished = await target.getProperties();
    // The copy the first process started was waited for, not started again.
    expect(finished.copyId).toBe(started.copyId);
    expect(finished.copyStatus).toBe('success');
    const version = (await second.bot.services.repos.versions.get(task.versionId))!;
    expect(version).toMatchObject({ status: 'deployable', diskUri: 'windows-11-enterprise/2027-07.vhd', diskSizeBytes: TEST_LAYER_BYTES });
    const connector = (await second.bot.services.repos.connectors.get(version.connectorId))!;
    const footer = await (await second.bot.services.azure.session(connector).blobs()).readVhdFooter({ container: 'oslayer-layers', blob: version.diskUri! });
    expect(footer).toMatchObject({ diskType: 'fixed', currentSize: TEST_LAYER_BYTES });
    expect((await second.bot.services.repos.layers.get(layer._id))?.latestVersionId).toBe(version._id);

    expect(await taggedWith(() => arm.inventory(), task._id)).toEqual([]);
    const after = await contents();
    expect(after.resources).toEqual(before.resources);
    expect(after.blobs).toEqual([...before.blobs, 'oslayer-layers/windows-11-enterprise/2027-07.vhd'].sort());
  } finally {
    await sim.stop();
    await first?.stop();
    await second?.stop();
  }
  // Two bots in a row each start their stand-ins and jobs: on a loaded machine that alone outlasts jest's 30 s default.
}, 120_000);
