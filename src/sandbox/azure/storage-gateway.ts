/**
 * The simulated storage account's blob endpoint: a small HTTPS gateway in front of Azurite that
 * enforces what Azurite cannot. Azurite (started with `--oauth basic`) checks a bearer token's
 * lifetime, issuer and audience and signs user delegation keys; it does not check who signed the
 * token, what roles its principal holds, or the account's `allowSharedKeyAccess`. The gateway does:
 *
 * - `allowSharedKeyAccess: false`: every request signed with an account key (Authorization:
 *   SharedKey or SharedKeyLite) and every SAS signed with one (a service or account SAS: `sig`
 *   without the `skoid` of a user delegation SAS) → 403 KeyBasedAuthenticationNotPermitted.
 *   Source: "Prevent Shared Key authorization for an Azure Storage account"
 *   (learn.microsoft.com/azure/storage/common/shared-key-authorization-prevent).
 * - Bearer tokens must be ones the simulator's Entra ID issued (else 401 InvalidAuthenticationInfo,
 *   with the WWW-Authenticate challenge Azure Storage sends), and their principal must hold a role
 *   that grants the operation (else 403 AuthorizationPermissionMismatch). A user delegation SAS is
 *   checked against the roles of the principal that got the key (`skoid`): Azure grants the
 *   intersection of the SAS's permissions and that principal's. Source: "Authorize access to blobs
 *   using Microsoft Entra ID" and "Create a user delegation SAS" (learn.microsoft.com), the
 *   built-in role definitions (learn.microsoft.com/azure/role-based-access-control/built-in-roles).
 * - Get User Delegation Key with an Expiry more than 7 days after the request → 400
 *   InvalidXmlNodeValue naming the value. Source: "Get User Delegation Key" (request body: at most
 *   seven days); the answer as quoted in Azure/azure-sdk-for-net#17690 and #45789.
 *
 * - Put Page From URL, which Azurite does not implement: see putPageFromUrl.
 * - CORS: preflight `OPTIONS` and `Origin` pass to Azurite, which answers from the account's blob
 *   service CORS rules as Azure Storage does (test/fixtures/arm/SOURCES.md, "The portal's template
 *   download").
 *
 * Everything else is passed to Azurite as it came, with `x-forwarded-proto: https` so that Azurite
 * (see tools/azurite-copy-fix.cjs) knows the client spoke TLS.
 */
import { randomUUID } from 'node:crypto';
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { LoopbackCertificate } from './certificate.js';
import { STORAGE_OPERATIONS, type StorageDataAction } from './storage-roles.js';

export interface StorageGateway {
  /** https://127.0.0.1:PORT — the account's blob endpoint is this plus /<account>. */
  origin: string;
  /** How the requests that reached each account were authorised, counted since start. */
  requests: StorageRequestLog;
  stop(): Promise<void>;
}

export type StorageAuthKind = 'sharedKey' | 'keySas' | 'bearer' | 'userDelegationSas' | 'anonymous';

export class StorageRequestLog {
  private readonly counts = new Map<string, Record<StorageAuthKind, number>>();

  count(account: string, kind: StorageAuthKind): void {
    const counts = this.of(account);
    counts[kind] += 1;
  }

  of(account: string): Record<StorageAuthKind, number> {
    let counts = this.counts.get(account);
    if (!counts) this.counts.set(account, (counts = { sharedKey: 0, keySas: 0, bearer: 0, userDelegationSas: 0, anonymous: 0 }));
    return counts;
  }
}

export interface StorageGatewayOptions {
  /** Azurite's origin, e.g. http://127.0.0.1:10000 */
  azuriteOrigin: string;
  /** The simulator's loopback certificate, served here too so clients trust one CA. */
  certificate: LoopbackCertificate;
  /** The tenant the account belongs to, named in the bearer challenge of a 401. */
  tenantId: string;
  /** Whether the named account currently accepts Shared Key (its ARM `allowSharedKeyAccess`, unset meaning true). */
  sharedKeyAllowed(account: string): boolean;
  /** Whether `principalId`'s role assignments grant the operation on the account (or a scope above it). */
  allows(account: string, principalId: string, operation: { operation: string; kind: 'action' | 'dataAction' }): boolean;
  /** The token's principal if the simulator's Entra ID issued it and it has not expired. */
  verifyToken(token: string): Promise<{ claims: { oid: string; tid: string } } | { problem: 'expired' | 'invalid' }>;
  /**
   * Containers that stand for Azure's own storage rather than the customer's account: a managed
   * disk's export SAS (Grant Access) points at a Microsoft-managed account, which the customer
   * account's settings and role assignments do not govern.
   */
  platformContainers: readonly string[];
  /** 0/undefined = a free port; binds 127.0.0.1 only. */
  port?: number;
}

/** The longest a user delegation key may live, counted from the request. */
const MAX_DELEGATION_KEY_MS = 7 * 24 * 3600_000;

export async function startStorageGateway(opts: StorageGatewayOptions): Promise<StorageGateway> {
  const target = new URL(opts.azuriteOrigin);
  const requests = new StorageRequestLog();
  const server = createServer({ cert: opts.certificate.certPem, key: opts.certificate.keyPem }, (req, res) => {
    void serve(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`storage gateway: ${String(error)}`);
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://gateway');
    const [, account = '', container = ''] = url.pathname.split('/').map(decodeURIComponent);
    const auth = authKindOf(req, url);
    const governed = !opts.platformContainers.includes(container);
    if (governed) requests.count(account, auth);
    const refusal = governed ? await refusalFor(req, url, account, auth) : undefined;
    if (refusal) {
      req.resume();
      return storageError(res, refusal, opts.tenantId);
    }
    if (isPutPageFromUrl(req, url)) {
      req.resume();
      return putPageFromUrl(req, url, res);
    }
    const body = isDelegationKeyRequest(req, url) ? await readAll(req) : undefined;
    if (body) {
      const expiry = /<Expiry>([^<]+)<\/Expiry>/.exec(body.toString('utf8'))?.[1];
      if (expiry && Date.parse(expiry) > Date.now() + MAX_DELEGATION_KEY_MS) {
        return storageError(res, {
          status: 400,
          code: 'InvalidXmlNodeValue',
          message: 'The value for one of the XML nodes is not in the correct format.',
          extra: `<XmlNodeName>${expiry}</XmlNodeName><XmlNodeValue>${expiry}</XmlNodeValue>`,
        });
      }
    }
    const headers = { ...req.headers, 'x-forwarded-proto': 'https' };
    const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`storage gateway: ${error.message}`);
    });
    if (body) upstream.end(body);
    else req.pipe(upstream);
  }

  async function refusalFor(req: IncomingMessage, url: URL, account: string, auth: StorageAuthKind): Promise<StorageRefusal | undefined> {
    if ((auth === 'sharedKey' || auth === 'keySas') && !opts.sharedKeyAllowed(account)) {
      return { status: 403, code: 'KeyBasedAuthenticationNotPermitted', message: 'Key based authentication is not permitted on this storage account.' };
    }
    let principalId: string | undefined;
    if (auth === 'bearer') {
      const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
      const verified = await opts.verifyToken(token);
      if ('problem' in verified) {
        return {
          status: 401,
          code: 'InvalidAuthenticationInfo',
          message: 'Server failed to authenticate the request. Please refer to the information in the www-authenticate header.',
          extra: `<AuthenticationErrorDetail>${verified.problem === 'expired' ? 'Lifetime validation failed. The token is expired.' : 'Signature validation failed.'}</AuthenticationErrorDetail>`,
          wwwAuthenticate: true,
        };
      }
      principalId = verified.claims.oid;
    }
    if (auth === 'userDelegationSas') principalId = url.searchParams.get('skoid') ?? '';
    if (principalId === undefined) return undefined;
    const principal = principalId;
    const needed = actionsFor(req, url);
    if (needed.every((action) => opts.allows(account, principal, STORAGE_OPERATIONS[action]))) return undefined;
    return { status: 403, code: 'AuthorizationPermissionMismatch', message: 'This request is not authorized to perform this operation using this permission.' };
  }

  /**
   * Put Page From URL, which Azurite does not implement: the service reads the source range
   * itself (authorised by the source URL's SAS, as the gateway authorises any request) and writes
   * it as Put Page would, so the caller sends no page bytes. Refusals follow "Put Page From URL"
   * (learn.microsoft.com/rest/api/storageservices/put-page-from-url): ranges 512-byte aligned,
   * at most 4 MiB, source and destination of one length; a source the service may not read →
   * CannotVerifyCopySource with the source's status.
   */
  async function putPageFromUrl(req: IncomingMessage, url: URL, res: ServerResponse): Promise<void> {
    const range = byteRange(req.headers['x-ms-range']);
    const sourceRange = byteRange(req.headers['x-ms-source-range']);
    const length = range ? range.end - range.start + 1 : 0;
    const aligned = range && sourceRange && range.start % PAGE_BYTES === 0 && length % PAGE_BYTES === 0;
    if (!aligned || sourceRange.end - sourceRange.start + 1 !== length || length > MAX_PAGE_FROM_URL_BYTES || req.headers['x-ms-page-write'] !== 'update') {
      return storageError(res, { status: 400, code: 'InvalidHeaderValue', message: 'The value for one of the HTTP headers is not in the correct format.' });
    }
    const source = new URL(String(req.headers['x-ms-copy-source']));
    const [, sourceAccount = '', sourceContainer = ''] = source.pathname.split('/').map(decodeURIComponent);
    const sourceAuth = authKindOf({ headers: {} }, source);
    const sourceGoverned = !opts.platformContainers.includes(sourceContainer);
    if (sourceGoverned) requests.count(sourceAccount, sourceAuth);
    const sourceRead = { method: 'GET', headers: {} } as IncomingMessage;
    const sourceRefusal = sourceGoverned ? await refusalFor(sourceRead, source, sourceAccount, sourceAuth) : undefined;
    if (sourceRefusal) return storageError(res, { ...sourceRefusal, code: 'CannotVerifyCopySource' });
    const version = String(req.headers['x-ms-version'] ?? '');
    const read = await fetch(`${target.origin}${source.pathname}${source.search}`, {
      headers: { range: `bytes=${sourceRange.start}-${sourceRange.end}`, 'x-ms-version': version, 'x-forwarded-proto': 'https' },
    });
    const bytes = Buffer.from(await read.arrayBuffer());
    if (read.status !== 206 && read.status !== 200) {
      const message = /<Message>([^\n<]*)/.exec(bytes.toString('utf8'))?.[1] ?? `The source answered ${read.status}.`;
      return storageError(res, { status: read.status, code: 'CannotVerifyCopySource', message });
    }
    const { 'x-ms-copy-source': _source, 'x-ms-source-range': _sourceRange, 'x-ms-copy-source-authorization': _sourceAuth, ...headers } = req.headers;
    const upstream = request(
      { host: target.hostname, port: target.port, method: 'PUT', path: req.url, headers: { ...headers, 'content-length': String(bytes.length), 'x-forwarded-proto': 'https' } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`storage gateway: ${error.message}`);
    });
    upstream.end(bytes);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `https://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** How a request is authorised: Shared Key, a SAS signed with the key or with a user delegation key, a bearer token, or not at all. */
function authKindOf(req: Pick<IncomingMessage, 'headers'>, url: URL): StorageAuthKind {
  const authorization = req.headers.authorization ?? '';
  if (/^SharedKey(Lite)? /i.test(authorization)) return 'sharedKey';
  if (/^Bearer /i.test(authorization)) return 'bearer';
  if (url.searchParams.has('sig')) return url.searchParams.has('skoid') ? 'userDelegationSas' : 'keySas';
  return 'anonymous';
}

/** The data actions (in the built-in roles' terms) a blob service request needs. */
function actionsFor(req: IncomingMessage, url: URL): StorageDataAction[] {
  const method = req.method ?? 'GET';
  const comp = url.searchParams.get('comp');
  const service = url.searchParams.get('restype') === 'service';
  if (service && comp === 'userdelegationkey') return ['generateUserDelegationKey'];
  if (service && comp === 'properties') return [method === 'GET' ? 'serviceRead' : 'serviceWrite'];
  if (comp === 'tags' || (comp === 'blobs' && url.searchParams.has('where'))) return [method === 'GET' ? 'tagsRead' : 'tagsWrite'];
  // Create, delete and read a container (not list its blobs, which is reading blobs).
  if (url.searchParams.get('restype') === 'container' && comp !== 'list') {
    return [method === 'PUT' ? 'containerWrite' : method === 'DELETE' ? 'containerDelete' : 'containerRead'];
  }
  const reading = method === 'GET' || method === 'HEAD';
  const actions: StorageDataAction[] = [reading ? 'read' : method === 'DELETE' ? 'delete' : 'write'];
  if (!reading && req.headers['x-ms-tags']) actions.push('tagsWrite');
  return actions;
}

const PAGE_BYTES = 512;
const MAX_PAGE_FROM_URL_BYTES = 4 * 1024 * 1024;

function isPutPageFromUrl(req: IncomingMessage, url: URL): boolean {
  return req.method === 'PUT' && url.searchParams.get('comp') === 'page' && typeof req.headers['x-ms-copy-source'] === 'string';
}

/** A `bytes=start-end` header, inclusive at both ends. */
function byteRange(header: string | string[] | undefined): { start: number; end: number } | undefined {
  const match = typeof header === 'string' ? /^bytes=(\d+)-(\d+)$/.exec(header) : null;
  if (!match) return undefined;
  const [start, end] = [Number(match[1]), Number(match[2])];
  return end >= start ? { start, end } : undefined;
}

function isDelegationKeyRequest(req: IncomingMessage, url: URL): boolean {
  return req.method === 'POST' && url.searchParams.get('restype') === 'service' && url.searchParams.get('comp') === 'userdelegationkey';
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

interface StorageRefusal {
  status: number;
  code: string;
  message: string;
  /** Further XML elements of the error, after Message. */
  extra?: string;
  wwwAuthenticate?: boolean;
}

/** Azure Storage's answer, in its XML error shape with the x-ms-error-code header. */
function storageError(res: ServerResponse, refusal: StorageRefusal, tenantId?: string): void {
  const requestId = randomUUID();
  const body =
    `<?xml version="1.0" encoding="utf-8"?><Error><Code>${refusal.code}</Code>` +
    `<Message>${refusal.message}\nRequestId:${requestId}\nTime:${new Date().toISOString()}</Message>${refusal.extra ?? ''}</Error>`;
  res.writeHead(refusal.status, {
    'content-type': 'application/xml',
    'content-length': String(Buffer.byteLength(body)),
    'x-ms-request-id': requestId,
    'x-ms-error-code': refusal.code,
    ...(refusal.wwwAuthenticate && tenantId
      ? { 'www-authenticate': `Bearer authorization_uri=https://login.microsoftonline.com/${tenantId}/oauth2/authorize resource_id=https://storage.azure.com` }
      : {}),
  });
  res.end(body);
}
