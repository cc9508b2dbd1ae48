import type { ConnectorConfig, VmGeneration } from '../domain/model.js';
import { decryptSecret } from '../secrets.js';
import type { AzurePorts } from './arm/index.js';
import type { BlobDisks } from './blob-disks.js';
import { AzureError } from './errors.js';
import { cloudProfile, type CloudProfile } from './clouds.js';
import type { ConnectorProbe, Gallery, Machines, ProbeResult, StorageAccountInfo } from './ports.js';
import type { AzureObserver } from './observer.js';

/** Everything a job or listener needs to act on Azure for one connector. */
export interface AzureSession {
  connector: ConnectorConfig;
  profile: CloudProfile;
  machines: Machines;
  /** The connector's Compute Gallery (its `gallery` setting names which). */
  gallery: Gallery;
  probe: ConnectorProbe;
  /** The connector's storage account (ARM facts: id, region, blob endpoint, Shared Key), read on each call. */
  storage(): Promise<StorageAccountInfo>;
  /**
   * The storage data plane, signed with the connector's Microsoft Entra ID token; with the
   * account key (listKeys) only when Entra ID is refused for want of a data role and the account
   * allows Shared Key.
   */
  blobs(): Promise<BlobDisks>;
  /** The data plane under Microsoft Entra ID alone, never falling back: what Test checks. */
  entraBlobs(): Promise<BlobDisks>;
  /** The connector's Test: the ARM checks of `probe` plus the storage data-plane lines, in display order. */
  runChecks(opts?: { generations?: readonly VmGeneration[] }): Promise<ProbeResult[]>;
}

export interface AzureGateway {
  session(connector: ConnectorConfig): AzureSession;
}

export interface AzureGatewayOptions {
  secretKey: Buffer;
  /** Long-running-operation poll interval; the sandbox polls faster than real Azure needs. */
  pollIntervalMs?: number;
  /** Counts every request and token of every session (the bot's metrics). */
  observer?: AzureObserver;
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

/** The codes Azure Storage answers when the identity holds no role that grants the operation. */
const PERMISSION_CODES = new Set(['AuthorizationPermissionMismatch', 'AuthorizationFailure']);

/**
 * Why Microsoft Entra ID cannot sign this connector's storage requests, in a sentence; undefined
 * when it can. Only a missing data role is a reason to fall back: any other failure (network,
 * throttling) is thrown, so the next call tries Entra ID again.
 */
async function entraRefusal(entra: BlobDisks): Promise<string | undefined> {
  try {
    await entra.checkDelegationKey();
    return undefined;
  } catch (error) {
    if (error instanceof AzureError && PERMISSION_CODES.has(error.code)) {
      return `the connector's identity may not get a user delegation key (${error.code}): it holds no Storage Blob Data role on the account`;
    }
    throw error;
  }
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
  const armPorts = () => (arm ??= import('./arm/index.js').then((adapter) => adapter.armPorts({ connector, clientSecret, pollIntervalMs, observer: opts.observer })));
  const machines = builtOnFirstCall(async () => (await armPorts()).machines);
  const probe = builtOnFirstCall(async () => (await armPorts()).probe);
  const gallery = builtOnFirstCall(async () => (await armPorts()).gallery);
  // Read afresh on each call: the session lasts as long as the process, and an admin (or a policy)
  // may change the account while it runs, e.g. switch Shared Key off.
  const storage = (): Promise<StorageAccountInfo> => probe.storageAccountInfo(connector.storageAccount);
  const profile = cloudProfile(connector);
  const entraBlobs = onceSucceeded<BlobDisks>(async () => {
    const [info, ports, { createBlobDisks }] = await Promise.all([storage(), armPorts(), import('./blob-disks.js')]);
    return createBlobDisks({
      blobEndpoint: info.blobEndpoint.replace(/\/$/, ''),
      accountName: connector.storageAccount,
      auth: { kind: 'entra', credential: ports.credential },
      indexTags: info.blobIndexTags,
      tlsOptions: ports.tlsOptions,
      observer: opts.observer,
    });
  });
  // Once Entra ID has worked it is kept; a fallback is decided afresh on each call, so a role
  // assigned (or Shared Key switched off) while the bot runs takes effect without a restart.
  let entraWorks = false;
  const blobs = async (): Promise<BlobDisks> => {
    const entra = await entraBlobs();
    if (entraWorks) return entra;
    const refusal = await entraRefusal(entra);
    if (!refusal) {
      entraWorks = true;
      return entra;
    }
    const info = await storage();
    if (!info.sharedKeyAllowed) {
      throw new AzureError(
        `${refusal}, and storage account ${connector.storageAccount} refuses Shared Key, so there is no account-key fallback. Assign the connector's identity Storage Blob Data Contributor on the account.`,
        { code: 'AuthorizationPermissionMismatch', status: 403 },
      );
    }
    const [accountKey, ports, { createBlobDisks }] = await Promise.all([
      probe.storageAccountKey(connector.storageAccount),
      armPorts(),
      import('./blob-disks.js'),
    ]);
    return createBlobDisks({
      blobEndpoint: info.blobEndpoint.replace(/\/$/, ''),
      accountName: connector.storageAccount,
      auth: { kind: 'account-key', accountKey },
      indexTags: info.blobIndexTags,
      tlsOptions: ports.tlsOptions,
      observer: opts.observer,
    });
  };
  const runChecks = async (checkOpts?: { generations?: readonly VmGeneration[] }) => {
    const { withStorageDataChecks } = await import('./storage-checks.js');
    return withStorageDataChecks(await probe.runChecks(checkOpts), connector, entraBlobs, storage);
  };
  return { connector, profile, machines, gallery, probe, storage, blobs, entraBlobs, runChecks };
}
