import { randomBytes } from 'node:crypto';
import { ArmError, type Router, type SimRequest, type SimResponse } from './http.js';

export interface AppRegistration {
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

/** Access tokens the token endpoint has issued; ARM calls must carry one of them. */
export class IssuedTokens {
  private readonly tokens = new Set<string>();

  issue(): string {
    const token = randomBytes(32).toString('base64url');
    this.tokens.add(token);
    return token;
  }

  /** Throws ARM's 401 unless the request carries `Authorization: Bearer <issued token>`. */
  authenticate(req: SimRequest): void {
    const header = req.headers.authorization ?? '';
    const token = /^Bearer (.+)$/i.exec(header)?.[1];
    if (!token) {
      throw new ArmError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.");
    }
    if (!this.tokens.has(token)) {
      throw new ArmError(401, 'InvalidAuthenticationToken', 'The access token is invalid.');
    }
  }
}

/**
 * Enough of Microsoft Entra ID for @azure/identity's ClientSecretCredential (MSAL underneath)
 * to run for real against `authorityHost: <simulator>` with instance discovery disabled:
 * the tenant's OpenID metadata and the client-credentials token endpoint.
 */
export function registerEntraRoutes(router: Router, app: AppRegistration, tokens: IssuedTokens): void {
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

function token(req: SimRequest, app: AppRegistration, tokens: IssuedTokens): SimResponse {
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
  return {
    status: 200,
    body: { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: tokens.issue() },
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
