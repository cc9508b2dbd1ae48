/**
 * One ARM api-version per resource type the packaging machine is made of, shared by the portal
 * template and the SDK path ("Deploy for me"), so both send the same contract. Each version
 * defines every member the bot sends (test/fixtures/arm/SOURCES.md names the spec files):
 * - virtualMachines 2025-04-01 is the first Compute version whose inline
 *   networkInterfaceConfigurations / publicIPAddressConfiguration have `tags` (2024-07-01 and
 *   2024-11-01 refuse them with InvalidRequestFormat), so the NIC and public IP the VM creates
 *   carry the task's tags and are found by them.
 * - disks 2024-03-02 (DiskRP) defines createOption Upload with uploadSizeBytes, hyperVGeneration,
 *   and Grant Access with access Write (the upload SAS).
 * - deployments 2024-03-01 has expressionEvaluationOptions, resourceGroup and subscriptionId on
 *   nested deployments.
 * - galleries 2025-03-03 (GalleryRP) for the gallery, its image definitions and image versions:
 *   the version @azure/arm-compute 24 calls, with `safetyProfile.allowDeletionOfReplicatedLocations`,
 *   `excludeFromLatest` and image definition `features`. A definition created at 2024-03-03 or later
 *   without a SecurityType feature becomes TrustedLaunchSupported, so the bot always states it.
 * - networkSecurityGroups 2023-09-01 (Microsoft.Network) defines the RDP rule public machine
 *   access creates (sourceAddressPrefixes, priority, direction) and tags on the NSG.
 */
import type { PipelinePolicy } from '@azure/core-rest-pipeline';

export const API_VERSIONS = {
  virtualMachines: '2025-04-01',
  disks: '2024-03-02',
  deployments: '2024-03-01',
  galleries: '2025-03-03',
  networkSecurityGroups: '2023-09-01',
} as const;

/** The Microsoft.Network version the VM uses to create its inline NIC and public IP (networkProfile.networkApiVersion). */
export const INLINE_NETWORK_API_VERSION = '2022-11-01';

/** Resource paths whose api-version the SDK must not choose on its own (it follows its release, not our contract). */
const PINNED: Array<{ path: RegExp; apiVersion: string }> = [
  { path: /\/providers\/Microsoft\.Compute\/virtualMachines(\/|$)/i, apiVersion: API_VERSIONS.virtualMachines },
  { path: /\/providers\/Microsoft\.Compute\/disks(\/|$)/i, apiVersion: API_VERSIONS.disks },
  { path: /\/providers\/Microsoft\.Compute\/galleries(\/|$)/i, apiVersion: API_VERSIONS.galleries },
  { path: /\/providers\/Microsoft\.Network\/networkSecurityGroups(\/|$)/i, apiVersion: API_VERSIONS.networkSecurityGroups },
];

/**
 * A pipeline policy that sends the pinned api-version on requests to pinned resource types
 * (the SDK's own default moves with each release). Long-running operation polls keep the
 * version ARM wrote into their URLs.
 */
export function pinnedApiVersionPolicy(): PipelinePolicy {
  return {
    name: 'oslayerPinnedApiVersion',
    sendRequest(request, next) {
      const url = new URL(request.url);
      const pinned = url.pathname.includes('/operations/') ? undefined : PINNED.find((entry) => entry.path.test(url.pathname));
      if (pinned && url.searchParams.has('api-version')) {
        url.searchParams.set('api-version', pinned.apiVersion);
        request.url = url.toString();
      }
      return next(request);
    },
  };
}
