/** What the bot counts about its Azure traffic (src/metrics.ts turns it into Prometheus metrics). */
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import type { TokenCredential } from '@azure/identity';
import type { RequestPolicyFactory } from '@azure/storage-blob';

export interface AzureObserver {
  /** One HTTP attempt: its operation, its status (or `error` when no answer came), whether it was a retry. */
  request(operation: string, status: string, retry: boolean): void;
  /** One token asked of Microsoft Entra ID by a connector's credential. */
  token(outcome: 'ok' | 'failed'): void;
}

/**
 * Runs once per attempt (position perRetry), so a 429 and the retry that follows it are both
 * counted; the retry policy sends the same request object again, which is how a retry is told.
 */
export function observingPolicy(observer: AzureObserver): PipelinePolicy {
  const sent = new WeakSet<object>();
  return {
    name: 'oslayerObserveRequests',
    async sendRequest(request, next) {
      const retry = sent.has(request);
      sent.add(request);
      return recorded(observer, operationOf(request.method, request.url), retry, () => next(request));
    },
  };
}

/**
 * The storage data plane's counterpart, as a request policy factory. Storage places such a factory
 * before its own retry policy, so it sees each call once with its final status: a call the storage
 * retry policy repeated shows as one request, and its retries are not counted.
 */
export function observingFactory(observer: AzureObserver): RequestPolicyFactory {
  return {
    create: (next) => ({
      sendRequest: (request) => recorded(observer, operationOf(request.method, request.url), false, () => next.sendRequest(request)),
    }),
  };
}

/** Sends, and records the answer's status (or the error's, or `error` when nothing answered). */
async function recorded<R extends { status: number }>(observer: AzureObserver, operation: string, retry: boolean, send: () => Promise<R>): Promise<R> {
  try {
    const response = await send();
    observer.request(operation, String(response.status), retry);
    return response;
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    observer.request(operation, status === undefined ? 'error' : String(status), retry);
    throw error;
  }
}

/**
 * A label with few values: the method and the resource type path without names, e.g.
 * `PUT Microsoft.Compute/virtualMachines` or `POST Microsoft.Compute/virtualMachines/runCommand`;
 * on the blob endpoint `PUT blob comp=page`.
 */
export function operationOf(method: string, url: string): string {
  const { pathname, searchParams } = new URL(url);
  const segments = pathname.split('/').filter(Boolean);
  const provider = segments.lastIndexOf('providers');
  if (provider >= 0 && segments[provider + 1]) {
    // After the namespace: type, name, type, name, … and an action (an odd trailing segment).
    const rest = segments.slice(provider + 2);
    const types = rest.filter((_, i) => i % 2 === 0);
    return `${method} ${segments[provider + 1]}/${types.join('/')}`;
  }
  if (segments[0] === 'subscriptions') {
    const kinds = segments.filter((_, i) => i % 2 === 0);
    return `${method} ${kinds.join('/')}`;
  }
  const comp = searchParams.get('comp');
  const what = segments.length >= 2 ? 'blob' : segments.length === 1 ? 'container' : 'account';
  return `${method} ${what}${comp ? ` comp=${comp}` : ''}`;
}

/** The credential, counting what it is asked for. */
export function observedCredential(credential: TokenCredential, observer: AzureObserver | undefined): TokenCredential {
  if (!observer) return credential;
  return {
    async getToken(scopes, options) {
      try {
        const token = await credential.getToken(scopes, options);
        observer.token(token ? 'ok' : 'failed');
        return token;
      } catch (error) {
        observer.token('failed');
        throw error;
      }
    },
  };
}
