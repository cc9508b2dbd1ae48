import { z } from 'zod';
import { TASK_TAG } from '../../azure/machine-spec.js';
import type { SimulatorAddress } from '../../sandbox/azure/client-options.js';
import { SimulatorControl } from '../../sandbox/azure/control-client.js';
import { guestFlagsSchema, type GuestFlags } from '../../sandbox/azure/guest.js';
import { simulatedUpdateSchema } from '../../sandbox/azure/windows-update.js';

const VM_TYPE = 'Microsoft.Compute/virtualMachines';

/** A guest as the control API answers it: its flags, and its Windows Update state (other keys are left out). */
const guestSchema = z.object({
  ...guestFlagsSchema.shape,
  pendingUpdates: z.array(z.object({ ...simulatedUpdateSchema.shape, hresult: z.number().int().optional(), offered: z.boolean() })),
  installedUpdates: z.array(z.object({ kb: z.string() })),
});

type PendingUpdate = z.infer<typeof guestSchema>['pendingUpdates'][number];

/** What the sandbox panel shows: the simulated inventory, and each machine's guest flags and Windows updates. */
export interface SandboxSnapshot {
  resources: Array<{ type: string; name: string; powerState?: string; task?: string }>;
  guests: Array<{ vm: string; flags: GuestFlags; pendingUpdates: PendingUpdate[]; installedUpdates: string[] }>;
}

/** A change from the panel: flags to set, or one more update for Windows Update to offer. */
export const guestChangeSchema = z.strictObject({
  vm: z.string().min(1).max(80),
  flags: guestFlagsSchema.partial().optional(),
  addPendingUpdate: simulatedUpdateSchema.optional(),
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
    const guests = await Promise.all(
      machines.map(async (vm) => {
        const { pendingUpdates, installedUpdates, ...flags } = await this.guest(vm);
        return { vm, flags, pendingUpdates, installedUpdates: installedUpdates.map((u) => u.kb) };
      }),
    );
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
    if (!known) return undefined;
    // The control API replaces the whole list: the ones still waiting are sent again, as they stand.
    const { pendingUpdates: waiting, installedUpdates: _installed, ...flags } = await this.guest(change.vm);
    const pendingUpdates = change.addPendingUpdate
      ? [...waiting.map(({ offered, ...u }) => ({ ...u, appearsAfterRestart: !offered })), change.addPendingUpdate]
      : undefined;
    await this.control.setGuest(change.vm, { ...change.flags, ...(pendingUpdates ? { pendingUpdates } : {}) });
    return { ...flags, ...change.flags };
  }

  private async guest(vm: string): Promise<z.infer<typeof guestSchema>> {
    const answer = await this.control.request('GET', `/_simulator/guest/${encodeURIComponent(vm)}`);
    return guestSchema.parse(answer.body);
  }
}
