import { importLayerSchema, parseForm } from '../../src/domain/validation.js';
import { ACTION, CALLBACK } from '../../views/ids.js';
import { importLayerModal, layersMessage, versionDetailsModal } from '../../views/layers.js';
import { TASK_ACTIONS } from '../../views/task-message.js';
import { layerGalleryModal } from '../../views/layer-gallery.js';
import { mrkdwn } from '../../views/blocks.js';
import { checkBlockKitLimits } from '../../views/limits.js';
import { readViewState } from '../../views/state.js';
import { layer, realistic, worst } from '../fixtures/views/data.js';
import { buttons, buttonTexts, inputByLabel, labels, submittedUnchanged, visibleText } from '../fixtures/views/inspect.js';

const items = [
  { layer: layer(1), versions: realistic.versions, connectorName: 'Production East US 1' },
  { layer: layer(2, { name: 'Windows 11 Enterprise', description: '' }), versions: [] },
];

describe('/oslayer layers', () => {
  it('shows each layer with its versions: status, size, who and when', () => {
    const text = visibleText(layersMessage(items, { canManage: false }));
    expect(text).toContain('*Windows Server 2022 #1*  Windows · Gen 2 · connector Production East US 1');
    expect(text).toContain('• *2026-03* — Action Required · max 100 GB · <@U0ADMIN01> · <!date^1767484800^{date_short}|2026-01-04>');
    expect(text).toContain('• *2026-01* — Deployable · 30 GB disk, max 100 GB · <@U0ADMIN01>');
    expect(text).toContain('*Windows 11 Enterprise*  Windows · Gen 2\nNo versions yet.');
  });

  it('lists the newest layer first and gives managers an Add Version button per layer', () => {
    const message = layersMessage(items, { canManage: true });
    expect(buttons(message).filter((b) => b.action_id === ACTION.layersAddVersion).map((b) => b.value)).toEqual(['layer-2', 'layer-1']);
    expect(buttonTexts(message)).toContain('Import OS Layer');
    expect(buttonTexts(layersMessage(items, { canManage: false }))).toEqual([]);
  });

  it('summarizes older versions and pages many layers', () => {
    const many = worst.layers.map((l) => ({ layer: l, versions: worst.versions }));
    const message = layersMessage(many, { canManage: true });
    expect(visibleText(message)).toContain('…and 175 older versions.');
    expect(visibleText(message)).toContain('Page 1 of 15');
  });

  it('points to import-layer when there are none', () => {
    expect(visibleText(layersMessage([], { canManage: true }))).toContain('/oslayer import-layer');
  });
});

describe('import-layer modal', () => {
  it('asks for name, description, OS type, VM generation, connector and blob path', () => {
    const view = importLayerModal({ connectors: realistic.connectors });
    expect(view).toMatchObject({ callback_id: CALLBACK.importLayer, title: { text: 'Import OS Layer' }, submit: { text: 'Import' } });
    expect(labels(view)).toEqual(['Layer Name', 'Description', 'OS Type', 'VM Generation', 'Connector', 'VHD Blob Path']);
    expect(inputByLabel(view, 'VM Generation').element.initial_option).toBeUndefined();
  });

  it('reads back what was entered', () => {
    const values = { layerName: 'Windows Server 2022', layerDescription: 'Golden', vmGeneration: 'V1', connectorId: 'conn-2', blobPath: 'imports/win.vhd' };
    const view = importLayerModal({ connectors: realistic.connectors, values });
    expect(parseForm(importLayerSchema, readViewState(submittedUnchanged(view)))).toEqual({ ok: true, value: { ...values, osType: 'Windows' } });
  });

  it('explains that a connector is needed first', () => {
    const view = importLayerModal({ connectors: [] });
    expect(view.submit).toBeUndefined();
    expect(visibleText(view)).toContain('/oslayer connectors');
  });

});

describe('Version details with a gallery image version', () => {
  const version = {
    ...realistic.versions[0]!,
    status: 'published' as const,
    galleryImage: {
      id: '/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/galleries/gal/images/win/versions/2026.1.0',
      versionName: '2026.1.0',
      imageDefinitionId: '/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/galleries/gal/images/win',
      regions: [{ region: 'eastus', state: 'Completed' as const, progress: 100 }],
      excludeFromLatest: true,
      endOfLifeDate: new Date('2027-06-01T00:00:00Z'),
      policy: 'two-person' as const,
    },
  };

  it('names the image version and offers Promote while it waits, Roll back once it is latest', () => {
    const waiting = versionDetailsModal({ layer: layer(1), version, changelog: mrkdwn`No changes.`, taskId: 'task-1' });
    expect(visibleText(waiting)).toContain('Gallery image version `2026.1.0` · excluded from latest (waiting for Promote)');
    expect(buttons(waiting).map((b) => [b.text?.text, b.action_id, b.value])).toEqual([['Promote', TASK_ACTIONS.promote, 'task-1']]);
    const latest = versionDetailsModal({
      layer: layer(1),
      version: { ...version, galleryImage: { ...version.galleryImage, excludeFromLatest: false, promotedAt: new Date(), promotedBy: 'U2' } },
      changelog: mrkdwn`No changes.`,
      taskId: 'task-1',
    });
    expect(buttons(latest).map((b) => b.text?.text)).toEqual(['Roll back']);
    expect(checkBlockKitLimits(latest, 'modal')).toEqual([]);
  });
});

describe('Gallery settings of a layer', () => {
  it('asks about Trusted Launch only for Generation 2, prefilled with the layer policy, within Slack limits', () => {
    const policy = { approval: 'two-person' as const, endOfLifeDays: 180, approvalExpiryDays: 7, trustedLaunchSupported: false };
    const gen2 = layerGalleryModal({ _id: 'l2', name: 'Win 11', vmGeneration: 'V2' }, policy);
    expect(labels(gen2)).toEqual(['Who May Promote', 'End of Life (days)', 'Approval Request Expires (days)', 'Trusted Launch']);
    expect(labels(layerGalleryModal({ _id: 'l1', name: 'Win 10', vmGeneration: 'V1' }, policy))).not.toContain('Trusted Launch');
    expect(readViewState(submittedUnchanged(gen2))).toMatchObject({ approval: 'two-person', endOfLifeDays: '180', approvalExpiryDays: '7', trustedLaunchSupported: 'no' });
    expect(checkBlockKitLimits(gen2, 'modal')).toEqual([]);
  });
});
