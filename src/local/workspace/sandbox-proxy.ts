import { z } from 'zod';
import { TASK_TAG } from '../../azure/machine-spec.js';
import type { SimulatorAddress } from '../../azure/simulator/client-options.js';
import { SimulatorControl } from '../../azure/simulator/control-client.js';
import { guestFlagsSchema, type GuestFlags } from '../../azure/simulator/guest.js';

const VM_TYPE = 'Microsoft.Compute/virtualMachines';

/** What the sandbox panel shows: the simulated inventory, and each machine's guest flags. */
export interface SandboxSnapshot {
  resources: Array<{ type: string; name: string; powerState?: string; task?: string }>;
  guests: Array<{ vm: string; flags: GuestFlags }>;
}

export const guestChangeSchema = z.strictObject({
  vm: z.string().min(1).max(80),
  flags: guestFlagsSchema.partial(),
});

/**
 * The page's only way into the simulated Azure: the inventory and the guest flags of its
 * machines, through the simulator's control API (HTTPS, trusting its own CA). Nothing else the
 * simulator serves (ARM, its token endpoint, faults) is reachable from the page.
 */
export class SandboxProxy {
  private readonly control: SimulatorControl;

  constructor(simulator: SimulatorAddress) {
    this.control = new SimulatorControl(simulator);
  }

  async snapshot(): Promise<SandboxSnapshot> {
    const inventory = await this.control.inventory();
    const machines = inventory.filter((r) => r.type === VM_TYPE).map((r) => r.name);
    const guests = await Promise.all(machines.map(async (vm) => ({ vm, flags: await this.flags(vm) })));
    return {
      resources: inventory.map(({ type, name, powerState, tags }) => ({ type, name, powerState, task: tags[TASK_TAG] })),
      guests,
    };
  }

  /**
   * Changes flags of a machine the inventory lists (undefined when there is none): the simulator
   * would keep flags for any name, and a typo must not prepare a guest nobody sees.
   */
  async setGuest(change: z.infer<typeof guestChangeSchema>): Promise<GuestFlags | undefined> {
    const inventory = await this.control.inventory();
    const known = inventory.some((r) => r.type === VM_TYPE && r.name.toLowerCase() === change.vm.toLowerCase());
    return known ? this.control.setGuest(change.vm, change.flags) : undefined;
  }

  private async flags(vm: string): Promise<GuestFlags> {
    const answer = await this.control.request('GET', `/_simulator/guest/${encodeURIComponent(vm)}`);
    return guestFlagsSchema.parse(answer.body);
  }
}
