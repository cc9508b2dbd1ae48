import type { AzureSession } from '../azure/gateway.js';
import { packagingMachineSpec } from '../azure/machine-spec.js';
import { machineAccessOf } from '../domain/machine-access.js';
import type { PackagingMachineSpec } from '../azure/ports.js';
import { GIB, VHD_FOOTER_SIZE } from '../azure/vhd.js';
import type { TaskRun } from './task-run.js';

/**
 * The packaging machine of a task, from its version, layer and connector. The template behind
 * the portal link and Deploy for me both build from here, so the two can never describe
 * different machines. `azure` lets a caller reuse its session (the storage facts are cached there).
 */
export async function packagingSpecFor(run: TaskRun, azure: AzureSession = run.azure()): Promise<PackagingMachineSpec> {
  const { connector, version, layer } = run;
  const storage = await azure.storage();
  return packagingMachineSpec({
    taskId: run.task._id,
    subscriptionId: connector.subscriptionId,
    resourceGroup: connector.resourceGroup,
    layerName: layer.name,
    versionName: version.name,
    diskFilename: version.packagingDiskFilename,
    // Publish grows the packaging VHD to exactly the Max Layer Size.
    vhdSizeBytes: version.maxLayerSizeGb * GIB + VHD_FOOTER_SIZE,
    vmSize: connector.vmSize,
    location: storage.location,
    subnetId: connector.subnetId,
    osType: layer.osType,
    hyperVGeneration: layer.vmGeneration,
    access: machineAccessOf(connector),
  });
}
