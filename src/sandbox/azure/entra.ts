import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { ArmError, type Router, type SimRequest, type SimResponse } from './http.js';

export interface AppRegistration {
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

/** The claims the simulator's services read from an access token. */
export interface TokenClaims extends JWTPayload {
  aud: string;
  /** The principal's object id: who role assignments and user delegation keys are for. */
  oid: string;
  tid: string;
  /** A service principal's application id (absent from a user's token). */
  appid?: string;
}

/**
 * Access tokens as Microsoft Entra ID issues them for client credentials: a JWT whose `aud` is
 * the resource the scope names (`https://storage.azure.com/.default` → `https://storage.azure.com`),
 * with the v1 issuer `https://sts.windows.net/{tenant}/`, `iat`/`nbf`/`exp`, and the principal's
 * `oid`/`tid`/`appid` (learn.microsoft.com, identity-platform "Access token claims reference").
 * Azurite's `--oauth basic` reads exactly these (lifetime, issuer prefix, audience), and the user
 * delegation key it derives is bound to `oid` and `tid`. Signed with a key of this simulator run,
 * so ARM and the storage gateway accept only tokens it issued.
 */
export class TokenIssuer {
  private readonly key = randomBytes(32);
  /** The app's service principal, as its object id would appear in role assignments. */
  readonly principalId: string;

  constructor(readonly app: AppRegistration) {
    this.principalId = principalIdOf(app.clientId);
  }

  /** A token for the app's service principal, or (`user`) for a user signed in to the portal. */
  issue(scope: string, lifetimeSeconds: number, user?: { objectId: string; name: string }): Promise<string> {
    const audience = scope.replace(/\/\.default$/, '');
    const now = Math.floor(Date.now() / 1000);
    const subject = user ? { oid: user.objectId, name: user.name } : { oid: this.principalId, appid: this.app.clientId };
    return new SignJWT({ ...subject, tid: this.app.tenantId, ver: '1.0' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setAudience(audience)
      .setIssuer(`https://sts.windows.net/${this.app.tenantId}/`)
      .setSubject(subject.oid)
      .setIssuedAt(now)
      .setNotBefore(now - 300)
      .setExpirationTime(now + lifetimeSeconds)
      .setJti(randomUUID())
      .sign(this.key);
  }

  /** The token's claims if this simulator issued it and it is within its lifetime; else why not. */
  async verify(token: string): Promise<{ claims: TokenClaims } | { problem: 'expired' | 'invalid' }> {
    try {
      const { payload } = await jwtVerify<TokenClaims>(token, this.key, { algorithms: ['HS256'] });
      return { claims: payload };
    } catch (error) {
      return { problem: error instanceof joseErrors.JWTExpired ? 'expired' : 'invalid' };
    }
  }

  /**
   * Throws ARM's 401 unless the request carries a token of ours for Azure Resource Manager.
   * `audiences`: what this ARM accepts as `aud` (its own URL, and management.azure.com's names).
   */
  async authenticate(req: SimRequest, audiences: readonly string[]): Promise<TokenClaims> {
    const header = req.headers.authorization ?? '';
    const token = /^Bearer (.+)$/i.exec(header)?.[1];
    if (!token) {
      throw new ArmError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.");
    }
    const verified = await this.verify(token);
    if ('problem' in verified) {
      if (verified.problem === 'expired') throw new ArmError(401, 'ExpiredAuthenticationToken', 'The access token expiry UTC time is earlier than current UTC time.');
      throw new ArmError(401, 'InvalidAuthenticationToken', 'The access token is invalid.');
    }
    if (!audiences.includes(verified.claims.aud)) {
      // ARM's wording, e.g. for a storage token sent to management.azure.com.
      throw new ArmError(
        401,
        'InvalidAuthenticationTokenAudience',
        `The access token has been obtained for wrong audience or resource '${verified.claims.aud}'. It should exactly match with one of the allowed audiences ${audiences.map((a) => `'${a}'`).join(',')}.`,
      );
    }
    return verified.claims;
  }
}

/** A stable object id for the app's service principal, so role assignments survive a restart of the simulator. */
function principalIdOf(clientId: string): string {
  const hex = createHash('sha256').update(`service-principal:${clientId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Enough of Microsoft Entra ID for @azure/identity's ClientSecretCredential (MSAL underneath)
 * to run for real against `authorityHost: <simulator>` with instance discovery disabled:
 * the tenant's OpenID metadata and the client-credentials token endpoint.
 */
export function registerEntraRoutes(router: Router, app: AppRegistration, tokens: TokenIssuer): void {
  router.add('GET', '/:tenant/v2.0/.well-known/openid-configuration', (req) => openIdConfiguration(req, app), {
    anonymous: true,
  });
  router.add('POST', '/:tenant/oauth2/v2.0/token', (req) => token(req, app, tokens), { anonymous: true });
}

function openIdConfiguration(req: SimRequest, app: AppRegistration): SimResponse {
  if (req.params.tenant !== app.tenantId) return tenantNotFound(req.params.tenant ?? '');
  const base = `${req.origin}/${app.tenantId}`;
  return {
    status: 200,
    body: {
      issuer: `${base}/v2.0`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      token_endpoint: `${base}/oauth2/v2.0/token`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      tenant_region_scope: 'NA',
      cloud_instance_name: 'microsoftonline.com',
    },
  };
}

async function token(req: SimRequest, app: AppRegistration, tokens: TokenIssuer): Promise<SimResponse> {
  if (req.params.tenant !== app.tenantId) return tenantNotFound(req.params.tenant ?? '');
  const form = new URLSearchParams(req.rawBody);
  if (form.get('grant_type') !== 'client_credentials') {
    return oauthError(400, 'unsupported_grant_type', 'AADSTS70003: The app requested an unsupported grant type.');
  }
  if (form.get('client_id') !== app.clientId) {
    return oauthError(
      400,
      'unauthorized_client',
      `AADSTS700016: Application with identifier '${form.get('client_id') ?? ''}' was not found in the directory '${app.tenantId}'.`,
    );
  }
  if (form.get('client_secret') !== app.clientSecret) {
    return oauthError(
      401,
      'invalid_client',
      `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.`,
    );
  }
  const scope = form.get('scope') ?? '';
  if (!/^\S+\/\.default$/.test(scope)) {
    return oauthError(400, 'invalid_scope', `AADSTS1002012: The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
  }
  const lifetime = 3599;
  return {
    status: 200,
    body: { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: await tokens.issue(scope, lifetime) },
  };
}

function tenantNotFound(tenant: string): SimResponse {
  return oauthError(
    400,
    'invalid_tenant',
    `AADSTS90002: Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
  );
}

function oauthError(status: number, error: string, description: string): SimResponse {
  return { status, body: { error, error_description: description, error_codes: [Number(/AADSTS(\d+)/.exec(description)?.[1])] } };
}
