/**
 * The simulated storage account's blob endpoint: a small HTTP gateway in front of Azurite that
 * enforces what Azurite cannot, the account's `allowSharedKeyAccess`. While it is false, Azure
 * Storage refuses every request signed with an account key (Authorization: SharedKey or
 * SharedKeyLite) and every SAS signed with one (a service or account SAS: `sig` without the
 * `skoid` of a user delegation SAS) with 403 KeyBasedAuthenticationNotPermitted, and the gateway
 * does the same. Everything else is passed to Azurite as it came.
 * Source: "Prevent Shared Key authorization for an Azure Storage account"
 * (learn.microsoft.com/azure/storage/common/shared-key-authorization-prevent).
 */
import { randomUUID } from 'node:crypto';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StorageGateway {
  /** http://127.0.0.1:PORT — the account's blob endpoint is this plus /<account>. */
  origin: string;
  stop(): Promise<void>;
}

export interface StorageGatewayOptions {
  /** Azurite's origin, e.g. http://127.0.0.1:10000 */
  azuriteOrigin: string;
  /** Whether the named account currently accepts Shared Key (its ARM `allowSharedKeyAccess`, unset meaning true). */
  sharedKeyAllowed(account: string): boolean;
  /**
   * Containers that stand for Azure's own storage rather than the customer's account: a managed
   * disk's export SAS (Grant Access) points at a Microsoft-managed account, which the customer
   * account's setting does not govern.
   */
  platformContainers: readonly string[];
}

export async function startStorageGateway(opts: StorageGatewayOptions): Promise<StorageGateway> {
  const target = new URL(opts.azuriteOrigin);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    const [, account = '', container = ''] = url.pathname.split('/').map(decodeURIComponent);
    const governed = !opts.platformContainers.includes(container);
    if (governed && !opts.sharedKeyAllowed(account) && isKeySigned(req, url)) {
      refuseKeyBasedAuth(res);
      req.resume();
      return;
    }
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`storage gateway: ${error.message}`);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A request authorised by the account key: Shared Key, or a SAS signed with the key rather than a user delegation key. */
export function isKeySigned(req: Pick<IncomingMessage, 'headers'>, url: URL): boolean {
  if (/^SharedKey(Lite)? /i.test(req.headers.authorization ?? '')) return true;
  return url.searchParams.has('sig') && !url.searchParams.has('skoid');
}

/** Azure Storage's answer, in its XML error shape with the x-ms-error-code header. */
function refuseKeyBasedAuth(res: ServerResponse): void {
  const requestId = randomUUID();
  const body =
    '<?xml version="1.0" encoding="utf-8"?><Error><Code>KeyBasedAuthenticationNotPermitted</Code>' +
    `<Message>Key based authentication is not permitted on this storage account.\nRequestId:${requestId}\nTime:${new Date().toISOString()}</Message></Error>`;
  res.writeHead(403, {
    'content-type': 'application/xml',
    'content-length': String(Buffer.byteLength(body)),
    'x-ms-request-id': requestId,
    'x-ms-error-code': 'KeyBasedAuthenticationNotPermitted',
  });
  res.end(body);
}
