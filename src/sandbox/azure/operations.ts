import { randomUUID } from 'node:crypto';
import { ArmError, armErrorResponse, type Router, type SimRequest, type SimResponse } from './http.js';

interface Operation {
  id: string;
  /** Where its status document lives: its provider's locations/{loc}/operations, or a deployment's operationStatuses. */
  statusPath: string;
  /** Settles when the operation finishes, whichever way. */
  finished: Promise<void>;
  status: 'InProgress' | 'Succeeded' | 'Failed';
  startTime: string;
  endTime?: string;
  /** What GET on the operation's Location answers once it succeeded (e.g. a run command's result). */
  result?: unknown;
  error?: ArmError;
}

/**
 * Long-running operations the ARM way: the first answer is 201/202 with absolute
 * `Azure-AsyncOperation` (status document) and `Location` (final result) URLs and a
 * `Retry-After` saying when to poll; the work is applied when the operation completes, after a
 * simulated duration. Polls of an unfinished operation carry `Retry-After` too.
 */
export class LongRunningOperations {
  private readonly operations = new Map<string, Operation>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly subscriptionId: string,
    private readonly location: string,
    public defaultDurationMs: number,
    /** What `Retry-After` says (seconds); ARM's own answers use whole seconds. */
    public retryAfterSeconds = 1,
  ) {}

  /** The operation a 201/202 answer started (from its Azure-AsyncOperation header), once it has finished. */
  async settled(answer: SimResponse): Promise<{ status: Operation['status']; error?: ArmError; result?: unknown }> {
    const url = answer.headers?.['azure-asyncoperation'];
    const id = url ? new URL(url).pathname.split('/').pop() : undefined;
    const operation = id ? this.operations.get(id) : undefined;
    if (!operation) return { status: 'Succeeded' };
    await operation.finished;
    return { status: operation.status, error: operation.error, result: operation.result };
  }

  /**
   * Starts an operation whose `complete` runs after `durationMs`; what it returns becomes the
   * Location result, an ArmError it throws fails the operation. Answers the request with
   * `status` (202 unless a PUT answers 200/201 with the resource) and the polling headers.
   */
  begin(
    req: SimRequest,
    complete: () => unknown | Promise<unknown>,
    answer: { status?: number; body?: unknown; durationMs?: number; statusPath?: string } = {},
  ): SimResponse {
    let settle!: () => void;
    const finished = new Promise<void>((resolve) => (settle = resolve));
    const operation: Operation = {
      id: randomUUID(),
      statusPath: answer.statusPath ?? `/subscriptions/${this.subscriptionId}/providers/Microsoft.Compute/locations/${this.location}/operations`,
      finished,
      status: 'InProgress',
      startTime: new Date().toISOString(),
    };
    this.operations.set(operation.id, operation);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.finish(operation, complete).then(settle);
    }, answer.durationMs ?? this.defaultDurationMs);
    this.timers.add(timer);
    return { status: answer.status ?? 202, body: answer.body, headers: this.pollingHeaders(req, operation) };
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  register(router: Router): void {
    const answer = (req: SimRequest) => (req.query.get('monitor') === 'true' ? this.locationAnswer(req) : this.statusAnswer(req));
    router.add('GET', '/subscriptions/:sub/providers/Microsoft.Compute/locations/:location/operations/:id', answer);
    router.add('GET', '/subscriptions/:sub/providers/Microsoft.Network/locations/:location/operations/:id', answer);
    router.add('GET', '/subscriptions/:sub/providers/Microsoft.Resources/deployments/:name/operationStatuses/:id', answer);
    router.add('GET', '/subscriptions/:sub/resourcegroups/:rg/providers/Microsoft.Resources/deployments/:name/operationStatuses/:id', answer);
  }

  private async finish(operation: Operation, complete: () => unknown | Promise<unknown>): Promise<void> {
    try {
      operation.result = await complete();
      operation.status = 'Succeeded';
    } catch (error) {
      operation.error =
        error instanceof ArmError ? error : new ArmError(500, 'InternalServerError', `Simulator failure: ${String(error)}`);
      operation.status = 'Failed';
    }
    operation.endTime = new Date().toISOString();
  }

  private find(req: SimRequest): Operation {
    const operation = this.operations.get(req.params.id ?? '');
    if (!operation) throw new ArmError(404, 'NotFound', `Operation '${req.params.id}' was not found.`);
    return operation;
  }

  private statusAnswer(req: SimRequest): SimResponse {
    const { id, status, startTime, endTime, error } = this.find(req);
    const body: Record<string, unknown> = { name: id, status, startTime };
    if (endTime) body.endTime = endTime;
    if (error) body.error = error.toDetail();
    return { status: 200, body, headers: status === 'InProgress' ? { 'retry-after': String(this.retryAfterSeconds) } : {} };
  }

  private locationAnswer(req: SimRequest): SimResponse {
    const operation = this.find(req);
    if (operation.status === 'InProgress') return { status: 202, headers: this.pollingHeaders(req, operation) };
    if (operation.error) return armErrorResponse(operation.error);
    return operation.result === undefined ? { status: 200 } : { status: 200, body: operation.result };
  }

  private pollingHeaders(req: SimRequest, operation: Operation): Record<string, string> {
    const apiVersion = encodeURIComponent(req.query.get('api-version') ?? '');
    const url = `${req.origin}${operation.statusPath}/${operation.id}`;
    return {
      'azure-asyncoperation': `${url}?api-version=${apiVersion}`,
      location: `${url}?monitor=true&api-version=${apiVersion}`,
      'retry-after': String(this.retryAfterSeconds),
    };
  }
}
