import { allows, PERMISSIONS, refusal, type Permission } from '../../src/domain/permissions.js';
import type { Role } from '../../src/domain/model.js';

const expected: Record<Permission, Role[]> = {
  view: ['read-only', 'approver', 'manage-os-layers', 'administrator'],
  'add-version': ['manage-os-layers', 'administrator'],
  'import-layer': ['manage-os-layers', 'administrator'],
  'operate-machine': ['manage-os-layers', 'administrator'],
  finalize: ['manage-os-layers', 'administrator'],
  cancel: ['manage-os-layers', 'administrator'],
  'approve-versions': ['approver', 'administrator'],
  'set-approval-policy': ['administrator'],
  'manage-connectors': ['administrator'],
  'manage-roles': ['administrator'],
  'read-audit': ['administrator'],
  'operate-jobs': ['administrator'],
};

describe('roles (App Layering: Administrator, Manage OS Layers, Read Only; and Approver)', () => {
  const roles: Role[] = ['read-only', 'approver', 'manage-os-layers', 'administrator'];
  it('covers every permission', () => {
    expect(Object.keys(expected).sort()).toEqual([...PERMISSIONS].sort());
  });
  for (const [permission, allowed] of Object.entries(expected) as Array<[Permission, Role[]]>) {
    for (const role of roles) {
      it(`${allowed.includes(role) ? 'lets' : 'refuses'} ${role} ${permission}`, () => {
        expect(allows(role, permission)).toBe(allowed.includes(role));
      });
    }
  }
  it('tells a refused user which role is needed and which one they have', () => {
    expect(refusal('read-only', 'finalize', 'finalize a version')).toBe(
      "You can't finalize a version: it needs the Manage OS Layers or Administrator role, and you have Read Only. An Administrator can change your role with `/oslayer roles`.",
    );
    expect(refusal('manage-os-layers', 'manage-connectors', 'edit connectors')).toContain('needs the Administrator role');
    expect(refusal('manage-os-layers', 'approve-versions', 'promote a version')).toContain('needs the Approver or Administrator role, and you have Manage OS Layers');
  });
});
