import { startTestBot, type TestBot } from '../support/bot.js';
import { SlackClientSim } from '../support/interactions.js';
import { failingFinalize } from '../support/ready-to-finalize.js';
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

it('a finalize whose machine cannot be deleted fails, keeps what is left and cleans it up on request', async () => {
  await failingFinalize(
    t,
    sim,
    from,
    '2027-04',
    ({ vmName }) =>
      new SimulatorControl(t.bot.sandbox!.simulator).setFaults([{ method: 'DELETE', pathPattern: `virtualMachines/${vmName}$`, status: 409, code: 'OperationNotAllowed' }]),
    'deleting machine 2027-04-packaging',
  );
});
