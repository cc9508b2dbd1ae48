import type { SecurityRule } from '@azure/arm-network';
import { accessVerdict, rdpDecision } from '../../src/azure/nsg-rules.js';

const rule = (name: string, priority: number, access: 'Allow' | 'Deny', source: string, port = '3389'): SecurityRule => ({
  name,
  priority,
  access,
  direction: 'Inbound',
  protocol: 'Tcp',
  sourceAddressPrefix: source,
  sourcePortRange: '*',
  destinationAddressPrefix: '*',
  destinationPortRange: port,
});

describe("the subnet's own NSG and the connector's access", () => {
  it('blocks public RDP when no rule allows it: the default DenyAllInBound applies', () => {
    expect(rdpDecision([], '203.0.113.0/24')).toEqual({ allowed: false, rule: 'DenyAllInBound (default)' });
    const verdict = accessVerdict('subnet-nsg', [], { mode: 'public', allowedCidrs: ['203.0.113.0/24'] });
    expect(verdict.ok).toBe(false);
    expect(verdict.detail).toMatch(/would block RDP from 203\.0\.113\.0\/24 \(DenyAllInBound \(default\)\).*add an inbound rule allowing TCP 3389/);
  });

  it('lets public RDP through an allow rule for the range, unless a deny rule comes first', () => {
    const allow = rule('allow-office-rdp', 200, 'Allow', '203.0.113.0/24');
    expect(accessVerdict('n', [allow], { mode: 'public', allowedCidrs: ['203.0.113.0/24'] }).ok).toBe(true);
    expect(rdpDecision([allow, rule('deny-all-rdp', 150, 'Deny', '*')], '203.0.113.0/24')).toEqual({ allowed: false, rule: 'deny-all-rdp (priority 150)' });
    expect(rdpDecision([rule('allow-ports', 300, 'Allow', 'Internet', '3000-4000')], '198.51.100.7').allowed).toBe(true);
    expect(rdpDecision([rule('allow-ssh', 300, 'Allow', '*', '22')], '198.51.100.7').allowed).toBe(false);
  });

  it('lets private access (VPN, Bastion) in by the default AllowVNetInBound, unless a rule denies RDP from the network', () => {
    expect(accessVerdict('n', [], { mode: 'private' })).toMatchObject({ ok: true });
    const verdict = accessVerdict('n', [rule('deny-rdp', 100, 'Deny', 'VirtualNetwork')], { mode: 'private' });
    expect(verdict).toMatchObject({ ok: false });
    expect(verdict.detail).toContain('blocks RDP from the virtual network (rule deny-rdp (priority 100))');
  });
});
