import { useSandboxWorld, type SandboxWorld } from '../support/world.js';
import { failingFinalize } from '../support/ready-to-finalize.js';
import { SimulatorControl } from '../../src/sandbox/azure/control-client.js';

let world: SandboxWorld;
useSandboxWorld((w) => (world = w));

it('a finalize whose machine cannot be deleted fails, keeps what is left and cleans it up on request', async () => {
  await failingFinalize(
    world,
    '2027-04',
    ({ vmName }) =>
      new SimulatorControl(world.t.bot.sandbox!.simulator).setFaults([{ method: 'DELETE', pathPattern: `virtualMachines/${vmName}$`, status: 409, code: 'OperationNotAllowed' }]),
    'deleting machine 2027-04-packaging',
  );
});
