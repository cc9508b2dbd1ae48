import { ResourceManagementClient } from '@azure/arm-resources';
import { ClientSecretCredential } from '@azure/identity';
import { AZURITE_KEY } from '../../src/sandbox/azure/azurite.js';
import { simulatorClientOptions, simulatorCredentialOptions } from '../../src/sandbox/azure/client-options.js';
import { startArmSimulator, type RunningArmSimulator } from '../../src/sandbox/azure/index.js';
import { SimulatorControl } from '../../src/sandbox/azure/control-client.js';
import { blobEndpoint } from '../support/stand-ins.js';

/** The recording the traffic check (test/support/arm-traffic-hook.ts) reads after each test file. */
describe('the ARM simulator records what it serves', () => {
  let sim: RunningArmSimulator;
  let quiet: RunningArmSimulator;

  beforeAll(async () => {
    // No option: the jest setup observes simulators, so this one records.
    sim = await startArmSimulator({ blobEndpoint: blobEndpoint(), blobAccountKey: AZURITE_KEY });
    quiet = await startArmSimulator({ blobEndpoint: blobEndpoint(), blobAccountKey: AZURITE_KEY, recordTraffic: false });
  });
  afterAll(async () => {
    await sim.stop();
    await quiet.stop();
  });

  it('keeps each ARM request and its response, not Entra ID or the control API, per simulator', async () => {
    const credential = new ClientSecretCredential(sim.tenantId, sim.clientId, sim.clientSecret, simulatorCredentialOptions(sim));
    const client = new ResourceManagementClient(credential, sim.subscriptionId, simulatorClientOptions(sim));
    const group = await client.resourceGroups.get(sim.resourceGroup);
    await new SimulatorControl(sim).inventory();

    const traffic = sim.traffic();
    expect(traffic).toHaveLength(1);
    const [exchange] = traffic;
    expect(exchange!.request).toMatchObject({ method: 'GET', url: expect.stringMatching(new RegExp(`/subscriptions/${sim.subscriptionId}/resourcegroups/${sim.resourceGroup}\\?api-version=`, 'i')) });
    expect(exchange!.request.headers.authorization).toMatch(/^Bearer /);
    expect(exchange!.response).toMatchObject({ statusCode: '200', body: { name: group.name, location: group.location } });
    expect(exchange!.response.headers['content-type']).toMatch(/^application\/json/);
    expect(quiet.traffic()).toEqual([]);
  });
});
