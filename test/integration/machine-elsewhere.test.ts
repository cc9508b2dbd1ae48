/**
 * The portal's Custom deployment lets a person pick any resource group. A packaging machine
 * created by hand (plain SDK calls, as the portal would) in another resource group of the
 * connector's subscription, carrying the task's tag, is found by that tag, reported to the
 * channel with the resource group it is in, shut down for finalize, finalized and deleted there.
 */
import { ComputeManagementClient } from '@azure/arm-compute';
import { ResourceManagementClient } from '@azure/arm-resources';
import { ClientSecretCredential } from '@azure/identity';
import { toVmBody } from '../../src/azure/machine-spec.js';
import { connectorScopes, requiredRoleAssignments } from '../../src/azure/required-permissions.js';
import { withExtraRoles } from '../support/stand-ins.js';
import { simulatorClientOptions, simulatorCredentialOptions } from '../../src/sandbox/azure/client-options.js';
import { packagingSpecFor } from '../../src/workflow/packaging-spec.js';
import { TaskRun } from '../../src/workflow/task-run.js';
import { TASK_ACTIONS } from '../../views/task-message.js';
import type { TestBot } from '../support/bot.js';
import { useTaskButtons } from '../support/world.js';
import { ADMIN, type TaskButtons } from '../support/task-buttons.js';
import { statusShown } from '../support/ready-to-finalize.js';

const ELSEWHERE = 'someone-elses-rg';
const poll = { updateIntervalInMs: 50 };

let t: TestBot;
let ui: TaskButtons;
useTaskButtons((world) => ({ t, ui } = world));

describe('a packaging machine outside the connector’s resource group', () => {
  it('is found by its tag, reported with its resource group, finalized and deleted there', async () => {
    const v = await ui.publish('elsewhere-1');
    const sim = t.bot.sandbox!.simulator;
    const credential = new ClientSecretCredential(sim.tenantId, sim.clientId, sim.clientSecret, simulatorCredentialOptions(sim));
    const resources = new ResourceManagementClient(credential, sim.subscriptionId, simulatorClientOptions(sim));
    const compute = new ComputeManagementClient(credential, sim.subscriptionId, simulatorClientOptions(sim));

    // By hand, the way a portal deployment into another resource group creates it: with an admin's rights.
    const run = (await TaskRun.load(t.bot.services, v.taskId))!;
    const spec = await packagingSpecFor(run, run.azure());
    // Around the OS disk Publish prepared in the connector's resource group, as the template does.
    await withExtraRoles(ui.control, sim.clientId, [{ role: 'Contributor', scope: `/subscriptions/${sim.subscriptionId}` }], async () => {
      await resources.resourceGroups.createOrUpdate(ELSEWHERE, { location: sim.location });
      await compute.virtualMachines.createOrUpdate(ELSEWHERE, spec.vmName, toVmBody(spec), poll);
    });
    // As the README says: the connector's resource-group roles granted on that group too.
    const elsewhereGroup = `/subscriptions/${sim.subscriptionId}/resourceGroups/${ELSEWHERE}`;
    const groupRoles = requiredRoleAssignments(connectorScopes({ ...run.connector, resourceGroup: ELSEWHERE })).filter((a) => a.scope === elsewhereGroup);
    const app = (await ui.control.principals()).find((p) => p.clientId === sim.clientId)!;
    await ui.control.setRoleAssignments(sim.clientId, [...app.roleAssignments, ...groupRoles]);
    try {
      await ui.until('the VM agent to be ready', async () => {
        const vm = await compute.virtualMachines.get(ELSEWHERE, spec.vmName, { expand: 'instanceView' });
        return vm.instanceView?.vmAgent?.statuses?.some((s) => s.displayStatus === 'Ready') ? true : undefined;
      }, 20_000);
      const made = (await ui.resourcesOf(v)).map((r) => r.id);
      expect(made.length).toBeGreaterThanOrEqual(3);
      expect(made.filter((id) => !id.includes(`/resourceGroups/${ELSEWHERE}/`))).toEqual([spec.diskId]);

      const since = ui.mark();
      await ui.click(ADMIN, v, TASK_ACTIONS.shutdownForFinalize);
      const warning = await ui.waitForThread(v, /is in resource group/, 20_000);
      expect(warning).toContain(`is in resource group *${ELSEWHERE}*, not in the connector's resource group *${sim.resourceGroup}*`);
      expect(await ui.waitForEphemeral(ADMIN, /shut down and deallocated/, since, 30_000)).toContain('Click *Finalize*');
      expect((await ui.vm(v))?.powerState).toBe('deallocated');

      await ui.waitForMessage(v, (text) => text.includes(statusShown('ready-to-finalize')));
      await ui.click(ADMIN, v, TASK_ACTIONS.finalize);
      await ui.waitForMessage(v, (text) => text.includes(statusShown('deployable')), 30_000);

      // Nothing with the task's tag is left, in any resource group; the group itself is the person's own.
      expect(await ui.resourcesOf(v)).toEqual([]);
      expect((await ui.control.inventory()).filter((r) => r.id.includes(`/resourceGroups/${ELSEWHERE}/`))).toEqual([]);
      expect(ui.threadTexts(v).filter((text) => text.includes('is in resource group'))).toHaveLength(1);
    } finally {
      await ui.control.setRoleAssignments(sim.clientId, app.roleAssignments);
    }
  }, 90_000);
});
