/**
 * The Azure VM agent inside each simulated guest, by VM name (set before or after the machine
 * exists, like guest flags). A base image without the agent boots, but the agent never reports:
 * the instance view never shows it `ProvisioningState/succeeded` ("Ready"), and Run Command is
 * accepted, runs out its time and fails with VMAgentStatusCommunicationError, as Azure's does.
 * Control API: PUT /_simulator/vm-agent/{vm} {"installed": false}.
 */
import { z } from 'zod';
import { ArmError, parseBody, type Router } from './http.js';

export class VmAgents {
  private readonly missing = new Set<string>();

  installed(vmName: string): boolean {
    return !this.missing.has(vmName.toLowerCase());
  }

  set(vmName: string, installed: boolean): void {
    if (installed) this.missing.delete(vmName.toLowerCase());
    else this.missing.add(vmName.toLowerCase());
  }

  register(router: Router): void {
    router.add(
      'PUT',
      '/_simulator/vm-agent/:vm',
      (req) => {
        const { installed } = parseBody(z.strictObject({ installed: z.boolean() }), req);
        this.set(req.params.vm!, installed);
        return { status: 200, body: { installed } };
      },
      { anonymous: true },
    );
  }
}

/** What Compute answers when the agent never reported (Azure/azure-powershell#5741, MicrosoftDocs/azure-docs#11596). */
export function agentNotReporting(vmName: string): ArmError {
  return new ArmError(
    409,
    'VMAgentStatusCommunicationError',
    `VM '${vmName}' has not reported status for VM agent or extensions. Verify that the OS is up and healthy, the VM has a running VM agent, and that it can establish outbound connections to Azure storage. Please refer to https://aka.ms/vmextensionwindowstroubleshoot for additional VM agent troubleshooting information.`,
  );
}
