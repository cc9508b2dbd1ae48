/**
 * Jest setup for every test file: each ARM simulator the file starts records its traffic, and
 * after the file's tests it is checked against Microsoft's REST specs (./arm-traffic.ts); a
 * request or response that does not validate fails the file, listed. So does a request at an
 * api-version the simulator serves (Azure has it) but holds no contract for, whose body went
 * unchecked: neither the bot nor a test should send one. Per file and per simulator, in
 * memory: nothing is shared between jest workers.
 */
import { observeSimulators, type TrafficSource } from '../../src/sandbox/azure/traffic.js';
import { verifySimulatorTraffic } from './arm-traffic.js';

const simulators: TrafficSource[] = [];
const stopObserving = observeSimulators((simulator) => simulators.push(simulator));

afterAll(async () => {
  stopObserving();
  await verifySimulatorTraffic(simulators);
}, 120_000);
