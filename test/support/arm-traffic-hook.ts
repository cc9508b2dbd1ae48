/**
 * Jest setup for every test file: each ARM simulator the file starts records its traffic, and
 * after the file's tests it is checked against Microsoft's REST specs (./arm-traffic.ts); a
 * request or response that does not validate fails the file, listed. So does a request at an
 * api-version the simulator serves (Azure has it) but holds no contract for, whose body went
 * unchecked: neither the bot nor a test should send one. Per file and per simulator, in
 * memory: nothing is shared between jest workers.
 */
import { observeSimulators, type TrafficSource } from '../../src/sandbox/azure/traffic.js';
import { checkTraffic, describeViolations } from './arm-traffic.js';

const simulators: TrafficSource[] = [];
const stopObserving = observeSimulators((simulator) => simulators.push(simulator));

afterAll(async () => {
  stopObserving();
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
}, 120_000);
