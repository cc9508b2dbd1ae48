/**
 * Would a subnet's own network security group let RDP through for the connector's access
 * setting? Azure evaluates inbound rules by priority, lowest number first, and the first rule
 * matching the traffic decides; when none does, the default rules apply: AllowVNetInBound
 * (65000) admits traffic from the virtual network (Bastion, VPN, peered networks), and
 * DenyAllInBound (65500) refuses the internet. Source: "How network security groups filter
 * network traffic" (learn.microsoft.com/azure/virtual-network/network-security-group-how-it-works).
 * A rule is matched here only on what can be decided without resolving address overlaps: a
 * source of *, a service tag, or the allowed range written the same way.
 */
import type { SecurityRule } from '@azure/arm-network';
import type { MachineAccess } from '../domain/model.js';

const RDP_PORT = 3389;

export interface NsgDecision {
  allowed: boolean;
  /** The rule that decided, or the default rule that applies. */
  rule: string;
}

/** The decision for RDP from `source` (a CIDR range, or 'VirtualNetwork'). */
export function rdpDecision(rules: readonly SecurityRule[], source: string): NsgDecision {
  const inbound = rules
    .filter((rule) => rule.direction === 'Inbound' && (rule.protocol === 'Tcp' || rule.protocol === '*'))
    .filter((rule) => coversRdp(rule) && coversSource(rule, source))
    .sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0));
  const first = inbound[0];
  if (first) return { allowed: first.access === 'Allow', rule: `${first.name ?? 'unnamed'} (priority ${first.priority})` };
  return source === 'VirtualNetwork' ? { allowed: true, rule: 'AllowVNetInBound (default)' } : { allowed: false, rule: 'DenyAllInBound (default)' };
}

/** What the subnet's NSG means for the chosen access, one sentence; ok false when it would block it. */
export function accessVerdict(nsgName: string, rules: readonly SecurityRule[], access: MachineAccess): { ok: boolean; detail: string } {
  if (access.mode === 'private') {
    const decision = rdpDecision(rules, 'VirtualNetwork');
    return decision.allowed
      ? { ok: true, detail: `the subnet's NSG ${nsgName} lets RDP in from the virtual network (${decision.rule}), so private access and Bastion work` }
      : { ok: false, detail: `the subnet's NSG ${nsgName} blocks RDP from the virtual network (rule ${decision.rule}); private access and Bastion can't reach the machine` };
  }
  const blocked = access.allowedCidrs.map((range) => ({ range, decision: rdpDecision(rules, range) })).filter(({ decision }) => !decision.allowed);
  if (blocked.length === 0) return { ok: true, detail: `the subnet's NSG ${nsgName} lets RDP in from ${access.allowedCidrs.join(', ')}` };
  return {
    ok: false,
    detail: `the subnet's NSG ${nsgName} would block RDP from ${blocked.map(({ range, decision }) => `${range} (${decision.rule})`).join(', ')}: traffic must pass both the subnet's and the machine's NSG, so add an inbound rule allowing TCP ${RDP_PORT} from those ranges to the subnet's NSG`,
  };
}

function coversRdp(rule: SecurityRule): boolean {
  const ranges = [rule.destinationPortRange, ...(rule.destinationPortRanges ?? [])].filter((r): r is string => Boolean(r));
  return ranges.some((range) => {
    if (range === '*') return true;
    const [low = NaN, high = low] = range.split('-').map(Number);
    return RDP_PORT >= low && RDP_PORT <= high;
  });
}

function coversSource(rule: SecurityRule, source: string): boolean {
  const prefixes = [rule.sourceAddressPrefix, ...(rule.sourceAddressPrefixes ?? [])].filter((p): p is string => Boolean(p));
  const everywhere = source === 'VirtualNetwork' ? ['*', 'virtualnetwork'] : ['*', 'internet'];
  return prefixes.some((prefix) => everywhere.includes(prefix.toLowerCase()) || prefix === source);
}
