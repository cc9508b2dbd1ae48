import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';

/** One entry of an ARM error's `details` (they nest: a deployment failure wraps the RP's error). */
export interface ArmErrorDetail {
  code: string;
  message: string;
  target?: string;
  details?: ArmErrorDetail[];
}

/** An error answered in ARM's shape: `{"error":{"code","message","target"?,"details"?}}` with an HTTP status. */
export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly extra: { target?: string; details?: ArmErrorDetail[] } = {},
  ) {
    super(message);
  }

  /** The error as the `error` member of a response body (or a detail of another error). */
  toDetail(): ArmErrorDetail {
    return { code: this.code, message: this.message, ...this.extra };
  }
}

export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** https://host:port as the client addressed us; LRO headers are built from it. */
  origin: string;
  rawBody: string;
  params: Record<string, string>;
  /** Who sent the request, once ARM has read its token (object id of a service principal or user). */
  caller?: { objectId: string };
}

export interface SimResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (req: SimRequest) => SimResponse | Promise<SimResponse>;

interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
  anonymous: boolean;
}

/**
 * Method + path template routing. ARM treats provider namespaces, resource types and names
 * case-insensitively, so templates match regardless of case; `:name` captures one segment.
 */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string, template: string, handler: Handler, opts: { anonymous?: boolean } = {}): void {
    const source = template
      .split('/')
      .map((segment) => (segment.startsWith(':') ? `(?<${segment.slice(1)}>[^/]+)` : escapeRegExp(segment)))
      .join('/');
    this.routes.push({ method, pattern: new RegExp(`^${source}/?$`, 'i'), handler, anonymous: opts.anonymous ?? false });
  }

  match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const found = route.pattern.exec(path);
      if (!found) continue;
      const params = Object.fromEntries(
        Object.entries(found.groups ?? {}).map(([key, value]) => [key, decodeURIComponent(value)]),
      );
      return { route, params };
    }
    return undefined;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function send(res: ServerResponse, answer: SimResponse): void {
  const headers: Record<string, string> = { ...answer.headers };
  let payload = '';
  if (answer.body !== undefined) {
    payload = JSON.stringify(answer.body);
    headers['content-type'] = 'application/json; charset=utf-8';
  }
  res.writeHead(answer.status, { ...headers, 'content-length': String(Buffer.byteLength(payload)) });
  res.end(payload);
}

export function armErrorResponse(error: ArmError): SimResponse {
  return { status: error.status, headers: error.headers, body: { error: error.toDetail() } };
}

/** The request body as a JSON object; anything else is ARM's 400 InvalidRequestContent. */
export function jsonBody(req: SimRequest): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(req.rawBody || '{}');
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through to the ARM error below
  }
  throw new ArmError(400, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized.');
}

/** Validates a JSON body; its problems become ARM's 400 InvalidParameter naming each property. */
export function parseBody<T>(schema: z.ZodType<T>, req: SimRequest): T {
  const result = schema.safeParse(jsonBody(req));
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `'${issue.path.join('.') || 'body'}': ${issue.message}`);
  throw new ArmError(400, 'InvalidParameter', `Invalid request body. ${problems.join('; ')}.`);
}
