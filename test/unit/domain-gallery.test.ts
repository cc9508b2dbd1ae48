import fc from 'fast-check';
import {
  addDays,
  galleryVersionName,
  imageDefinitionFor,
  parseGalleryId,
  parseTargetRegions,
  promoteRefusal,
  rollBackPlan,
  VERSION_PART_MAX,
} from '../../src/domain/gallery.js';
import { parseConnectorForm } from '../../src/domain/connector-validation.js';
import type { GalleryImageRecord } from '../../src/domain/model.js';

const SUB = '11111111-2222-3333-4444-555555555555';
const GALLERY = `/subscriptions/${SUB}/resourceGroups/rg-images/providers/Microsoft.Compute/galleries/golden_images`;

describe('image version names (Major.Minor.Patch from the version name)', () => {
  it.each([
    ['2026.12.1', '2026.12.1'],
    ['2026-12', '2026.12.0'],
    ['2026-11 r2', '2026.11.2'],
    ['v007', '7.0.0'],
    ['November 2026', '2026.0.0'],
  ])('%s → %s', (name, expected) => {
    expect(galleryVersionName(name)).toEqual({ ok: true, value: expected });
  });

  it('refuses a name without a number, or with a part Compute cannot take, saying why', () => {
    expect(galleryVersionName('baseline')).toEqual({ ok: false, error: expect.stringContaining('has no number') });
    expect(galleryVersionName('2026.12.2147483648')).toEqual({ ok: false, error: expect.stringContaining('2,147,483,647') });
  });

  it('always gives what Compute accepts: three parts of digits, each a 32-bit integer without leading zeros', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (name) => {
        const result = galleryVersionName(name);
        if (!result.ok) return;
        const parts = result.value.split('.');
        expect(parts).toHaveLength(3);
        for (const part of parts) {
          expect(part).toMatch(/^(0|[1-9]\d*)$/);
          expect(Number(part)).toBeLessThanOrEqual(VERSION_PART_MAX);
        }
      }),
    );
  });
});

describe('image definitions', () => {
  it('states SecurityType Standard for Generation 1, and for Generation 2 unless the base supports Trusted Launch', () => {
    expect(imageDefinitionFor({ name: 'Win 10', vmGeneration: 'V1', osType: 'Windows' })).toMatchObject({
      osState: 'Specialized',
      hyperVGeneration: 'V1',
      securityType: 'Standard',
      identifier: { publisher: 'oslayer', offer: 'win-10', sku: 'gen1' },
    });
    expect(imageDefinitionFor({ name: 'Win 11', vmGeneration: 'V2', osType: 'Windows' }).securityType).toBe('Standard');
    expect(imageDefinitionFor({ name: 'Win 11', vmGeneration: 'V2', osType: 'Windows', gallery: { trustedLaunchSupported: true } }).securityType).toBe('TrustedLaunchSupported');
    expect(imageDefinitionFor({ name: 'Win 10', vmGeneration: 'V1', osType: 'Windows', gallery: { trustedLaunchSupported: true } }).securityType).toBe('Standard');
  });
});

describe('the connector\'s gallery setting', () => {
  it('reads a gallery resource ID and target regions, defaulting to the connector\'s region', () => {
    expect(parseGalleryId(GALLERY)).toEqual({ subscriptionId: SUB, resourceGroup: 'rg-images', name: 'golden_images' });
    expect(parseGalleryId(`${GALLERY}-`)).toBeNull();
    expect(parseTargetRegions('', 'eastus')).toEqual({ ok: true, value: [{ name: 'eastus', replicaCount: 1, storageAccountType: 'Standard_LRS' }] });
    expect(parseTargetRegions('eastus=2:standard_zrs, westeurope', 'eastus')).toEqual({
      ok: true,
      value: [
        { name: 'eastus', replicaCount: 2, storageAccountType: 'Standard_ZRS' },
        { name: 'westeurope', replicaCount: 1, storageAccountType: 'Standard_LRS' },
      ],
    });
    expect(parseTargetRegions('westeurope', 'eastus')).toEqual({ ok: false, error: expect.stringContaining("Include the connector's region eastus") });
    expect(parseTargetRegions('eastus=0', 'eastus')).toEqual({ ok: false, error: expect.stringContaining('use 1 to 100') });
    expect(parseTargetRegions('eastus:Premium_ZRS', 'eastus')).toEqual({ ok: false, error: expect.stringContaining('is not a gallery storage type') });
  });

  const form = {
    connectorName: 'Prod',
    cloud: 'AzureCloud',
    tenantId: SUB,
    subscriptionId: SUB,
    authKind: 'default-credential',
    resourceGroup: 'rg',
    storageAccount: 'stlayers',
    container: 'layers',
    location: 'eastus',
    subnetId: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/default`,
  };

  it('is optional on the connector form, and checked on its inputs when given', () => {
    const none = parseConnectorForm(form, { hasStoredSecret: false });
    expect(none.ok && none.value.gallery).toBeUndefined();
    const set = parseConnectorForm({ ...form, galleryId: GALLERY }, { hasStoredSecret: false });
    expect(set.ok && set.value.gallery).toEqual({ galleryId: GALLERY, targetRegions: [{ name: 'eastus', replicaCount: 1, storageAccountType: 'Standard_LRS' }] });
    const elsewhere = parseConnectorForm({ ...form, galleryId: GALLERY.replace(SUB, '99999999-2222-3333-4444-555555555555') }, { hasStoredSecret: false });
    expect(elsewhere).toEqual({ ok: false, errors: { galleryId: expect.stringContaining('connector’s subscription') } });
    expect(parseConnectorForm({ ...form, galleryRegions: 'eastus' }, { hasStoredSecret: false })).toEqual({ ok: false, errors: { galleryRegions: 'Target regions need a Compute Gallery above.' } });
  });
});

describe('Promote and Roll back', () => {
  const now = new Date('2026-12-10T12:00:00Z');
  const image = (fields: Partial<GalleryImageRecord> = {}): GalleryImageRecord => ({
    id: `${GALLERY}/images/win/versions/2026.12.0`,
    versionName: '2026.12.0',
    imageDefinitionId: `${GALLERY}/images/win`,
    regions: [],
    excludeFromLatest: true,
    endOfLifeDate: addDays(now, 180),
    approvalExpiresAt: addDays(now, 7),
    policy: 'two-person',
    ...fields,
  });
  const version = (fields: Partial<GalleryImageRecord> = {}) => ({ name: '2026-12', status: 'published' as const, createdBy: 'UCREATOR', galleryImage: image(fields) });

  it('refuses the creator under two-person, not under single, and anyone once the request expired (fails closed)', () => {
    expect(promoteRefusal(version(), 'UCREATOR', now)).toContain("this layer's two-person rule needs someone else");
    expect(promoteRefusal(version(), 'UOTHER', now)).toBeNull();
    expect(promoteRefusal(version({ policy: 'single' }), 'UCREATOR', now)).toBeNull();
    // An autopilot version: its person (Run now, or the schedule's owner) counts as its creator.
    const autopilot = { ...version(), createdBy: 'autopilot', onBehalfOf: 'USTARTER' };
    expect(promoteRefusal(autopilot, 'USTARTER', now)).toContain('Autopilot built version 2026-12 for you');
    expect(promoteRefusal(autopilot, 'UOTHER', now)).toBeNull();
    expect(promoteRefusal({ ...autopilot, galleryImage: image({ policy: 'single' }) }, 'USTARTER', now)).toBeNull();
    expect(promoteRefusal(version({ approvalExpiresAt: addDays(now, -1) }), 'UOTHER', now)).toContain('expired on 2026-12-09; an expired request fails closed');
    expect(promoteRefusal({ ...version(), status: 'deployable' }, 'UOTHER', now)).toContain('not published to the gallery yet');
    expect(promoteRefusal(version({ excludeFromLatest: false }), 'UOTHER', now)).toContain('already included in latest');
  });

  it('rolls back from the last promoted version still in latest to the one promoted before it', () => {
    const v = (id: string, promotedAt: number, fields: Partial<GalleryImageRecord> = {}) => ({
      _id: id,
      name: id,
      galleryImage: image({ promotedAt: new Date(promotedAt), excludeFromLatest: false, ...fields }),
    });
    const plan = rollBackPlan([v('a', 1), v('c', 3), v('b', 2), { _id: 'new', name: 'new', galleryImage: image() }]);
    expect(plan.ok && [plan.value.current._id, plan.value.previous._id]).toEqual(['c', 'b']);
    const after = rollBackPlan([v('a', 1), v('b', 2), v('c', 3, { excludeFromLatest: true, rolledBackAt: new Date() })]);
    expect(after.ok && [after.value.current._id, after.value.previous._id]).toEqual(['b', 'a']);
    expect(rollBackPlan([v('a', 1)])).toEqual({ ok: false, error: expect.stringContaining('only promoted version') });
  });
});
