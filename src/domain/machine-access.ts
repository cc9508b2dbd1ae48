/**
 * How an admin reaches the packaging machine (the connector's **Packaging machine access**).
 * `private` (the default) gives the machine no public IP: people connect over the company's
 * network, VPN or Azure Bastion. `public` gives it a Standard public IP and a network security
 * group on its NIC that lets RDP (TCP 3389) in from the listed ranges only. A range covering the
 * whole internet is refused: RDP open to everyone is what attackers scan for.
 */
import { isIP } from 'node:net';
import type { ConnectorConfig, MachineAccess } from './model.js';

export const PRIVATE_ACCESS: MachineAccess = { mode: 'private' };

/** At most this many ranges: an NSG rule takes a list, and a short list is one a person can review. */
export const MAX_ALLOWED_RANGES = 20;

export function machineAccessOf(connector: Pick<ConnectorConfig, 'machineAccess'>): MachineAccess {
  return connector.machineAccess ?? PRIVATE_ACCESS;
}

/** Words and forms that mean "anyone" in an NSG rule; each is refused with the reason. */
const EVERYONE = new Set(['*', 'any', 'internet', '0.0.0.0/0', '::/0', '0.0.0.0']);

export type RangesResult = { ok: true; ranges: string[] } | { ok: false; error: string };

/**
 * The allowed source ranges typed into the connector form: IPv4 or IPv6 CIDR ranges (or single
 * addresses), separated by commas, spaces or new lines.
 */
export function parseAllowedRanges(text: string): RangesResult {
  const items = text.split(/[\s,;]+/).filter(Boolean);
  if (items.length === 0) {
    return { ok: false, error: 'List the address ranges allowed to connect by RDP, such as 203.0.113.0/24 (your office’s public range).' };
  }
  if (items.length > MAX_ALLOWED_RANGES) return { ok: false, error: `List at most ${MAX_ALLOWED_RANGES} address ranges.` };
  const ranges: string[] = [];
  for (const item of items) {
    const problem = rangeProblem(item);
    if (problem) return { ok: false, error: problem };
    if (!ranges.includes(item)) ranges.push(item);
  }
  return { ok: true, ranges };
}

function rangeProblem(item: string): string | undefined {
  const everyone = `${item} would open RDP to the whole internet, where it is scanned and attacked within minutes. List only the ranges your admins connect from, or choose private access.`;
  if (EVERYONE.has(item.toLowerCase())) return everyone;
  const [address = '', prefix, ...extra] = item.split('/');
  const family = isIP(address);
  if (family === 0 || extra.length > 0) return `${item} is not an IP address or CIDR range (such as 203.0.113.0/24 or 2001:db8::/48).`;
  if (prefix === undefined) return undefined;
  const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
  const max = family === 4 ? 32 : 128;
  if (!(bits >= 0 && bits <= max)) return `${item} has an invalid prefix length: use /0 to /${max} after an IPv${family} address.`;
  if (bits === 0) return everyone;
  return undefined;
}

/** The ranges as one line for a Slack message or the connector's Test. */
export function describeAccess(access: MachineAccess): string {
  return access.mode === 'private'
    ? 'private (no public IP)'
    : `public, RDP (TCP 3389) allowed only from ${access.allowedCidrs.join(', ')}`;
}
