import type { PipelineOptions, PipelinePolicy } from '@azure/core-rest-pipeline';
import { pinnedApiVersionPolicy } from '../../azure/api-versions.js';

/** What a client needs to know to reach a running simulator. */
export interface SimulatorAddress {
  armEndpoint: string;
  caCertPem: string;
}

/**
 * Options for any Azure SDK management client (the modular `@azure/arm-compute` and
 * `@azure/arm-storage` as well as the older `@azure/arm-network`/`@azure/arm-resources`):
 * the simulator as endpoint, its certificate as the only trusted CA (`tlsOptions` reaches
 * every request through the pipeline's TLS policy), and quick retries. The throttling policy
 * still waits exactly what a 429's Retry-After says. Like the bot's own clients, they send the
 * project's pinned api-versions (../api-versions.ts), which the simulator validates bodies against.
 *
 *   new ComputeManagementClient(credential, sim.subscriptionId, simulatorClientOptions(sim))
 */
export function simulatorClientOptions(sim: SimulatorAddress): PipelineOptions & { endpoint: string; additionalPolicies: Array<{ policy: PipelinePolicy; position: 'perCall' | 'perRetry' }> } {
  return {
    endpoint: sim.armEndpoint,
    tlsOptions: { ca: sim.caCertPem },
    retryOptions: { maxRetries: 3, retryDelayInMs: 50, maxRetryDelayInMs: 500 },
    additionalPolicies: [{ policy: pinnedApiVersionPolicy(), position: 'perCall' }],
  };
}

/**
 * Options for @azure/identity's ClientSecretCredential against the simulator's Entra ID
 * stand-in: it is the authority host, instance discovery (a call to the public cloud's
 * discovery endpoint) is off, and the same CA is trusted for the token requests.
 *
 *   new ClientSecretCredential(sim.tenantId, sim.clientId, sim.clientSecret, simulatorCredentialOptions(sim))
 */
export function simulatorCredentialOptions(sim: SimulatorAddress): PipelineOptions & {
  authorityHost: string;
  disableInstanceDiscovery: true;
} {
  return { authorityHost: sim.armEndpoint, disableInstanceDiscovery: true, tlsOptions: { ca: sim.caCertPem } };
}
