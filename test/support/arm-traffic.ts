/**
 * Every ARM request and response a simulator served, checked with oav's live validator
 * (Microsoft's own tool for exactly this) against the REST specs of the api-versions the bot
 * pins, vendored and reduced under test/fixtures/specs/ (SOURCES.md there). oav closes every
 * model the spec lists members for (OBJECT_ADDITIONAL_PROPERTIES for an unknown member) and
 * reports wrong types, missing required members, status codes an operation does not declare
 * and long-running operations without their polling headers. A request the spec refuses must
 * have been refused (4xx): the simulator accepting it is the violation, as it would be more
 * forgiving than Azure; tests that send a wrong body on purpose stay valid. The exceptions where spec and
 * Azure differ are test/fixtures/specs/exceptions.ts. Offline: the specs are read from disk.
 */
import type { LiveValidator } from 'oav';
import { resourceTypeOf } from '../../src/sandbox/azure/validation/contracts.js';
import type { ArmExchange, TrafficSource } from '../../src/sandbox/azure/traffic.js';
import { SPEC_EXCEPTIONS } from '../fixtures/specs/exceptions.js';

const SPECS = new URL('../fixtures/specs/', import.meta.url).pathname;

/** Resource type (lower case) and api-version whose spec is vendored: their traffic is checked, all of it. */
export const VENDORED_SPECS = new Set([
  'microsoft.compute/disks@2024-03-02',
  'microsoft.network/networksecuritygroups@2023-09-01',
  'microsoft.compute/virtualmachines@2025-04-01',
  'microsoft.resources/deployments@2024-03-01',
  // galleries, their image definitions and image versions (nested types carry the top type's key)
  'microsoft.compute/galleries@2025-03-03',
]);

export interface TrafficViolation {
  exchange: string;
  operationId: string;
  side: 'request' | 'response';
  code: string;
  message: string;
  path: string;
}

export interface TrafficReport {
  violations: TrafficViolation[];
  /** Exchanges checked against a vendored spec. */
  checked: number;
  /** Exchanges of types or versions whose spec is not vendored, by `type@version`. */
  unchecked: Record<string, number>;
}

let validator: Promise<LiveValidator> | undefined;

/**
 * One live validator per test file's module registry, loaded only when there is traffic to check
 * (oav and the specs take a moment to load; test files without a simulator never pay it).
 */
function liveValidator(): Promise<LiveValidator> {
  validator ??= (async () => {
    const { LiveValidator } = await import('oav');
    const live = new LiveValidator(
      {
        directory: SPECS,
        swaggerPathsPattern: ['specification/**/*.json'],
        git: { shouldClone: false },
        isPathCaseSensitive: false,
        loadValidatorInBackground: false,
        isArmCall: true,
      },
      () => undefined,
    );
    await live.initialize();
    return live;
  })();
  return validator;
}

/**
 * ARM's polling URLs (a provider's locations/{location}/operations, a deployment's
 * operationStatuses): what the Azure-AsyncOperation header names, not an operation of the spec.
 */
const POLLING = /\/providers\/[^/]+\/(locations\/[^/]+\/(operations|operationResults)|deployments\/[^/]+\/operationStatuses)\//i;

export function coverageKey(exchange: ArmExchange): string {
  const url = new URL(exchange.request.url);
  return `${resourceTypeOf(url.pathname).toLowerCase()}@${url.searchParams.get('api-version') ?? ''}`;
}

export async function checkTraffic(exchanges: ArmExchange[]): Promise<TrafficReport> {
  const report: TrafficReport = { violations: [], checked: 0, unchecked: {} };
  const covered = exchanges.filter((exchange) => {
    const key = coverageKey(exchange);
    if (VENDORED_SPECS.has(key) && !POLLING.test(new URL(exchange.request.url).pathname)) return true;
    report.unchecked[key] = (report.unchecked[key] ?? 0) + 1;
    return false;
  });
  if (covered.length === 0) return report;
  const live = await liveValidator();
  for (const exchange of covered) {
    report.checked += 1;
    const name = `${exchange.request.method} ${new URL(exchange.request.url).pathname} → ${exchange.response.statusCode}`;
    const result = await live.validateLiveRequestResponse({
      liveRequest: { url: exchange.request.url, method: exchange.request.method, headers: exchange.request.headers, body: exchange.request.body as Record<string, unknown> },
      liveResponse: { statusCode: exchange.response.statusCode, headers: exchange.response.headers, body: exchange.response.body as Record<string, unknown> },
    });
    for (const [side, part] of [['request', result.requestValidationResult], ['response', result.responseValidationResult]] as const) {
      const operationId = part.operationInfo.operationId;
      if (part.runtimeException) {
        report.violations.push({ exchange: name, operationId, side, code: part.runtimeException.code, message: part.runtimeException.message, path: '' });
        continue;
      }
      const refused = Number(exchange.response.statusCode) >= 400;
      for (const issue of part.errors) {
        if (side === 'request' && refused) continue;
        if (excepted(issue.code, operationId, side, Number(exchange.response.statusCode))) continue;
        report.violations.push({ exchange: name, operationId, side, code: issue.code, message: issue.message, path: issue.pathsInPayload.join(', ') });
      }
    }
  }
  return report;
}

function excepted(code: string, operationId: string, side: 'request' | 'response', status: number): boolean {
  return SPEC_EXCEPTIONS.some(
    (exception) =>
      exception.code === code &&
      (!exception.operationIds || exception.operationIds.includes(operationId)) &&
      (exception.minStatus === undefined || (side === 'response' && status >= exception.minStatus)),
  );
}

/** The violations as a list a failing test prints. */
export function describeViolations(violations: TrafficViolation[]): string {
  return violations.map((v) => `${v.exchange} [${v.operationId}] ${v.side}: ${v.code} ${v.message}${v.path ? ` at ${v.path}` : ''}`).join('\n');
}

/**
 * What the jest setup (./arm-traffic-hook.ts) runs after each test file: throws, listing them,
 * when a simulator served traffic that does not validate or was asked at an api-version whose
 * bodies it does not check.
 */
export async function verifySimulatorTraffic(simulators: TrafficSource[]): Promise<void> {
  const report = await checkTraffic(simulators.flatMap((simulator) => simulator.traffic()));
  const problems: string[] = [];
  if (report.violations.length > 0) {
    problems.push(`ARM traffic that does not validate against the REST specs (test/fixtures/specs):\n${describeViolations(report.violations)}`);
  }
  const unchecked = simulators.flatMap((simulator) => Object.entries(simulator.requestCounts().uncheckedApiVersions));
  if (unchecked.length > 0) {
    problems.push(
      `ARM requests at api-versions whose bodies the simulator does not check (src/sandbox/azure/validation/contracts.ts):\n${unchecked.map(([version, count]) => `${version}: ${count}`).join('\n')}`,
    );
  }
  if (problems.length > 0) throw new Error(problems.join('\n\n'));
}
