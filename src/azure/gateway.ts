import type { ConnectorConfig } from '../domain/model.js';
import { decryptSecret } from '../secrets.js';
import { armPorts } from './arm/index.js';
import { createBlobDisks, type BlobDisks } from './blob-disks.js';
import { cloudProfile, type CloudProfile } from './clouds.js';
import type { ConnectorProbe, Machines, StorageAccountInfo } from './ports.js';

/** Everything a job or listener needs to act on Azure for one connector. */
export interface AzureSession {
  connector: ConnectorConfig;
  profile: CloudProfile;
  machines: Machines;
  probe: ConnectorProbe;
  /** The connector's storage account (ARM facts: id, region, blob endpoint). Read once per session. */
  storage(): Promise<StorageAccountInfo>;
  /** The storage data plane, signed with an account key fetched by listKeys on first use. */
  blobs(): Promise<BlobDisks>;
}

export interface AzureGateway {
  session(connector: ConnectorConfig): AzureSession;
}

export interface AzureGatewayOptions {
  secretKey: Buffer;
  /** Long-running-operation poll interval; the sandbox polls faster than real Azure needs. */
  pollIntervalMs?: number;
}

const SIMULATED_POLL_MS = 100;

/** Builds sessions from stored connectors: decrypts the client secret only here, in memory. */
export function createAzureGateway(opts: AzureGatewayOptions): AzureGateway {
  return {
    session(connector) {
      const clientSecret =
        connector.auth.kind === 'client-secret' ? decryptSecret(connector.auth.clientSecretEncrypted, opts.secretKey) : undefined;
      // The simulator finishes operations in a fraction of a second; real Azure is polled at the SDK's pace.
      const pollIntervalMs = connector.simulated ? SIMULATED_POLL_MS : opts.pollIntervalMs;
      const { machines, probe } = armPorts({ connector, clientSecret, pollIntervalMs });
      let storage: Promise<StorageAccountInfo> | undefined;
      let blobs: Promise<BlobDisks> | undefined;
      const session: AzureSession = {
        connector,
        profile: cloudProfile(connector),
        machines,
        probe,
        storage: () => (storage ??= probe.storageAccountInfo(connector.storageAccount)),
        blobs: () =>
          (blobs ??= (async () => {
            const [info, accountKey] = await Promise.all([session.storage(), probe.storageAccountKey(connector.storageAccount)]);
            return createBlobDisks({
              blobEndpoint: info.blobEndpoint.replace(/\/$/, ''),
              accountName: connector.storageAccount,
              accountKey,
              indexTags: info.blobIndexTags,
            });
          })()),
      };
      return session;
    },
  };
}
