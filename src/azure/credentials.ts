/** Who the bot is on a connector's cloud, and the pipeline options every ARM client shares. */
import { rootCertificates } from 'node:tls';
import { ClientSecretCredential, DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import type { PipelinePolicy, PipelineRetryOptions, TlsSettings } from '@azure/core-rest-pipeline';
import type { ConnectorConfig } from '../domain/model.js';
import type { CloudProfile } from './clouds.js';
import { pinnedApiVersionPolicy } from './api-versions.js';
import { ThrottledError } from './errors.js';
import { observedCredential, observingPolicy, type AzureObserver } from './observer.js';

export interface ConnectorCredentialOptions {
  connector: Pick<ConnectorConfig, 'tenantId' | 'auth'>;
  profile: CloudProfile;
  /** The decrypted client secret; required when the connector authenticates with one. */
  clientSecret?: string;
  observer?: AzureObserver;
}

/** A token credential for the connector, asking the cloud's own authority and trusting its CA bundle. */
export function connectorCredential({ connector, profile, clientSecret, observer }: ConnectorCredentialOptions): TokenCredential {
  const options = {
    authorityHost: profile.authorityHost,
    // Instance discovery asks the public cloud about the authority, which a custom (or simulated) one is unknown to.
    disableInstanceDiscovery: profile.name === 'Custom',
    ...tlsOptions(profile),
  };
  if (connector.auth.kind === 'default-credential') {
    return observedCredential(new DefaultAzureCredential({ ...options, tenantId: connector.tenantId }), observer);
  }
  if (!clientSecret) throw new Error('the connector uses a client secret, but none was given');
  return observedCredential(new ClientSecretCredential(connector.tenantId, connector.auth.clientId, clientSecret, options), observer);
}

/**
 * Options for every ARM client (modular ones read `credentials.scopes`, classic ones
 * `credentialScopes`). The SDK's default retry policy already waits out `Retry-After` on 429/503;
 * a wait longer than `maxRetryAfterSeconds` is handed back to the caller as a ThrottledError so a
 * job can reschedule itself instead of holding a worker.
 */
export function clientOptions(
  profile: CloudProfile,
  { maxRetryAfterSeconds = 60, observer }: { maxRetryAfterSeconds?: number; observer?: AzureObserver } = {},
) {
  const retryOptions: PipelineRetryOptions = { maxRetries: 4, retryDelayInMs: 1000, maxRetryDelayInMs: 30_000 };
  return {
    endpoint: profile.armEndpoint,
    credentials: { scopes: [profile.armScope] },
    credentialScopes: [profile.armScope],
    retryOptions,
    additionalPolicies: [
      { policy: pinnedApiVersionPolicy(), position: 'perCall' as const },
      { policy: retryAfterCapPolicy(maxRetryAfterSeconds), position: 'perRetry' as const },
      ...(observer ? [{ policy: observingPolicy(observer), position: 'perRetry' as const }] : []),
    ],
    ...tlsOptions(profile),
  };
}

const trustByBundle = new Map<string, TlsSettings>();

/**
 * Makes the pipeline's TLS policy trust a custom cloud's CA bundle in addition to the public roots
 * (its authority may well be a public one). One settings object per bundle, because the SDK's
 * HTTP client keeps one connection agent per settings object.
 */
export function tlsOptions(profile: CloudProfile): { tlsOptions?: TlsSettings } {
  const bundle = profile.caBundle;
  if (!bundle) return {};
  let settings = trustByBundle.get(bundle);
  if (!settings) {
    settings = { ca: [...rootCertificates, bundle] };
    trustByBundle.set(bundle, settings);
  }
  return { tlsOptions: settings };
}

function retryAfterCapPolicy(maxSeconds: number): PipelinePolicy {
  return {
    name: 'oslayerRetryAfterCap',
    async sendRequest(request, next) {
      const response = await next(request);
      if (response.status !== 429 && response.status !== 503) return response;
      const seconds = Number(response.headers.get('retry-after'));
      if (Number.isFinite(seconds) && seconds > maxSeconds) {
        throw new ThrottledError(`Azure asked the bot to wait ${seconds} s before trying again`, seconds);
      }
      return response;
    },
  };
}
