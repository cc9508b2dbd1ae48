/**
 * Run Command bodies (ComputeRP runCommand.json at 2024-07-01 and 2025-04-01): the action's
 * RunCommandInput, the same in both, and the managed Run Command (PUT
 * virtualMachines/{vm}/runCommands/{name}), whose script source gains scriptShell and
 * galleryScriptReferenceId at 2025-04-01. Sources in test/fixtures/arm/SOURCES.md.
 */
import { arrayOf, boolean, integer, object, oneOf, opaque, string, trackedResource, type RequestBody } from './shape.js';

const parameter = object('RunCommandInputParameter', { name: string, value: string }, ['name', 'value']);

export const runCommandInput: RequestBody = {
  parameter: 'parameters',
  shape: object('RunCommandInput', { commandId: string, script: arrayOf(string), parameters: arrayOf(parameter) }, ['commandId']),
};

const managedIdentity = object('RunCommandManagedIdentity', { clientId: string, objectId: string });

function managedRunCommand(scriptSourceFrom2025: boolean): RequestBody {
  const source = object('VirtualMachineRunCommandScriptSource', {
    script: string,
    scriptUri: string,
    commandId: string,
    scriptUriManagedIdentity: managedIdentity,
    ...(scriptSourceFrom2025 ? { scriptShell: oneOf('ScriptShellTypes', 'Default', 'Powershell7'), galleryScriptReferenceId: string } : {}),
  });
  const properties = object('VirtualMachineRunCommandProperties', {
    source,
    parameters: arrayOf(parameter),
    protectedParameters: arrayOf(parameter),
    asyncExecution: boolean,
    runAsUser: string,
    runAsPassword: string,
    timeoutInSeconds: integer,
    outputBlobUri: string,
    errorBlobUri: string,
    outputBlobManagedIdentity: managedIdentity,
    errorBlobManagedIdentity: managedIdentity,
    provisioningState: string,
    instanceView: opaque,
    treatFailureAsDeploymentFailure: boolean,
  });
  return { parameter: 'runCommand', shape: object('VirtualMachineRunCommand', { ...trackedResource, properties }, ['location']) };
}

export const managedRunCommand20240701 = managedRunCommand(false);
export const managedRunCommand20250401 = managedRunCommand(true);
