/**
 * Managed Run Command: `virtualMachines/{vm}/runCommands/{name}` as a child resource (PUT to run
 * a script with named parameters and a timeout, GET with `$expand=instanceView` for its
 * execution state, exit code and output, DELETE). Shapes follow VirtualMachineRunCommand_Get.json
 * (azure-rest-api-specs, Microsoft.Compute 2024-07-01) and the VirtualMachineRunCommand model:
 * the instance view's executionState is Pending/Running/Succeeded/Failed/TimedOut; output and
 * error are the script's streams, each kept to its last 4 KB as "Run scripts in your Windows
 * VM by using managed Run Commands" documents. Like the action API, it needs the VM running
 * with its agent ready, and one script runs at a time per VM here.
 */
import { z } from 'zod';
import type { SimulatorContext } from './context.js';
import { ArmError, parseBody, type Router, type SimRequest, type SimResponse } from './http.js';
import { isAgentReady } from './machine-views.js';
import type { ManagedRunCommand, VirtualMachine } from './resources.js';
import { findMachine } from './virtual-machines.js';

const RUN_COMMAND_TYPE = 'Microsoft.Compute/virtualMachines/runCommands';
/** The default when timeoutInSeconds is absent or 0: 90 minutes. */
const DEFAULT_TIMEOUT_SECONDS = 90 * 60;
const STREAM_LIMIT = 4096;

const parameterSchema = z.strictObject({ name: z.string().min(1), value: z.string() });

/** The members the 2024-07-01 API defines for a run command we model; anything else is refused. */
const runCommandBody = z.strictObject({
  location: z.string().min(1),
  tags: z.record(z.string(), z.string()).optional(),
  properties: z.strictObject({
    source: z.strictObject({ script: z.string().min(1) }),
    parameters: z.array(parameterSchema).optional(),
    protectedParameters: z.array(parameterSchema).optional(),
    asyncExecution: z.boolean().optional(),
    timeoutInSeconds: z.number().int().min(0).optional(),
    treatFailureAsDeploymentFailure: z.boolean().optional(),
  }),
});

export function registerManagedRunCommandRoutes(router: Router, context: SimulatorContext): void {
  const runCommand = '/subscriptions/:sub/resourceGroups/:rg/providers/Microsoft.Compute/virtualMachines/:name/runCommands/:runCommand';
  router.add('PUT', runCommand, (req) => putRunCommand(context, req));
  router.add('GET', runCommand, (req) => {
    const machine = findMachine(context, req);
    const expand = req.query.get('$expand')?.toLowerCase() === 'instanceview';
    return { status: 200, body: render(machine, findRunCommand(machine, req), expand) };
  });
  router.add('DELETE', runCommand, (req) => {
    const machine = findMachine(context, req);
    const found = machine.managedRunCommands?.get(req.params.runCommand!.toLowerCase());
    if (!found) return { status: 204 };
    found.provisioningState = 'Deleting';
    return context.operations.begin(req, () => {
      machine.managedRunCommands?.delete(found.name.toLowerCase());
    });
  });
}

function findRunCommand(machine: VirtualMachine, req: SimRequest): ManagedRunCommand {
  const found = machine.managedRunCommands?.get(req.params.runCommand!.toLowerCase());
  if (!found) throw new ArmError(404, 'ResourceNotFound', `The Resource '${RUN_COMMAND_TYPE}/${machine.name}/${req.params.runCommand}' under resource group '${req.params.rg}' was not found.`);
  return found;
}

function putRunCommand(context: SimulatorContext, req: SimRequest): SimResponse {
  const machine = findMachine(context, req);
  const body = parseBody(runCommandBody, req);
  if (!isAgentReady(machine)) {
    throw new ArmError(409, 'OperationNotAllowed', `Operation 'runCommands' is not allowed: the VM agent of ${machine.name} is not ready (the VM is ${machine.powerState}).`);
  }
  if (machine.runCommandInProgress) {
    throw new ArmError(409, 'Conflict', 'Run command extension execution is in progress. Please wait for completion before invoking a run command.');
  }
  const runCommands = (machine.managedRunCommands ??= new Map());
  const name = req.params.runCommand!;
  const previous = runCommands.get(name.toLowerCase());
  const started = new Date().toISOString();
  const entry: ManagedRunCommand = {
    name,
    location: body.location,
    properties: body.properties,
    provisioningState: previous ? 'Updating' : 'Creating',
    instanceView: { executionState: 'Running', executionMessage: '', output: '', error: '', startTime: started },
  };
  runCommands.set(name.toLowerCase(), entry);
  machine.runCommandInProgress = true;
  const timeoutMs = (body.properties.timeoutInSeconds || DEFAULT_TIMEOUT_SECONDS) * 1000;
  const durationMs = context.config.runCommandMs;
  return context.operations.begin(
    req,
    () => {
      machine.runCommandInProgress = false;
      const endTime = new Date().toISOString();
      if (durationMs > timeoutMs) {
        entry.instanceView = { executionState: 'TimedOut', executionMessage: 'Execution was terminated because it exceeded the timeout.', output: '', error: '', startTime: started, endTime };
      } else {
        const script = body.properties.source.script.split(/\r?\n/);
        const parameters = [...(body.properties.parameters ?? []), ...(body.properties.protectedParameters ?? [])];
        const answer = context.guests.runScript(machine.name, script, parameters);
        entry.instanceView = {
          executionState: answer.exitCode === 0 ? 'Succeeded' : 'Failed',
          executionMessage: answer.exitCode === 0 ? 'Execution completed' : `Execution failed with exit code ${answer.exitCode}`,
          exitCode: answer.exitCode,
          output: answer.stdout.slice(-STREAM_LIMIT),
          error: answer.stderr.slice(-STREAM_LIMIT),
          startTime: started,
          endTime,
        };
      }
      const failedRun = entry.instanceView.executionState !== 'Succeeded';
      entry.provisioningState = failedRun && body.properties.treatFailureAsDeploymentFailure ? 'Failed' : 'Succeeded';
      if (entry.provisioningState === 'Failed') throw new ArmError(400, 'VMExtensionProvisioningError', `Run command ${name} failed: ${entry.instanceView.executionMessage}`);
      return render(machine, entry, false);
    },
    { status: previous ? 200 : 201, body: render(machine, entry, false), durationMs },
  );
}

function render(machine: VirtualMachine, entry: ManagedRunCommand, expandInstanceView: boolean): Record<string, unknown> {
  const { protectedParameters: _secret, ...properties } = entry.properties;
  return {
    name: entry.name,
    id: `${machine.id}/runCommands/${entry.name}`,
    type: RUN_COMMAND_TYPE,
    location: entry.location,
    properties: {
      ...properties,
      provisioningState: entry.provisioningState,
      ...(expandInstanceView && entry.instanceView ? { instanceView: entry.instanceView } : {}),
    },
  };
}
