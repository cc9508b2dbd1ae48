import { z } from 'zod';
import type { SimulatorContext } from './context.js';
import { ArmError, parseBody, type Router, type SimRequest, type SimResponse } from './http.js';
import { isRunning } from './machine-views.js';
import { runCommandTail } from './script-lines.js';
import { agentNotReporting } from './vm-agent.js';
import type { PowerState, VirtualMachine } from './resources.js';
import { findMachine } from './virtual-machines.js';

// Which members a body may have is checked before these run (validation/run-command.ts); they
// read what the simulator acts on and ignore the spec's members it does not model (runAsUser…).
const parametersSchema = z.array(z.object({ name: z.string().min(1), value: z.string() })).default([]);

/** RunCommandInput: the action Run Command's body. */
const runCommandBody = z.object({
  commandId: z.literal('RunPowerShellScript'),
  script: z.array(z.string()).default([]),
  parameters: parametersSchema,
});

/** VirtualMachineRunCommand: a managed Run Command's body, as far as the bot uses it. */
const managedRunCommandBody = z.object({
  location: z.string().min(1),
  tags: z.record(z.string(), z.string()).optional(),
  properties: z.object({
    source: z.object({ script: z.string().min(1) }),
    parameters: parametersSchema,
    asyncExecution: z.boolean().default(false),
    timeoutInSeconds: z.number().int().min(0).default(0),
    treatFailureAsDeploymentFailure: z.boolean().default(false),
  }),
});

interface ManagedRunCommand {
  id: string;
  name: string;
  location: string;
  tags: Record<string, string>;
  body: z.infer<typeof managedRunCommandBody>['properties'];
  provisioningState: 'Creating' | 'Succeeded' | 'Failed';
  instanceView: Record<string, unknown>;
}

const asParameters = (list: Array<{ name: string; value: string }>) => Object.fromEntries(list.map((p) => [p.name, p.value]));

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
        // Compute's words for a restart of a stopped or deallocated VM (MicrosoftDocs/azure-docs#32404).
        throw new ArmError(409, 'OperationNotAllowed', 'The operation requires the VM to be running (or set to run).');
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
  registerManagedRunCommands(router, context, machine);
}

/**
 * Run Command as the packaging machine's guest answers it: one at a time per VM, only while
 * the VM runs, taking a while (config.runCommandMs, about 20 s on Azure) so overlap is real. On a
 * VM still booting it starts once the VM agent reports; without a VM agent in the guest nothing
 * answers, and the operation fails when its time is up.
 */
function runCommand(context: SimulatorContext, req: SimRequest): SimResponse {
  const machine = findMachine(context, req);
  const body = parseBody(runCommandBody, req);
  refuseUnlessRunning(machine);
  if (machine.runCommandInProgress) {
    throw new ArmError(409, 'Conflict', 'Run command extension execution is in progress. Please wait for completion before invoking a run command.');
  }
  machine.runCommandInProgress = true;
  return context.operations.begin(
    req,
    () => {
      machine.runCommandInProgress = false;
      if (!context.agents.installed(machine.name)) throw agentNotReporting(machine.name);
      // The action Run Command reports both streams but never the exit code.
      const { stdout, stderr } = context.guests.runScript(machine.name, body.script, asParameters(body.parameters));
      const status = (stream: string, message: string) => ({
        code: `ComponentStatus/${stream}/succeeded`,
        level: 'Info',
        displayStatus: 'Provisioning succeeded',
        message,
      });
      return { value: [status('StdOut', runCommandTail(stdout)), status('StdErr', runCommandTail(stderr))] };
    },
    { durationMs: runCommandDuration(context, machine) },
  );
}

/**
 * Managed Run Command (virtualMachines/{vm}/runCommands/{name}): PUT runs the script and, unless
 * asyncExecution, completes when it ends; GET with $expand=instanceView reports executionState,
 * exitCode, output and error; DELETE removes it. Accepted only on a running VM; without a VM agent
 * it fails when its time is up.
 */
function registerManagedRunCommands(router: Router, context: SimulatorContext, machine: string): void {
  const commands = new Map<string, ManagedRunCommand>();
  const key = (vmId: string, name: string) => `${vmId}/${name.toLowerCase()}`;
  const path = `${machine}/runCommands/:runCommand`;

  const render = (command: ManagedRunCommand, expand: boolean) => ({
    name: command.name,
    id: command.id,
    type: 'Microsoft.Compute/virtualMachines/runCommands',
    location: command.location,
    tags: command.tags,
    properties: {
      source: command.body.source,
      parameters: command.body.parameters,
      asyncExecution: command.body.asyncExecution,
      treatFailureAsDeploymentFailure: command.body.treatFailureAsDeploymentFailure,
      timeoutInSeconds: command.body.timeoutInSeconds,
      provisioningState: command.provisioningState,
      ...(expand ? { instanceView: command.instanceView } : {}),
    },
  });

  router.add('PUT', path, (req) => {
    const target = findMachine(context, req);
    const body = parseBody(managedRunCommandBody, req);
    refuseUnlessRunning(target);
    const name = req.params.runCommand!;
    const command: ManagedRunCommand = {
      id: `${target.id}/runCommands/${name}`,
      name,
      location: body.location,
      tags: body.tags ?? {},
      body: body.properties,
      provisioningState: 'Creating',
      instanceView: { executionState: 'Running', startTime: new Date().toISOString() },
    };
    commands.set(key(target.vmId, name), command);
    const durationMs = runCommandDuration(context, target);
    const run = () => {
      // The managed Run Command is a VM extension too: without the agent it never starts and fails as the action does.
      if (!context.agents.installed(target.name)) {
        command.provisioningState = 'Failed';
        throw agentNotReporting(target.name);
      }
      const script = command.body.source.script.split(/\r?\n/);
      const result = context.guests.runScript(target.name, script, asParameters(command.body.parameters));
      // The timeout counts the script's own run, not the wait for a booting guest's agent.
      const timedOut = command.body.timeoutInSeconds > 0 && context.config.runCommandMs > command.body.timeoutInSeconds * 1000;
      const executionState = timedOut ? 'TimedOut' : result.exitCode === 0 ? 'Succeeded' : 'Failed';
      command.instanceView = {
        ...command.instanceView,
        executionState,
        executionMessage: timedOut ? 'Execution timed out' : '',
        exitCode: timedOut ? -1 : result.exitCode,
        output: runCommandTail(result.stdout),
        error: runCommandTail(result.stderr),
        endTime: new Date().toISOString(),
      };
      const failed = executionState !== 'Succeeded' && command.body.treatFailureAsDeploymentFailure;
      command.provisioningState = failed ? 'Failed' : 'Succeeded';
      if (failed) throw new ArmError(400, 'VMExtensionProvisioningError', `Run command ${name} ended ${executionState}.`);
      return render(command, false);
    };
    return context.operations.begin(req, run, { status: 201, body: render(command, false), durationMs });
  });

  router.add('GET', path, (req) => {
    const target = findMachine(context, req);
    const command = commands.get(key(target.vmId, req.params.runCommand!));
    if (!command) throw new ArmError(404, 'NotFound', `The entity was not found in this Azure location.`);
    return { status: 200, body: render(command, req.query.get('$expand') === 'instanceView') };
  });

  router.add('DELETE', path, (req) => {
    const target = findMachine(context, req);
    const k = key(target.vmId, req.params.runCommand!);
    if (!commands.has(k)) return { status: 204 };
    return context.operations.begin(req, () => {
      commands.delete(k);
    });
  });
}

/**
 * Run Command runs through a VM extension, and Compute refuses extension operations on a VM that
 * is not running with this 409 (test/fixtures/arm/SOURCES.md). A VM that runs but is still
 * booting is not refused: the extension waits for its agent.
 */
function refuseUnlessRunning(machine: VirtualMachine): void {
  if (!isRunning(machine)) throw new ArmError(409, 'OperationNotAllowed', 'Cannot modify extensions in the VM when the VM is not running.');
}

/** The script's run time, after the wait for a booting guest's VM agent to report. */
function runCommandDuration(context: SimulatorContext, machine: VirtualMachine): number {
  return Math.max(0, (machine.agentReadyAt ?? 0) - Date.now()) + context.config.runCommandMs;
}
