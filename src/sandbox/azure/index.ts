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
import { Deployments, type ProviderCall } from './deployments/index.js';
import { DiskBlobs } from './disk-blobs.js';
import { registerDiskRoutes } from './disks.js';
import { GALLERY_TYPE, registerGalleryRoutes, SANDBOX_GALLERY, seedGallery } from './galleries.js';
import { TokenIssuer, registerEntraRoutes } from './entra.js';
import { FaultList, faultError } from './faults.js';
import { GuestRegistry } from './guest.js';
import { ArmError, Router, armErrorResponse, jsonBody, readBody, send, type SimRequest, type SimResponse } from './http.js';
import { registerMachineActionRoutes } from './machine-actions.js';
import { LongRunningOperations } from './operations.js';
import { registerResourceGroupRoutes } from './resource-groups.js';
import { ResourceStore, resourceId, type InventoryItem } from './resources.js';
import { registerSecurityGroupRoutes } from './security-groups.js';
import { registerSkuRoutes } from './skus.js';
import { registerRequestCountRoutes, SubscriptionThrottle, type RequestCounts } from './throttle.js';
import { findStorageAccount, registerStorageAndNetworkRoutes, seedSandbox, sharedKeyAllowed } from './storage-and-network.js';
import { startStorageGateway } from './storage-gateway.js';
import { PORTAL_USER, Principals } from './authorization/principals.js';
import { authorizeRequest } from './authorization/refusals.js';
import { requestOperations } from './authorization/request-operations.js';
import { registerAuthorizationRoutes } from './authorization/routes.js';
import { connectorScopes, requiredRoleAssignments } from '../../azure/required-permissions.js';
import { validateRequest } from './validation/contracts.js';
import { registerVirtualMachineRoutes } from './virtual-machines.js';
import { registerSettingsRoutes } from './settings.js';
import { VmAgents } from './vm-agent.js';
import { persistSimulator, type SimulatorPersistence } from './persistence.js';
import { TrafficRecorder, announceSimulator, flatHeaders, parsedBody, recordingWanted, type ArmExchange } from './traffic.js';

export type { InventoryItem } from './resources.js';
export type { GuestChanges, GuestControl, GuestFlags, GuestView } from './guest.js';
export type { Fault } from './faults.js';
export type { ArmExchange } from './traffic.js';

export interface ArmSimulatorOptions {
  /** 0/undefined = a free port; binds 127.0.0.1 only. */
  port?: number;
  /** The storage account's blob endpoint's port (the gateway in front of Azurite); 0/undefined = a free port. */
  storagePort?: number;
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
  /** How long the guest takes to run a Run Command script (default 20 s, as on Azure; tests set less). */
  runCommandMs?: number;
  /** What Retry-After says on long-running operations (default 1 s). */
  retryAfterSeconds?: number;
  /** Keep the simulated subscription (resources, guests) in this JSON file across restarts. */
  stateFile?: string;
  /**
   * Keep every ARM request and response served (not the control API, not Entra ID), for
   * `traffic()`. Default: on while a test observes simulators (./traffic.ts observeSimulators).
   */
  recordTraffic?: boolean;
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
  /** The subscription's Compute Gallery, which the sandbox connector publishes to. */
  galleryId: string;
  /** Same as GET /_simulator/inventory `.resources`. */
  inventory(): InventoryItem[];
  /** Same as GET /_simulator/requests: token, OpenID metadata and ARM requests counted so far. */
  requestCounts(): RequestCounts;
  /** The ARM requests and responses served so far, when recording (options.recordTraffic); else none. */
  traffic(): ArmExchange[];
  stop(): Promise<void>;
}

const VNET_NAME = 'oslayer-vnet';
const PORTAL_USER_OBJECT_ID = '00000000-0000-0000-0000-0000000b0b01';
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
  const tokens = new TokenIssuer(app);
  const principals = new Principals([
    {
      objectId: tokens.principalId,
      clientId: app.clientId,
      name: 'oslayer',
      // Exactly what the README's role table asks an admin to assign, at the sandbox connector's scopes.
      roleAssignments: requiredRoleAssignments(
        connectorScopes({
          subscriptionId,
          resourceGroup,
          storageAccount,
          subnetId: `${vnetId}/subnets/${SUBNET_NAME}`,
          // The sandbox connector may publish to the subscription's gallery (seedGallery).
          gallery: { galleryId: resourceId(subscriptionId, resourceGroup, GALLERY_TYPE, SANDBOX_GALLERY) },
        }),
      ),
    },
    { objectId: PORTAL_USER_OBJECT_ID, name: PORTAL_USER, roleAssignments: [{ role: 'Contributor', scope: `/subscriptions/${subscriptionId}` }] },
  ]);
  const certificate = await generateLoopbackCertificate();
  const gateway = await startStorageGateway({
    azuriteOrigin: new URL(blobEndpoint).origin,
    certificate,
    sharedKeyAllowed: (account) => sharedKeyAllowed(store, account),
    tenantId: app.tenantId,
    allows: (account, principalId, { operation, kind }) => {
      const id = findStorageAccount(store, account)?.id;
      return id !== undefined && principals.allows(principalId, id, operation, kind);
    },
    verifyToken: (token) => tokens.verify(token),
    platformContainers: [DiskBlobs.container],
    port: opts.storagePort,
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
      runCommandMs: opts.runCommandMs ?? 20_000,
      replicationMsPerRegion: 3_000,
    },
    store,
    operations: new LongRunningOperations(subscriptionId, location, opts.operationDelayMs ?? 200, opts.retryAfterSeconds ?? 1),
    guests: new GuestRegistry(),
    agents: new VmAgents(),
    deployments: new Map(),
    blobs,
  };
  const persistence: SimulatorPersistence | undefined = opts.stateFile ? persistSimulator(context, opts.stateFile) : undefined;
  // After the saved state: the storage account's endpoint is this start's.
  seedSandbox(context, VNET_NAME, SUBNET_NAME);
  const gallery = seedGallery(context);

  const faults = new FaultList();
  const throttle = new SubscriptionThrottle();
  const recorder = (opts.recordTraffic ?? recordingWanted()) ? new TrafficRecorder() : undefined;
  const router = new Router();
  registerEntraRoutes(router, app, tokens);
  registerControlRoutes(router, context, faults, { principalId: tokens.principalId, principals, storageRequests: gateway.requests });
  registerAuthorizationRoutes(router, principals, (user) => tokens.issue('https://management.azure.com/.default', 3599, { user }));
  registerRequestCountRoutes(router, throttle);
  registerSettingsRoutes(router, context);
  context.agents.register(router);
  context.operations.register(router);
  registerResourceGroupRoutes(router, context);
  registerStorageAndNetworkRoutes(router, context);
  registerSecurityGroupRoutes(router, context);
  registerSkuRoutes(router, context);
  registerDiskRoutes(router, context);
  registerGalleryRoutes(router, context);
  registerVirtualMachineRoutes(router, context);
  registerMachineActionRoutes(router, context);
  new Deployments(context, providerCall(router, location, throttle, recorder), principals).register(router);

  const certDir = mkdtempSync(join(tmpdir(), 'oslayer-arm-sim-'));
  const caCertPath = join(certDir, 'ca.pem');
  writeFileSync(caCertPath, certificate.certPem);

  const server = createServer({ cert: certificate.certPem, key: certificate.keyPem }, (req, res) => {
    void serve(req, res, { router, tokens, faults, throttle, location, recorder, principals });
  });
  await listen(server, opts.port ?? 0);
  const { port } = server.address() as AddressInfo;

  const running: RunningArmSimulator = {
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
    galleryId: gallery.id,
    inventory: () => context.store.inventory(),
    requestCounts: () => throttle.report(),
    traffic: () => recorder?.all() ?? [],
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
  if (recorder) announceSimulator(running);
  return running;
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
interface Dispatcher {
  router: Router;
  tokens: TokenIssuer;
  faults: FaultList;
  throttle: SubscriptionThrottle;
  location: string;
  recorder?: TrafficRecorder;
  principals: Principals;
}

async function serve(req: IncomingMessage, res: ServerResponse, dispatcher: Dispatcher): Promise<void> {
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', `https://${req.headers.host ?? '127.0.0.1'}`);
  let answer: SimResponse;
  let rawBody = '';
  try {
    rawBody = await readBody(req);
    const request: SimRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      origin: url.origin,
      rawBody,
      params: {},
    };
    answer = await dispatch(request, dispatcher);
  } catch (error) {
    answer = armErrorResponse(
      error instanceof ArmError ? error : new ArmError(500, 'InternalServerError', `Simulator failure: ${String(error)}`),
    );
  }
  const requestId = randomUUID();
  const sent = { ...answer, headers: { 'x-ms-request-id': requestId, 'x-ms-correlation-request-id': requestId, ...answer.headers } };
  send(res, sent);
  if (dispatcher.recorder && isArmTraffic(url.pathname)) {
    dispatcher.recorder.record({ method, url: url.toString(), headers: flatHeaders(req.headers), body: parsedBody(rawBody) }, sent);
  }
}

/** ARM's own traffic: not the control API, not Entra ID's token and metadata endpoints. */
function isArmTraffic(path: string): boolean {
  return !path.startsWith('/_simulator/') && !TOKEN_PATH.test(path) && !OPENID_PATH.test(path);
}

const TOKEN_PATH = /^\/[^/]+\/oauth2\/v2\.0\/token$/;
const OPENID_PATH = /^\/[^/]+\/v2\.0\/\.well-known\/openid-configuration$/;
const SUBSCRIPTION_PATH = /^\/subscriptions\/([^/]+)/i;

async function dispatch(request: SimRequest, { router, tokens, faults, throttle, location, principals }: Dispatcher): Promise<SimResponse> {
  const isControl = request.path.startsWith('/_simulator/');
  if (TOKEN_PATH.test(request.path)) throttle.countToken();
  if (OPENID_PATH.test(request.path)) throttle.countOpenIdMetadata();
  const fault = isControl ? undefined : faults.take(request.method, request.path);
  if (fault?.delayMs) await sleep(fault.delayMs);
  const injected = fault && faultError(fault);
  if (injected) throw injected;
  const found = router.match(request.method, request.path);
  if (!found) throw new ArmError(404, 'NotFound', `The simulator does not serve ${request.method} ${request.path}.`);
  if (!found.route.anonymous) {
    const claims = await tokens.authenticate(request, armAudiences(request.origin));
    const apiVersion = request.query.get('api-version');
    if (!apiVersion) {
      throw new ArmError(400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.");
    }
    const subscription = SUBSCRIPTION_PATH.exec(request.path)?.[1];
    const remaining = subscription ? throttle.admit(subscription, request.method) : {};
    const checks = requestOperations(request.method, request.path, () => jsonBody(request));
    if (checks) authorizeRequest(principals, claims.oid, checks);
    const unchecked = validateRequest({ method: request.method, path: request.path, apiVersion, body: () => jsonBody(request) }, location);
    if (unchecked) throttle.countUncheckedApiVersion(unchecked);
    const answer = await found.route.handler({ ...request, params: found.params, caller: { objectId: claims.oid } });
    return { ...answer, headers: { ...remaining, ...answer.headers } };
  }
  return found.route.handler({ ...request, params: found.params });
}

/**
 * The audiences ARM accepts: public Azure's two resource names (what the portal and most tools
 * ask for) and, as on a custom cloud whose ARM names itself, this simulator's own URL.
 */
function armAudiences(origin: string): string[] {
  return ['https://management.core.windows.net/', 'https://management.core.windows.net', 'https://management.azure.com/', 'https://management.azure.com', `${origin}/`, origin];
}

/**
 * How ARM hands a deployment's resource to its provider: validated like any request, without the
 * caller's token; recorded like one, as the provider's own traffic is what its spec describes.
 */
function providerCall(router: Router, location: string, throttle: SubscriptionThrottle, recorder?: TrafficRecorder): ProviderCall {
  return async ({ method, path, apiVersion, body, origin }) => {
    const found = router.match(method, path);
    if (!found) throw new ArmError(400, 'NoRegisteredProviderFound', `The simulator serves no ${method} ${path}.`);
    const request: SimRequest = {
      method,
      path,
      query: new URLSearchParams({ 'api-version': apiVersion }),
      headers: {},
      origin,
      rawBody: JSON.stringify(body),
      params: found.params,
    };
    const unchecked = validateRequest({ method, path, apiVersion, body: () => body }, location);
    if (unchecked) throttle.countUncheckedApiVersion(unchecked);
    const answer = await Promise.resolve()
      .then(() => found.route.handler(request))
      .catch((error: unknown) => {
        if (error instanceof ArmError) return armErrorResponse(error);
        throw error;
      });
    recorder?.record({ method, url: `${origin}${path}?api-version=${encodeURIComponent(apiVersion)}`, headers: { 'content-type': 'application/json' }, body }, answer);
    return answer;
  };
}
