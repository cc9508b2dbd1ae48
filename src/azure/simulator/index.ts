import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateLoopbackCertificate } from './certificate.js';
import type { SimulatorContext } from './context.js';
import { registerControlRoutes } from './control.js';
import { DiskBlobs } from './disk-blobs.js';
import { registerDiskRoutes } from './disks.js';
import { IssuedTokens, registerEntraRoutes } from './entra.js';
import { FaultList, faultError } from './faults.js';
import { GuestRegistry } from './guest.js';
import { ArmError, Router, armErrorResponse, readBody, send, type SimRequest, type SimResponse } from './http.js';
import { registerMachineActionRoutes } from './machine-actions.js';
import { LongRunningOperations } from './operations.js';
import { registerResourceGroupRoutes } from './resource-groups.js';
import { ResourceStore, resourceId, type InventoryItem } from './resources.js';
import { registerSecurityGroupRoutes } from './security-groups.js';
import { registerSkuRoutes } from './skus.js';
import { registerStorageAndNetworkRoutes, seedSandbox, sharedKeyAllowed } from './storage-and-network.js';
import { startStorageGateway } from './storage-gateway.js';
import { registerVirtualMachineRoutes } from './virtual-machines.js';
import { persistSimulator, type SimulatorPersistence } from './persistence.js';

export type { InventoryItem } from './resources.js';
export type { GuestChanges, GuestControl, GuestFlags, GuestView } from './guest.js';
export type { Fault } from './faults.js';

export interface ArmSimulatorOptions {
  /** 0/undefined = a free port; binds 127.0.0.1 only. */
  port?: number;
  /** Azurite account URL, e.g. http://127.0.0.1:10000/devstoreaccount1 */
  blobEndpoint: string;
  /** Azurite's key (listKeys returns it). */
  blobAccountKey: string;
  subscriptionId?: string;
  resourceGroup?: string;
  location?: string;
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  /** How long a long-running operation takes to complete (default 200 ms). */
  operationDelayMs?: number;
  /** How long the guest takes to run a Run Command script (default 300 ms). */
  runCommandMs?: number;
  /** Keep the simulated subscription (resources, guests) in this JSON file across restarts. */
  stateFile?: string;
}

export interface RunningArmSimulator {
  /** https://127.0.0.1:PORT */
  armEndpoint: string;
  /** The self-signed certificate to trust (CN/SAN 127.0.0.1 + localhost), made at start. */
  caCertPem: string;
  /** The same certificate, written to a temp file. */
  caCertPath: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  /** Azurite's account, e.g. 'devstoreaccount1', as Microsoft.Storage/storageAccounts in resourceGroup. */
  storageAccount: string;
  /**
   * The storage account's blob endpoint as ARM reports it: Azurite behind the gateway that
   * enforces `allowSharedKeyAccess` (./storage-gateway.ts). `blobEndpoint` given at start stays
   * Azurite itself, the platform's own view.
   */
  storageBlobEndpoint: string;
  /** The pre-seeded VNet 'oslayer-vnet', subnet 'packaging'. */
  subnetId: string;
  /** Same as GET /_simulator/inventory `.resources`. */
  inventory(): InventoryItem[];
  stop(): Promise<void>;
}

const VNET_NAME = 'oslayer-vnet';
const SUBNET_NAME = 'packaging';

/** Microsoft Entra ID + ARM for one sandbox subscription, over HTTPS on loopback. */
export async function startArmSimulator(opts: ArmSimulatorOptions): Promise<RunningArmSimulator> {
  const blobEndpoint = opts.blobEndpoint.replace(/\/+$/, '');
  const subscriptionId = opts.subscriptionId ?? '00000000-0000-0000-0000-0000000051ab';
  const resourceGroup = opts.resourceGroup ?? 'oslayer-sandbox';
  const location = opts.location ?? 'eastus';
  const app = {
    tenantId: opts.tenantId ?? '00000000-0000-0000-0000-00000000e1d0',
    clientId: opts.clientId ?? '00000000-0000-0000-0000-0000000c1e47',
    clientSecret: opts.clientSecret ?? 'oslayer-sandbox-client-secret',
  };
  const storageAccount = new URL(blobEndpoint).pathname.split('/').filter(Boolean).pop() ?? 'devstoreaccount1';
  const vnetId = resourceId(subscriptionId, resourceGroup, 'Microsoft.Network/virtualNetworks', VNET_NAME);
  const store = new ResourceStore(subscriptionId);
  const gateway = await startStorageGateway({
    azuriteOrigin: new URL(blobEndpoint).origin,
    sharedKeyAllowed: (account) => sharedKeyAllowed(store, account),
    platformContainers: [DiskBlobs.container],
  });
  const storageBlobEndpoint = `${gateway.origin}/${storageAccount}`;
  const blobs = new DiskBlobs(blobEndpoint, opts.blobAccountKey, storageBlobEndpoint);
  await blobs.prepare();
  const context: SimulatorContext = {
    config: {
      subscriptionId,
      resourceGroup,
      location,
      storageAccount,
      blobEndpoint,
      storageBlobEndpoint,
      blobAccountKey: opts.blobAccountKey,
      subnetId: `${vnetId}/subnets/${SUBNET_NAME}`,
      runCommandMs: opts.runCommandMs ?? 300,
    },
    store,
    operations: new LongRunningOperations(subscriptionId, location, opts.operationDelayMs ?? 200),
    guests: new GuestRegistry(),
    blobs,
  };
  const persistence: SimulatorPersistence | undefined = opts.stateFile ? persistSimulator(context, opts.stateFile) : undefined;
  // After the saved state: the storage account's endpoint is this start's.
  seedSandbox(context, VNET_NAME, SUBNET_NAME);

  const tokens = new IssuedTokens();
  const faults = new FaultList();
  const router = new Router();
  registerEntraRoutes(router, app, tokens);
  registerControlRoutes(router, context, faults);
  context.operations.register(router);
  registerResourceGroupRoutes(router, context);
  registerStorageAndNetworkRoutes(router, context);
  registerSecurityGroupRoutes(router, context);
  registerSkuRoutes(router, context);
  registerDiskRoutes(router, context);
  registerVirtualMachineRoutes(router, context);
  registerMachineActionRoutes(router, context);

  const certificate = await generateLoopbackCertificate();
  const certDir = mkdtempSync(join(tmpdir(), 'oslayer-arm-sim-'));
  const caCertPath = join(certDir, 'ca.pem');
  writeFileSync(caCertPath, certificate.certPem);

  const server = createServer({ cert: certificate.certPem, key: certificate.keyPem }, (req, res) => {
    void serve(req, res, router, tokens, faults);
  });
  await listen(server, opts.port ?? 0);
  const { port } = server.address() as AddressInfo;

  return {
    armEndpoint: `https://127.0.0.1:${port}`,
    caCertPem: certificate.certPem,
    caCertPath,
    ...app,
    subscriptionId,
    resourceGroup,
    location,
    storageAccount,
    storageBlobEndpoint,
    subnetId: context.config.subnetId,
    inventory: () => context.store.inventory(),
    async stop() {
      persistence?.flush();
      persistence?.stop();
      context.operations.stop();
      await gateway.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      rmSync(certDir, { recursive: true, force: true });
    },
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** One request: injected faults first, then the route, its bearer check, and ARM-shaped errors. */
async function serve(req: IncomingMessage, res: ServerResponse, router: Router, tokens: IssuedTokens, faults: FaultList): Promise<void> {
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', `https://${req.headers.host ?? '127.0.0.1'}`);
  let answer: SimResponse;
  try {
    const request: SimRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      origin: url.origin,
      rawBody: await readBody(req),
      params: {},
    };
    answer = await dispatch(request, router, tokens, faults);
  } catch (error) {
    answer = armErrorResponse(
      error instanceof ArmError ? error : new ArmError(500, 'InternalServerError', `Simulator failure: ${String(error)}`),
    );
  }
  const requestId = randomUUID();
  send(res, { ...answer, headers: { 'x-ms-request-id': requestId, 'x-ms-correlation-request-id': requestId, ...answer.headers } });
}

async function dispatch(request: SimRequest, router: Router, tokens: IssuedTokens, faults: FaultList): Promise<SimResponse> {
  const isControl = request.path.startsWith('/_simulator/');
  const fault = isControl ? undefined : faults.take(request.method, request.path);
  if (fault?.delayMs) await sleep(fault.delayMs);
  const injected = fault && faultError(fault);
  if (injected) throw injected;
  const found = router.match(request.method, request.path);
  if (!found) throw new ArmError(404, 'NotFound', `The simulator does not serve ${request.method} ${request.path}.`);
  if (!found.route.anonymous) {
    tokens.authenticate(request);
    if (!request.query.get('api-version')) {
      throw new ArmError(400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.");
    }
  }
  return found.route.handler({ ...request, params: found.params });
}
