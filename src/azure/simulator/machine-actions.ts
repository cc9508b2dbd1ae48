import { z } from 'zod';
import type { SimulatorContext } from './context.js';
import { ArmError, parseBody, type Router, type SimRequest, type SimResponse } from './http.js';
import { isRunning } from './machine-views.js';
import { agentNotReporting } from './vm-agent.js';
import type { PowerState } from './resources.js';
import { findMachine } from './virtual-machines.js';

const runCommandBody = z.object({
  commandId: z.literal('RunPowerShellScript'),
  script: z.array(z.string()).default([]),
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
      return context.operations.begin(req, () => {
        target.powerState = transition.after;
        if (guestBoots) context.guests.boot(target.name);
      });
    });
  }
  router.add('POST', `${machine}/runCommand`, (req) => runCommand(context, req));
}

/**
 * Run Command as the packaging machine's guest answers it: one at a time per VM, only while
 * the VM runs, taking a while (config.runCommandMs, about 20 s on Azure) so overlap is real.
 * Without a VM agent in the guest nothing answers: the operation fails when its time is up.
 */
function runCommand(context: SimulatorContext, req: SimRequest): SimResponse {
  const machine = findMachine(context, req);
  const body = parseBody(runCommandBody, req);
  if (!isRunning(machine)) {
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
      if (!context.agents.installed(machine.name)) throw agentNotReporting(machine.name);
      const { stdout, stderr } = context.guests.runScript(machine.name, body.script);
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
