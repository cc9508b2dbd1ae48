/** How to connect to the packaging machine, under its line in the task message. */
import type { PackagingMachine } from '../src/domain/model.js';
import { escapeMrkdwn, joinMrkdwn, mrkdwn, type Mrkdwn, slackLink } from './blocks.js';

/** Private IP always (VPN or peered network), public IP when access is public, and the Bastion link where one serves the VNet. */
export function connectText(machine: Pick<PackagingMachine, 'address'> | undefined): Mrkdwn | undefined {
  const address = machine?.address;
  if (!address) return undefined;
  const ways = joinMrkdwn(
    [
      mrkdwn`private IP \`${escapeMrkdwn(address.privateIp)}\` (from your network or VPN)`,
      address.publicIp && mrkdwn`public IP \`${escapeMrkdwn(address.publicIp)}\` (RDP from the connector's allowed ranges only)`,
      address.bastionUrl && mrkdwn`${slackLink(address.bastionUrl, 'Connect through Azure Bastion')} in the portal`,
    ],
    mrkdwn` · `,
  );
  return mrkdwn`:electric_plug: *Connect:* ${ways}`;
}
