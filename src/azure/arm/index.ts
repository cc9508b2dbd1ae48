/** The one Azure adapter: the ports of ../ports.js on the official ARM SDKs, bound to one connector. */
import type { TokenCredential } from '@azure/identity';
import type { TlsSettings } from '@azure/core-rest-pipeline';
import { tlsOptions } from '../credentials.js';
import type { ConnectorProbe, Gallery, Machines } from '../ports.js';
import { connect, type ArmConnectionOptions } from './clients.js';
import { armConnectorProbe } from './connector-probe.js';
import { armMachines } from './machines.js';
import { armGallery } from './gallery.js';

export type { ArmConnectionOptions, ConnectorTarget } from './clients.js';

export interface AzurePorts {
  machines: Machines;
  gallery: Gallery;
  probe: ConnectorProbe;
  /** The connector's identity, for the storage data plane (its own scope, same token cache). */
  credential: TokenCredential;
  /** The cloud's TLS trust (a custom cloud's CA bundle), for clients outside ARM. */
  tlsOptions?: TlsSettings;
}

export function armPorts(options: ArmConnectionOptions): AzurePorts {
  const arm = connect(options);
  return { machines: armMachines(arm), gallery: armGallery(arm), probe: armConnectorProbe(arm), credential: arm.credential, ...tlsOptions(arm.profile) };
}
