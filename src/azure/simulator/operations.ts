import { randomUUID } from 'node:crypto';
import { ArmError, armErrorResponse, type Router, type SimRequest, type SimResponse } from './http.js';

interface Operation {
  id: string;
  status: 'InProgress' | 'Succeeded' | 'Failed';
  startTime: string;
  endTime?: string;
  /** What GET on the operation's Location answers once it succeeded (e.g. a run command's result). */
  result?: unknown;
  error?: ArmError;
}

/**
 * Long-running operations the ARM way: the first answer is 201/202 with absolute
 * `Azure-AsyncOperation` (status document) and `Location` (final result) URLs; the work is
 * applied when the operation completes, after a simulated duration.
 */
export class LongRunningOperations {
  private readonly operations = new Map<string, Operation>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly subscriptionId: string,
    private readonly location: string,
    readonly defaultDurationMs: number,
  ) {}

  /**
   * Starts an operation whose `complete` runs after `durationMs`; what it returns becomes the
   * Location result, an ArmError it throws fails the operation. Answers the request with
   * `status` (202 unless a PUT answers 200/201 with the resource) and the polling headers.
   */
  begin(
    req: SimRequest,
    complete: () => unknown | Promise<unknown>,
    answer: { status?: number; body?: unknown; durationMs?: number } = {},
  ): SimResponse {
    const operation: Operation = { id: randomUUID(), status: 'InProgress', startTime: new Date().toISOString() };
    this.operations.set(operation.id, operation);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.finish(operation, complete);
    }, answer.durationMs ?? this.defaultDurationMs);
    this.timers.add(timer);
    return { status: answer.status ?? 202, body: answer.body, headers: this.pollingHeaders(req, operation.id) };
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  register(router: Router): void {
    router.add('GET', '/subscriptions/:sub/providers/Microsoft.Compute/locations/:location/operations/:id', (req) =>
      req.query.get('monitor') === 'true' ? this.locationAnswer(req) : this.statusAnswer(req),
    );
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
    if (error) body.error = { code: error.code, message: error.message };
    return { status: 200, body };
  }

  private locationAnswer(req: SimRequest): SimResponse {
    const operation = this.find(req);
    if (operation.status === 'InProgress') return { status: 202, headers: this.pollingHeaders(req, operation.id) };
    if (operation.error) return armErrorResponse(operation.error);
    return operation.result === undefined ? { status: 200 } : { status: 200, body: operation.result };
  }

  private pollingHeaders(req: SimRequest, id: string): Record<string, string> {
    const apiVersion = encodeURIComponent(req.query.get('api-version') ?? '');
    const url = `${req.origin}/subscriptions/${this.subscriptionId}/providers/Microsoft.Compute/locations/${this.location}/operations/${id}`;
    return {
      'azure-asyncoperation': `${url}?api-version=${apiVersion}`,
      location: `${url}?monitor=true&api-version=${apiVersion}`,
    };
  }
}
