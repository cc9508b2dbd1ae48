/**
 * Jest setup for every test file: each ARM simulator the file starts records its traffic, and
 * after the file's tests it is checked against Microsoft's REST specs (./arm-traffic.ts); a
 * request or response that does not validate fails the file, listed. Per file and per
 * simulator, in memory: nothing is shared between jest workers.
 */
import { observeSimulators, type TrafficSource } from '../../src/sandbox/azure/traffic.js';
import { checkTraffic, describeViolations } from './arm-traffic.js';

const simulators: TrafficSource[] = [];
const stopObserving = observeSimulators((simulator) => simulators.push(simulator));

afterAll(async () => {
  stopObserving();
  const report = await checkTraffic(simulators.flatMap((simulator) => simulator.traffic()));
  if (report.violations.length > 0) {
    throw new Error(`ARM traffic that does not validate against the REST specs (test/fixtures/specs):\n${describeViolations(report.violations)}`);
  }
}, 120_000);
