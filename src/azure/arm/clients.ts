/** The SDK clients one connector uses, sharing its credential and pipeline options. */
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { ComputeManagementClient } from '@azure/arm-compute';
import { NetworkManagementClient } from '@azure/arm-network';
import { ResourceManagementClient } from '@azure/arm-resources';
import { StorageManagementClient } from '@azure/arm-storage';
import type { TokenCredential } from '@azure/identity';
import type { ConnectorConfig } from '../../domain/model.js';
import { cloudProfile, type CloudProfile } from '../clouds.js';
import { clientOptions, connectorCredential } from '../credentials.js';
import type { AzureObserver } from '../observer.js';

export type ConnectorTarget = Pick<
  ConnectorConfig,
  'cloud' | 'customEndpoints' | 'tenantId' | 'auth' | 'subscriptionId' | 'resourceGroup' | 'storageAccount' | 'location' | 'subnetId' | 'vmSize' | 'machineAccess' | 'gallery'
>;

export interface ArmConnectionOptions {
  connector: ConnectorTarget;
  /** The decrypted client secret when the connector uses one. */
  clientSecret?: string;
  /** Interval between long-running-operation polls when ARM sends no Retry-After (SDK default otherwise). */
  pollIntervalMs?: number;
  /** Longest Retry-After waited out inside a call; longer ones surface as ThrottledError. */
  maxRetryAfterSeconds?: number;
  /** Counts requests and tokens (the bot's metrics). */
  observer?: AzureObserver;
}

export interface ArmConnection {
  connector: ConnectorTarget;
  profile: CloudProfile;
  credential: TokenCredential;
  compute: ComputeManagementClient;
  storage: StorageManagementClient;
  resources: ResourceManagementClient;
  /** The identity's own permissions in a subscription (connector Test). */
  authorization(subscriptionId: string): AuthorizationManagementClient;
  /** Network client for a subscription (a subnet may live in another one than the connector's). */
  network(subscriptionId: string): NetworkManagementClient;
  /** Poller options for the modular clients' long-running operations. */
  poll(signal: AbortSignal | undefined): { updateIntervalInMs?: number; abortSignal?: AbortSignal };
  /** The poll interval the connector asked for (undefined: the SDK's own pace). */
  pollIntervalMs?: number;
}

export function connect({ connector, clientSecret, pollIntervalMs, maxRetryAfterSeconds, observer }: ArmConnectionOptions): ArmConnection {
  const profile = cloudProfile(connector);
  const credential = connectorCredential({ connector, profile, clientSecret, observer });
  const options = clientOptions(profile, { maxRetryAfterSeconds, observer });
  const { subscriptionId } = connector;
  const networks = new Map<string, NetworkManagementClient>();
  return {
    connector,
    profile,
    credential,
    compute: new ComputeManagementClient(credential, subscriptionId, options),
    storage: new StorageManagementClient(credential, subscriptionId, options),
    resources: new ResourceManagementClient(credential, subscriptionId, options),
    authorization: (subscription) => new AuthorizationManagementClient(credential, subscription, options),
    network: (subscription) => {
      let client = networks.get(subscription);
      if (!client) networks.set(subscription, (client = new NetworkManagementClient(credential, subscription, options)));
      return client;
    },
    pollIntervalMs,
    poll: (signal) => ({
      ...(pollIntervalMs === undefined ? {} : { updateIntervalInMs: pollIntervalMs }),
      ...(signal ? { abortSignal: signal } : {}),
    }),
  };
}
