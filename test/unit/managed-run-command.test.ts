/**
 * A managed Run Command is never deleted while its script still executes: deleting it stops the
 * script, and an NGen run stopped mid-compilation can leave .NET broken.
 *
 * MOCK, and why: the ARM simulator answers the synchronous Run Command (asyncExecution: false,
 * the only kind the bot sends) as Azure documents it, ending the PUT with Succeeded, Failed or
 * TimedOut, so it never shows an instance view still Running after the PUT. The case the rule
 * guards against has no stand-in, so the Compute client here is a fake with only the three calls
 * runManagedPowerShell makes; everything else is the real adapter.
 */
import { armMachines } from '../../src/azure/arm/machines.js';
import type { ArmConnection } from '../../src/azure/arm/clients.js';

function connectionAnswering(executionState: string): { arm: ArmConnection; deleted: string[] } {
  const deleted: string[] = [];
  const compute = {
    virtualMachineRunCommands: {
      createOrUpdate: async () => ({}),
      getByVirtualMachine: async () => ({ instanceView: { executionState, output: '{"v":1}', error: '', exitCode: executionState === 'Succeeded' ? 0 : undefined } }),
      delete: async (_group: string, _vm: string, name: string) => {
        deleted.push(name);
      },
    },
  };
  const arm = {
    connector: { subscriptionId: 'sub', resourceGroup: 'rg', location: 'westeurope' },
    compute,
    network: () => ({}),
    poll: () => ({}),
  } as unknown as ArmConnection;
  return { arm, deleted };
}

const DRAIN = { name: 'oslayer-drain-ngen', script: ['Write-Output 1'], timeoutSeconds: 60, tags: {} };

describe('runManagedPowerShell', () => {
  it.each(['Running', 'Pending'])('leaves a run command whose script is still %s in place and says it runs', async (state) => {
    const { arm, deleted } = connectionAnswering(state);
    const result = await armMachines(arm).runManagedPowerShell('vm-1', DRAIN);
    expect(result.state).toBe('running');
    expect(deleted).toEqual([]);
  });

  it.each([
    ['Succeeded', 'succeeded'],
    ['Failed', 'failed'],
    ['TimedOut', 'timed-out'],
  ])('removes a run command that ended %s', async (state, expected) => {
    const { arm, deleted } = connectionAnswering(state);
    const result = await armMachines(arm).runManagedPowerShell('vm-1', DRAIN);
    expect(result.state).toBe(expected);
    expect(deleted).toEqual(['oslayer-drain-ngen']);
  });
});
