import { startTestBot, type TestBot } from '../support/bot.js';
import { SlackClientSim } from '../support/interactions.js';
import { failingFinalize } from '../support/ready-to-finalize.js';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { AZURITE_ACCOUNT, AZURITE_KEY } from '../../src/azure/azurite.js';
import { SimulatorControl } from '../../src/azure/simulator/control-client.js';
import { DEMO_LAYER_NAME } from '../../src/sandbox/index.js';
import type { LayerVersion, OsLayer } from '../../src/domain/model.js';

let t: TestBot;
let sim: SlackClientSim;
let from: { layer: OsLayer; base: LayerVersion };
beforeAll(async () => {
  t = await startTestBot({ sandbox: { enabled: true } });
  sim = new SlackClientSim(t);
  await sim.start();
  const layer = (await t.bot.services.repos.layers.findOne({ name: DEMO_LAYER_NAME }))!;
  from = { layer, base: (await t.bot.services.repos.versions.get(layer.latestVersionId!))! };
});
afterAll(async () => {
  await sim.stop();
  await t.stop();
});

describe('a finalize that fails ends in a clear state', () => {
  it('when Azure refuses to grant access to the disk', async () => {
    await failingFinalize(
      t,
      sim,
      from,
      '2027-02',
      () => new SimulatorControl(t.bot.sandbox!.simulator).setFaults([{ method: 'POST', pathPattern: 'beginGetAccess', status: 403, code: 'AuthorizationFailed' }]),
      'granting read access to disk',
    );
  });

  it('when the copy fails', async () => {
    // The disk's bytes vanish from under the export, so Azure Storage cannot read the copy source.
    await failingFinalize(
      t,
      sim,
      from,
      '2027-03',
      async ({ diskName }) => {
        const service = new BlobServiceClient(t.bot.sandbox!.blobEndpoint, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
        await service.getContainerClient('sim-managed-disks').deleteBlob(`oslayer-sandbox/${diskName.toLowerCase()}.vhd`);
      },
      'starting the copy to oslayer-layers/windows-server-2022-demo/2027-03.vhd',
    );
  });
});
