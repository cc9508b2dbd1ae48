/**
 * What the simulator served, request and response, so tests can check both against Microsoft's
 * REST specs (test/support/arm-traffic.ts runs oav's live validator on them). Each simulator
 * keeps its own recording in memory; nothing is shared between simulators or written to disk.
 */
export interface ArmExchange {
  request: { method: string; url: string; headers: Record<string, string>; body?: unknown };
  response: { statusCode: string; headers: Record<string, string>; body?: unknown };
}

/** Something that served ARM traffic and kept it. */
export interface TrafficSource {
  armEndpoint: string;
  traffic(): ArmExchange[];
  /** Requests at api-versions Azure has but the simulator holds no contract for, by `type@version`. */
  requestCounts(): { uncheckedApiVersions: Record<string, number> };
}

type Observer = (simulator: TrafficSource) => void;
const observers = new Set<Observer>();

/**
 * Tells `observer` of every simulator started from now on in this module registry (a jest
 * test file has its own), which then records its traffic. Returns the unsubscribe.
 */
export function observeSimulators(observer: Observer): () => void {
  observers.add(observer);
  return () => observers.delete(observer);
}

/** Whether a simulator started now records, unless its options say. */
export function recordingWanted(): boolean {
  return observers.size > 0;
}

export function announceSimulator(simulator: TrafficSource): void {
  for (const observer of observers) observer(simulator);
}

export class TrafficRecorder {
  private readonly exchanges: ArmExchange[] = [];

  /** One request and the answer as sent: the body as its JSON text reads back (no undefined members, dates as strings). */
  record(request: ArmExchange['request'], answer: { status: number; headers?: Record<string, string>; body?: unknown }): void {
    const json = answer.body !== undefined;
    this.exchanges.push({
      request,
      response: {
        statusCode: String(answer.status),
        headers: flatHeaders({ ...answer.headers, ...(json ? { 'content-type': 'application/json; charset=utf-8' } : {}) }),
        body: json ? (JSON.parse(JSON.stringify(answer.body)) as unknown) : undefined,
      },
    });
  }

  all(): ArmExchange[] {
    return [...this.exchanges];
  }
}

/** A body as JSON when it is JSON, else left out (the ARM traffic the bot sends and the simulator answers is JSON). */
export function parsedBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function flatHeaders(headers: Record<string, string | string[] | number | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers)
      .filter((entry): entry is [string, string | string[] | number] => entry[1] !== undefined)
      .map(([name, value]) => [name.toLowerCase(), Array.isArray(value) ? value.join(', ') : String(value)]),
  );
}
