import { createHash, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT, createLocalJWKSet, errors as joseErrors, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { ArmError, type Router, type SimRequest, type SimResponse } from './http.js';

export interface AppRegistration {
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

/**
 * A second tenant where the app (registered as multi-tenant) also has a service principal: a
 * token asked for there is valid, signed by the same keys (Entra ID signs every tenant's tokens
 * with its common keys), but carries that tenant, which ARM refuses for this subscription.
 */
export const OTHER_TENANT_ID = '00000000-0000-0000-0000-00000000f0e1';

/** The claims the simulator's services read from an access token. */
export interface TokenClaims extends JWTPayload {
  aud: string;
  /** The principal's object id: who role assignments and user delegation keys are for. */
  oid: string;
  tid: string;
  /** A service principal's application id (absent from a user's token). */
  appid?: string;
  /** "app" for an app-only token (client credentials), "user" for a signed-in person. */
  idtyp: string;
  /** How the client authenticated: "1" for a client secret (app tokens only here). */
  appidacr?: string;
}

/**
 * Access tokens as Microsoft Entra ID issues them for client credentials: a JWT whose `aud` is
 * the resource the scope names (`https://storage.azure.com/.default` → `https://storage.azure.com`),
 * with the v1 issuer `https://sts.windows.net/{tenant}/`, `iat`/`nbf`/`exp`, the principal's
 * `oid`/`tid`/`appid`, `idtyp` "app" and `appidacr` "1" (client secret) (learn.microsoft.com,
 * identity-platform "Access token claims reference"). Signed RS256 with a key of this simulator
 * run whose `kid` is in the header and whose public half is served at the tenant's `jwks_uri`
 * ("Signing key rollover in the Microsoft identity platform"), so ARM and the storage gateway
 * accept only tokens it issued, checked as any resource checks Entra ID's tokens. Azurite's
 * `--oauth basic` reads the lifetime, issuer prefix and audience, and binds the user delegation
 * key it derives to `oid` and `tid`.
 */
export class TokenIssuer {
  private readonly privateKey: KeyObject;
  /** The signing keys' public halves, as the tenant's jwks_uri serves them. */
  readonly jwks: JSONWebKeySet;
  private readonly keySet: ReturnType<typeof createLocalJWKSet>;
  /** The app's service principal, as its object id would appear in role assignments. */
  readonly principalId: string;

  constructor(readonly app: AppRegistration) {
    this.principalId = principalIdOf(app.clientId);
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = privateKey;
    const { n, e } = publicKey.export({ format: 'jwk' });
    // Entra ID's kid is a thumbprint of the key; this one is the public key's SHA-256, base64url.
    const kid = createHash('sha256').update(`${n}.${e}`).digest('base64url');
    this.jwks = { keys: [{ kty: 'RSA', use: 'sig', kid, n, e }] };
    this.keySet = createLocalJWKSet(this.jwks);
  }

  /** The tenants the app can sign in at: its own, and the other tenant where it has a service principal. */
  knowsTenant(tenantId: string): boolean {
    return tenantId === this.app.tenantId || tenantId === OTHER_TENANT_ID;
  }

  /**
   * A token for the app's service principal (in `tenantId`, its home tenant by default), or, with
   * `user`, for a person signed in to the portal in the home tenant.
   */
  issue(scope: string, lifetimeSeconds: number, who: { tenantId?: string; user?: { objectId: string; name: string } } = {}): Promise<string> {
    const audience = scope.replace(/\/\.default$/, '');
    const now = Math.floor(Date.now() / 1000);
    const tenantId = who.tenantId ?? this.app.tenantId;
    // A service principal is per tenant: in the other tenant the app has another object id.
    const appOid = tenantId === this.app.tenantId ? this.principalId : principalIdOf(`${tenantId}:${this.app.clientId}`);
    const subject = who.user
      ? { oid: who.user.objectId, name: who.user.name, idtyp: 'user' }
      : { oid: appOid, appid: this.app.clientId, idtyp: 'app', appidacr: '1' };
    return new SignJWT({ ...subject, tid: tenantId, ver: '1.0' })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.jwks.keys[0]!.kid! })
      .setAudience(audience)
      .setIssuer(`https://sts.windows.net/${tenantId}/`)
      .setSubject(subject.oid)
      .setIssuedAt(now)
      .setNotBefore(now - 300)
      .setExpirationTime(now + lifetimeSeconds)
      .setJti(randomUUID())
      .sign(this.privateKey);
  }

  /** The token's claims if it is signed by a key at the jwks_uri and within its lifetime; else why not. */
  async verify(token: string): Promise<{ claims: TokenClaims } | { problem: 'expired' | 'invalid' }> {
    try {
      const { payload } = await jwtVerify<TokenClaims>(token, this.keySet, { algorithms: ['RS256'] });
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
    const home = this.app.tenantId;
    if (verified.claims.tid !== home) {
      // ARM's wording, as quoted in Azure/pcs-cli#357 and bradygaster-zz/azure-tools-vscode#44.
      throw new ArmError(
        401,
        'InvalidAuthenticationTokenTenant',
        `The access token is from the wrong issuer 'https://sts.windows.net/${verified.claims.tid}/'. It must match the tenant 'https://sts.windows.net/${home}/' associated with this subscription. Please use the authority (URL) 'https://login.windows.net/${home}' to get the token. Note, if the subscription is transferred to another tenant there is no impact to the services, but information about new tenant could take time to propagate (up to an hour). If you just transferred your subscription and see this error message, please try back later.`,
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
  router.add('GET', '/:tenant/v2.0/.well-known/openid-configuration', (req) => openIdConfiguration(req, tokens), {
    anonymous: true,
  });
  router.add(
    'GET',
    '/:tenant/discovery/v2.0/keys',
    (req) => (tokens.knowsTenant(req.params.tenant ?? '') ? { status: 200, body: tokens.jwks } : tenantNotFound(req.params.tenant ?? '')),
    { anonymous: true },
  );
  router.add('POST', '/:tenant/oauth2/v2.0/token', (req) => token(req, app, tokens), { anonymous: true });
}

function openIdConfiguration(req: SimRequest, tokens: TokenIssuer): SimResponse {
  const tenant = req.params.tenant ?? '';
  if (!tokens.knowsTenant(tenant)) return tenantNotFound(tenant);
  const base = `${req.origin}/${tenant}`;
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
  const tenant = req.params.tenant ?? '';
  if (!tokens.knowsTenant(tenant)) return tenantNotFound(tenant);
  const form = new URLSearchParams(req.rawBody);
  if (form.get('grant_type') !== 'client_credentials') {
    return oauthError(400, 'unsupported_grant_type', 'AADSTS70003: The app requested an unsupported grant type.');
  }
  if (form.get('client_id') !== app.clientId) {
    return oauthError(
      400,
      'unauthorized_client',
      `AADSTS700016: Application with identifier '${form.get('client_id') ?? ''}' was not found in the directory '${tenant}'.`,
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
    body: { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: await tokens.issue(scope, lifetime, { tenantId: tenant }) },
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
