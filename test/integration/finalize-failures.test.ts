import { useSandboxWorld, type SandboxWorld } from '../support/world.js';
import { failingFinalize } from '../support/ready-to-finalize.js';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { AZURITE_ACCOUNT, AZURITE_KEY } from '../../src/sandbox/azure/azurite.js';
import { SimulatorControl } from '../../src/sandbox/azure/control-client.js';

let world: SandboxWorld;
useSandboxWorld((w) => (world = w));

describe('a finalize that fails ends in a clear state', () => {
  it('when Azure refuses to grant access to the disk', async () => {
    await failingFinalize(
      world,
      '2027-02',
      () => new SimulatorControl(world.t.bot.sandbox!.simulator).setFaults([{ method: 'POST', pathPattern: 'beginGetAccess', status: 403, code: 'AuthorizationFailed' }]),
      'granting read access to disk',
    );
  });

  it('when the copy fails', async () => {
    // The disk's bytes vanish from under the export, so Azure Storage cannot read the copy source.
    await failingFinalize(
      world,
      '2027-03',
      async ({ diskName }) => {
        const service = new BlobServiceClient(world.t.bot.sandbox!.azuriteEndpoint, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
        await service.getContainerClient('sim-managed-disks').deleteBlob(`oslayer-sandbox/${diskName.toLowerCase()}.vhd`);
      },
      'starting the copy to oslayer-layers/windows-server-2022-demo/2027-03.vhd',
    );
  });
});
