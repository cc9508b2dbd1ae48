/** How to connect to the packaging machine, under its line in the task message. */
import type { PackagingMachine } from '../src/domain/model.js';
import { escapeMrkdwn } from './blocks.js';

/** Private IP always (VPN or peered network), public IP when access is public, and the Bastion link where one serves the VNet. */
export function connectText(machine: Pick<PackagingMachine, 'address'> | undefined): string | undefined {
  const address = machine?.address;
  if (!address) return undefined;
  const ways = [`private IP \`${escapeMrkdwn(address.privateIp)}\` (from your network or VPN)`];
  if (address.publicIp) ways.push(`public IP \`${escapeMrkdwn(address.publicIp)}\` (RDP from the connector's allowed ranges only)`);
  if (address.bastionUrl) ways.push(`<${address.bastionUrl}|Connect through Azure Bastion> in the portal`);
  return `:electric_plug: *Connect:* ${ways.join(' · ')}`;
}
