/** The one Azure adapter: the ports of ../ports.js on the official ARM SDKs, bound to one connector. */
import type { ConnectorProbe, Machines } from '../ports.js';
import { connect, type ArmConnectionOptions } from './clients.js';
import { armConnectorProbe } from './connector-probe.js';
import { armMachines } from './machines.js';

export type { ArmConnectionOptions, ConnectorTarget } from './clients.js';

export interface AzurePorts {
  machines: Machines;
  probe: ConnectorProbe;
}

export function armPorts(options: ArmConnectionOptions): AzurePorts {
  const arm = connect(options);
  return { machines: armMachines(arm), probe: armConnectorProbe(arm) };
}
