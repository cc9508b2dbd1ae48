/**
 * Azure failures as the bot reports them: the service's error code, the HTTP status, a sentence
 * an admin can act on, and whether retrying later may help. Adapters convert every SDK or
 * identity error with `toAzureError`, so jobs never inspect SDK error shapes.
 */
import { grantAdvice, requirementOf } from './required-permissions.js';

export interface AzureErrorInit {
  code: string;
  status?: number;
  /** Retrying later may succeed (throttling, 5xx, network, a busy VM). */
  transient?: boolean;
}

export class AzureError extends Error {
  override name = 'AzureError';
  readonly code: string;
  readonly status: number | undefined;
  readonly transient: boolean;

  constructor(message: string, init: AzureErrorInit) {
    super(message);
    this.code = init.code;
    this.status = init.status;
    this.transient = init.transient ?? false;
  }
}

/** A server-side blob copy that ended without success (here, not in blob-disks.ts, so catching it loads no SDK). */
export class BlobCopyError extends Error {
  override name = 'BlobCopyError';
}

/** Entra ID or ARM refused who we are (not what we asked for). */
export class AzureAuthError extends AzureError {
  override name = 'AzureAuthError';
  constructor(code: string, status?: number, hint = 'check tenant ID, client ID and secret') {
    super(`the connector's credentials were refused: ${code}; ${hint}`, { code, status });
  }
}

/** Run Command runs one script at a time per VM; Azure answers 409 while one is in progress. */
export class RunCommandBusyError extends AzureError {
  override name = 'RunCommandBusyError';
  constructor(readonly vmName: string) {
    super(`a check is already running on ${vmName}`, { code: 'Conflict', status: 409, transient: true });
  }
}

export class NotFoundError extends AzureError {
  override name = 'NotFoundError';
}

export class ThrottledError extends AzureError {
  override name = 'ThrottledError';
  constructor(message: string, readonly retryAfterSeconds: number | undefined, code = 'TooManyRequests') {
    super(message, { code, status: 429, transient: true });
  }
}

/**
 * ARM refused an operation for want of a role (`AuthorizationFailed`, or `LinkedAuthorizationFailed`
 * for a resource the request references). The message names the operation and the role that
 * grants it (./required-permissions.ts), never a bare 403. Retrying is right once the role is assigned.
 */
export class PermissionError extends AzureError {
  override name = 'PermissionError';
  constructor(
    message: string,
    readonly operation: string,
    code: string,
  ) {
    super(message, { code, status: 403 });
  }
}

/** The subscription's quota (cores, disks, public IPs) does not allow the request. */
export class QuotaError extends AzureError {
  override name = 'QuotaError';
}

const AUTH_ERROR_NAMES = new Set(['AuthenticationError', 'AuthenticationRequiredError', 'CredentialUnavailableError']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'REQUEST_SEND_ERROR']);
const CERTIFICATE_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/;
const FAILED_OPERATION = /^The long-running operation has failed\. ([A-Za-z][A-Za-z0-9]*)\. /;

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  statusCode?: unknown;
  errorResponse?: { error?: unknown; errorDescription?: unknown };
  response?: { headers?: { get(name: string): string | undefined } };
}

/**
 * Maps anything an Azure SDK call threw to an AzureError. `action` ("importing disk x") prefixes
 * the message. The original error is deliberately not kept as `cause`: token requests carry the
 * client secret in their body, and SAS URLs in messages are redacted for the same reason.
 */
export function toAzureError(err: unknown, action?: string): AzureError {
  if (err instanceof AzureError) return err;
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as ErrorLike;
  const name = typeof e.name === 'string' ? e.name : '';
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  const serviceMessage = redactSas(typeof e.message === 'string' ? e.message : '').trim();
  // A failed long-running operation carries the service's code only in its message (core-lro);
  // Azure Storage answers a HEAD with no body, its code only in the x-ms-error-code header.
  const code =
    typeof e.code === 'string' && e.code
      ? e.code
      : (FAILED_OPERATION.exec(serviceMessage)?.[1] ?? e.response?.headers?.get('x-ms-error-code') ?? undefined);
  const prefix = action ? `${action}: ` : '';

  if (AUTH_ERROR_NAMES.has(name)) return identityError(name, e, serviceMessage);
  if (name === 'AbortError') return new AzureError(`${prefix}cancelled`, { code: 'Aborted' });
  if (status === 401) return new AzureAuthError(code ?? 'Unauthorized', 401);

  if (status === undefined && code && NETWORK_CODES.has(code)) {
    return new AzureError(`${prefix}could not reach Azure (${code})`, { code, transient: true });
  }
  if (status === undefined && code && CERTIFICATE_CODES.test(code)) {
    return new AzureError(`${prefix}the Azure endpoint's TLS certificate is not trusted (${code}); a custom cloud needs its CA bundle`, { code });
  }

  const serviceCode = code ?? (status ? `Http${status}` : 'Unknown');
  const message = `${prefix}${serviceMessage || 'Azure returned an error'} (${serviceCode})`;
  const refused = status === 403 && PERMISSION_CODES.has(serviceCode) ? REFUSED_OPERATION.exec(serviceMessage) : null;
  if (refused) return permissionError(prefix, serviceCode, refused[1]!, refused[2]);
  if (status === 404) return new NotFoundError(message, { code: serviceCode, status });
  if (status === 429) return new ThrottledError(message, retryAfterSeconds(e), serviceCode);
  // ARM reports exhausted core quota as OperationNotAllowed with a sentence about quota.
  if (serviceCode === 'QuotaExceeded' || (serviceCode === 'OperationNotAllowed' && /quota/i.test(serviceMessage))) {
    return new QuotaError(message, { code: serviceCode, status });
  }
  return new AzureError(message, { code: serviceCode, status, transient: status !== undefined && (status >= 500 || status === 408) });
}

const PERMISSION_CODES = new Set(['AuthorizationFailed', 'LinkedAuthorizationFailed']);
/** The operation ARM refused: for a linked check, the one on the linked scope. */
const REFUSED_OPERATION = /(?:does not have (?:authorization|permission) to perform action(?:\(s\))? ')([^']+)'(?:[^']*'([^']+)')?/;

function permissionError(prefix: string, code: string, operation: string, scope: string | undefined): PermissionError {
  const entry = requirementOf(operation);
  const where = scope ? ` on ${scope}` : '';
  const advice = entry ? `${grantAdvice(entry)} (${entry.feature})` : 'no role in the README grants it; assign one that does';
  return new PermissionError(`${prefix}Azure refused the connector's identity the permission ${operation}${where}: ${advice}, then Retry (${code})`, operation, code);
}

function identityError(name: string, e: ErrorLike, message: string): AzureAuthError {
  if (name === 'CredentialUnavailableError') {
    return new AzureAuthError('CredentialUnavailable', undefined, 'no managed identity or other default credential is available to the bot');
  }
  // Entra ID's own code (AADSTS7000215 = wrong secret, AADSTS700016 = unknown app, AADSTS90002 = unknown tenant).
  const description = typeof e.errorResponse?.errorDescription === 'string' ? e.errorResponse.errorDescription : '';
  const aadsts = /AADSTS\d+/.exec(`${description} ${message}`)?.[0];
  const oauth = typeof e.errorResponse?.error === 'string' ? e.errorResponse.error : /^([a-z_]+):/.exec(message)?.[1];
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  return new AzureAuthError(aadsts ?? oauth ?? 'AuthenticationFailed', status);
}

function retryAfterSeconds(e: ErrorLike): number | undefined {
  const header = e.response?.headers?.get('retry-after');
  const seconds = header === undefined ? NaN : Number(header);
  return Number.isFinite(seconds) ? seconds : undefined;
}

/** SAS signatures are bearer secrets; service messages sometimes echo the URL that carried one. */
export function redactSas(text: string): string {
  return text.replace(/([?&]sig=)[^&\s'"]+/gi, '$1REDACTED');
}
