import { z } from 'zod';
import type { SimulatorContext } from './context.js';
import { ArmError, parseBody, type Router, type SimRequest, type SimResponse } from './http.js';
import { isAgentReady } from './machine-views.js';
import type { PowerState } from './resources.js';
import { findMachine } from './virtual-machines.js';

/** RunCommandInput (VirtualMachineRunCommand.json): parameters reach the script as named parameters. */
const runCommandBody = z.object({
  commandId: z.literal('RunPowerShellScript'),
  script: z.array(z.string()).default([]),
  parameters: z.array(z.object({ name: z.string().min(1), value: z.string() })).default([]),
});

/** Power actions: the VM shows the transitional state until the operation completes. */
const POWER_ACTIONS: Record<string, { during: PowerState; after: PowerState; boots: boolean; requiresRunning?: boolean }> = {
  start: { during: 'starting', after: 'running', boots: true },
  restart: { during: 'starting', after: 'running', boots: true, requiresRunning: true },
  powerOff: { during: 'stopping', after: 'stopped', boots: false },
  deallocate: { during: 'deallocating', after: 'deallocated', boots: false },
};

export function registerMachineActionRoutes(router: Router, context: SimulatorContext): void {
  const machine = '/subscriptions/:sub/resourceGroups/:rg/providers/Microsoft.Compute/virtualMachines/:name';
  for (const [action, transition] of Object.entries(POWER_ACTIONS)) {
    router.add('POST', `${machine}/${action}`, (req) => {
      const target = findMachine(context, req);
      if (transition.requiresRunning && target.powerState !== 'running') {
        throw new ArmError(409, 'OperationNotAllowed', `Cannot ${action} VM ${target.name} because it is ${target.powerState}.`);
      }
      // Starting a VM that already runs does not reboot its guest; a restart always does.
      const guestBoots = transition.boots && (action === 'restart' || target.powerState !== 'running');
      target.powerState = transition.during;
      // A restart takes the VM agent down with the guest; it reports Ready again once the guest has booted.
      if (guestBoots) target.agentReadyAt = Number.POSITIVE_INFINITY;
      return context.operations.begin(req, () => {
        target.powerState = transition.after;
        if (guestBoots) {
          context.guests.boot(target.name);
          target.agentReadyAt = Date.now() + context.guests.windowsUpdate.agentBootMs(target.name);
        }
      });
    });
  }
  router.add('POST', `${machine}/runCommand`, (req) => runCommand(context, req));
}

/**
 * Run Command as the packaging machine's guest answers it: one at a time per VM, only while
 * the VM runs with its agent ready, taking a while (config.runCommandMs) so overlap is real.
 */
function runCommand(context: SimulatorContext, req: SimRequest): SimResponse {
  const machine = findMachine(context, req);
  const body = parseBody(runCommandBody, req);
  if (!isAgentReady(machine)) {
    throw new ArmError(409, 'OperationNotAllowed', `Operation 'RunCommand' is not allowed: VM is not running (it is ${machine.powerState}).`);
  }
  if (machine.runCommandInProgress) {
    throw new ArmError(409, 'Conflict', 'Run command extension execution is in progress. Please wait for completion before invoking a run command.');
  }
  machine.runCommandInProgress = true;
  return context.operations.begin(
    req,
    () => {
      machine.runCommandInProgress = false;
      const { stdout, stderr } = context.guests.runScript(machine.name, body.script, body.parameters);
      const status = (stream: string, message: string) => ({
        code: `ComponentStatus/${stream}/succeeded`,
        level: 'Info',
        displayStatus: 'Provisioning succeeded',
        message,
      });
      return { value: [status('StdOut', stdout), status('StdErr', stderr)] };
    },
    { durationMs: context.config.runCommandMs },
  );
}
