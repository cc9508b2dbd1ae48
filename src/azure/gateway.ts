import type { ConnectorConfig } from '../domain/model.js';
import { decryptSecret } from '../secrets.js';
import type { AzurePorts } from './arm/index.js';
import type { BlobDisks } from './blob-disks.js';
import { cloudProfile, type CloudProfile } from './clouds.js';
import type { ConnectorProbe, Machines, StorageAccountInfo } from './ports.js';

/** Everything a job or listener needs to act on Azure for one connector. */
export interface AzureSession {
  connector: ConnectorConfig;
  profile: CloudProfile;
  machines: Machines;
  probe: ConnectorProbe;
  /** The connector's storage account (ARM facts: id, region, blob endpoint, Shared Key), read on each call. */
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

/** A port's members are all async, so building it on its first call is invisible to the caller. */
type AsyncPort<T> = { [K in keyof T]: T[K] extends (...args: never[]) => Promise<unknown> ? T[K] : never };

/**
 * A port whose adapter is loaded and built on the first call to any of its members. The Azure SDKs
 * weigh tens of megabytes each; a bot that is idle, or only answering Slack, never loads them.
 */
function builtOnFirstCall<T extends AsyncPort<T>>(build: () => Promise<T>): T {
  let port: Promise<T> | undefined;
  return new Proxy({} as T, {
    // `then` stays undefined so that awaiting the port itself does not call into it.
    get: (_target, member) =>
      typeof member === 'string' && member !== 'then'
        ? async (...args: unknown[]) => {
            const built = await (port ??= build());
            return (built[member as keyof T] as (...a: unknown[]) => Promise<unknown>).apply(built, args);
          }
        : undefined,
  });
}

/**
 * Builds sessions from stored connectors: decrypts the client secret only here, in memory.
 * One session per connector for the life of the process, so its credential (and the token it
 * caches) and its SDK clients are shared by every job and click; a connector whose settings or
 * secret changed gets a new one.
 */
export function createAzureGateway(opts: AzureGatewayOptions): AzureGateway {
  const sessions = new Map<string, { fingerprint: string; session: AzureSession }>();
  return {
    session(connector) {
      const fingerprint = connectorFingerprint(connector);
      const cached = sessions.get(connector._id);
      if (cached?.fingerprint === fingerprint) return { ...cached.session, connector };
      const session = newSession(connector, opts);
      sessions.set(connector._id, { fingerprint, session });
      return session;
    },
  };
}

/** Everything a session is built from; the names and dates that don't change Azure access are left out. */
function connectorFingerprint(connector: ConnectorConfig): string {
  const { _id, name: _name, createdBy: _by, createdAt: _at, updatedAt: _updated, ...access } = connector;
  return JSON.stringify(access);
}

/** A promise kept once it succeeds; a failure is not remembered, so the next call asks again. */
function onceSucceeded<T>(make: () => Promise<T>): () => Promise<T> {
  let kept: Promise<T> | undefined;
  return () =>
    (kept ??= make().catch((error: unknown) => {
      kept = undefined;
      throw error;
    }));
}

function newSession(connector: ConnectorConfig, opts: AzureGatewayOptions): AzureSession {
  const clientSecret =
    connector.auth.kind === 'client-secret' ? decryptSecret(connector.auth.clientSecretEncrypted, opts.secretKey) : undefined;
  // The simulator finishes operations in a fraction of a second; real Azure is polled at the SDK's pace.
  const pollIntervalMs = connector.simulated ? SIMULATED_POLL_MS : opts.pollIntervalMs;
  let arm: Promise<AzurePorts> | undefined;
  const armPorts = () => (arm ??= import('./arm/index.js').then((adapter) => adapter.armPorts({ connector, clientSecret, pollIntervalMs })));
  const machines = builtOnFirstCall(async () => (await armPorts()).machines);
  const probe = builtOnFirstCall(async () => (await armPorts()).probe);
  // Read afresh on each call: the session lasts as long as the process, and an admin may switch
  // Shared Key off (or a policy may) while it runs; publishing must see that before it copies.
  const storage = (): Promise<StorageAccountInfo> => probe.storageAccountInfo(connector.storageAccount);
  const blobs = onceSucceeded<BlobDisks>(async () => {
    const [info, accountKey, { createBlobDisks }] = await Promise.all([
      storage(),
      probe.storageAccountKey(connector.storageAccount),
      import('./blob-disks.js'),
    ]);
    return createBlobDisks({
      blobEndpoint: info.blobEndpoint.replace(/\/$/, ''),
      accountName: connector.storageAccount,
      accountKey,
      indexTags: info.blobIndexTags,
    });
  });
  return { connector, profile: cloudProfile(connector), machines, probe, storage, blobs };
}
