import { connectorFormValues, parseConnectorForm } from '../../src/domain/connector-validation.js';
import { connectorListMessage, connectorTestMessage, maskSubscriptionId } from '../../views/connector-list.js';
import { connectorModal, connectorModalMetadataOf } from '../../views/connector-modal.js';
import { ACTION, CALLBACK } from '../../views/ids.js';
import { readViewState } from '../../views/state.js';
import { connector, realistic, worst } from '../fixtures/views/data.js';
import { buttons, buttonTexts, inputByLabel, labels, submittedUnchanged, visibleText } from '../fixtures/views/inspect.js';

const stored = connector(1);

describe('connector modal', () => {
  it('asks for every DESIGN §3 field of an Azure connector signing in with a client secret', () => {
    const view = connectorModal({ values: {}, metadata: {}, hasStoredSecret: false });
    expect(view).toMatchObject({ callback_id: CALLBACK.connector, title: { text: 'New Connector' }, submit: { text: 'Save' } });
    expect(labels(view)).toEqual([
      'Connector Name',
      'Azure Cloud',
      'Tenant ID',
      'Subscription ID',
      'Sign-in Method',
      'Client ID',
      'Client Secret',
      'Resource Group',
      'Storage Account',
      'Container',
      'Location',
      'Subnet ID',
      'Default VM Size',
      'Packaging Machine Access',
      'Allowed RDP Source Ranges',
      'Portal Template Scope',
      'Compute Gallery',
      'Gallery Target Regions',
    ]);
    expect(inputByLabel(view, 'Default VM Size').element.initial_value).toBe('Standard_A2_v2');
    expect(inputByLabel(view, 'Packaging Machine Access').element.initial_option.value).toBe('private');
    expect(inputByLabel(view, 'Allowed RDP Source Ranges').optional).toBe(true);
  });

  it('shows the custom endpoints only for a custom cloud, and no client fields for managed identity', () => {
    const view = connectorModal({ values: { cloud: 'Custom', authKind: 'default-credential' }, metadata: {}, hasStoredSecret: false });
    expect(labels(view)).toEqual(
      expect.arrayContaining(['Resource Manager Endpoint', 'Portal Host', 'Storage Endpoint Suffix', 'Authority Host', 'CA Certificates (PEM)']),
    );
    expect(labels(view)).not.toContain('Client Secret');
    expect(inputByLabel(view, 'CA Certificates (PEM)').optional).toBe(true);
    expect(inputByLabel(view, 'Azure Cloud')).toMatchObject({ dispatch_action: true, element: { action_id: ACTION.connectorCloudChosen } });
    expect(inputByLabel(view, 'Sign-in Method')).toMatchObject({ dispatch_action: true, element: { action_id: ACTION.connectorAuthChosen } });
  });

  it('prefills Edit but never the secret, which may be left blank to keep it', () => {
    const view = connectorModal({ values: connectorFormValues(stored), metadata: { connectorId: stored._id }, hasStoredSecret: true });
    expect(view.title.text).toBe('Edit Connector');
    const secret = inputByLabel(view, 'Client Secret');
    expect(secret.element.initial_value).toBeUndefined();
    expect(secret.optional).toBe(true);
    expect(secret.hint.text).toBe('Leave blank to keep the stored secret.');
    expect(JSON.stringify(view)).not.toContain('v1:encrypted');
    expect(inputByLabel(view, 'Storage Account').element.initial_value).toBe('layerstore01');
  });

  it('submitted unchanged on Edit, reads back as the stored connector, keeping the secret', () => {
    const view = connectorModal({ values: connectorFormValues(stored), metadata: { connectorId: stored._id }, hasStoredSecret: true });
    const parsed = parseConnectorForm(readViewState(submittedUnchanged(view)), { hasStoredSecret: true });
    expect(parsed).toMatchObject({
      ok: true,
      value: { name: stored.name, subnetId: stored.subnetId, auth: { kind: 'client-secret', clientId: '99999999-8888-7777-6666-555555555555', clientSecret: undefined } },
    });
  });

  it('carries where it came from, so a save from the wizard returns to it', () => {
    const view = connectorModal({ values: {}, metadata: { draftId: 'draft-1' }, hasStoredSecret: false });
    expect(connectorModalMetadataOf(view.private_metadata)).toEqual({ draftId: 'draft-1' });
    expect(connectorModalMetadataOf('garbage')).toEqual({});
  });
});

describe('/oslayer connectors', () => {
  it('lists each connector with cloud, masked subscription, storage account and location', () => {
    const message = connectorListMessage(realistic.connectors, { canManage: true });
    const text = visibleText(message);
    expect(text).toContain('*Production East US 2*\nAzure US Government · subscription `••••••••-••••-••••-••••-••••••••5678` · storage account `layerstore01` · usgovvirginia');
    expect(text).not.toContain(stored.subscriptionId);
    expect(maskSubscriptionId(stored.subscriptionId)).toMatch(/5678$/);
  });

  it('gives Administrators Edit, Test and Delete per connector, Delete behind a confirmation', () => {
    const message = connectorListMessage([stored], { canManage: true });
    expect(buttonTexts(message)).toEqual(['Edit', 'Test', 'Delete', 'New']);
    const del = buttons(message).find((b) => b.action_id === ACTION.connectorsDelete);
    expect(del).toMatchObject({ value: 'conn-1', style: 'danger', confirm: { confirm: { text: 'Delete' }, deny: { text: 'Keep it' } } });
    expect(del?.confirm.text.text).toContain('Nothing in Azure is deleted');
  });

  it('shows read-only users the list without buttons', () => {
    expect(buttonTexts(connectorListMessage([stored], { canManage: false }))).toEqual([]);
    expect(visibleText(connectorListMessage([], { canManage: false }))).toContain('Ask an Administrator');
  });

  it('pages long lists with Previous and Next', () => {
    const first = connectorListMessage(worst.connectors, { canManage: true });
    expect(visibleText(first)).toContain('Page 1 of 13');
    const paging = (m: { blocks: unknown[] }) =>
      buttons(m)
        .filter((b) => b.action_id === ACTION.connectorsPagePrevious || b.action_id === ACTION.connectorsPageNext)
        .map((b) => [b.text.text, b.value]);
    expect(paging(first)).toEqual([['Next →', '1']]);
    expect(paging(connectorListMessage(worst.connectors, { canManage: true, page: 5 }))).toEqual([
      ['← Previous', '4'],
      ['Next →', '6'],
    ]);
    expect(visibleText(connectorListMessage(worst.connectors, { canManage: true, page: 99 }))).toContain('Page 13 of 13');
  });
});

describe('connector test result', () => {
  it('lists each check on its own line with its reason', () => {
    const message = connectorTestMessage('Production', [
      { check: 'credentials', ok: true, detail: 'Signed in as app oslayer-bot.' },
      { check: 'storage-account', ok: true, detail: 'layerstore01 found in eastus.' },
      { check: 'shared-key', ok: true, detail: 'storage account layerstore01 allows Shared Key' },
      { check: 'blob-data', ok: true, detail: 'the identity can write, read and delete blobs in container layers of layerstore01' },
      { check: 'delegation-key', ok: true, detail: 'the identity can get a user delegation key' },
      { check: 'region-match', ok: false, detail: 'The connector says westus but the storage account is in eastus.' },
      { check: 'resource-group', ok: true, detail: 'rg-layers exists.' },
      { check: 'subnet', ok: true, detail: 'packaging subnet found.' },
      { check: 'machine-access', ok: true, detail: 'private (no public IP); the subnet has no NSG of its own' },
      { check: 'vm-size', ok: false, detail: 'Standard_A1_v2 has 1 vCPU; packaging machines need at least 2.' },
      { check: 'permissions', ok: true, detail: 'the identity holds every permission the bot uses (41 operations)' },
    ]);
    const lines = visibleText(message).split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        '✅ *Credentials*: Signed in as app oslayer-bot.',
        '✅ *Storage account*: layerstore01 found in eastus.',
        '✅ *Shared Key (account key) access*: storage account layerstore01 allows Shared Key',
        '✅ *Blob data access (Microsoft Entra ID)*: the identity can write, read and delete blobs in container layers of layerstore01',
        '✅ *User delegation key (SAS links)*: the identity can get a user delegation key',
        '❌ *Location matches the storage account*: The connector says westus but the storage account is in eastus.',
        '✅ *Resource group*: rg-layers exists.',
        '✅ *Subnet*: packaging subnet found.',
        '✅ *Packaging machine access*: private (no public IP); the subnet has no NSG of its own',
        '❌ *VM size*: Standard_A1_v2 has 1 vCPU; packaging machines need at least 2.',
        '✅ *Azure role assignments*: the identity holds every permission the bot uses (41 operations)',
      ]),
    );
    expect(message.text).toBe('❌ Connector Production is not ready: 2 of 11 checks failed.');
  });

  it('says which checks could not run, and only a full pass is a pass', () => {
    const message = connectorTestMessage('Production', [{ check: 'credentials', ok: false, detail: 'The client secret has expired.' }]);
    expect(visibleText(message)).toContain('➖ *Subnet*: not checked, because an earlier check failed.');
    expect(visibleText(message)).toContain('Fix the settings with Edit, then Test again.');
    const partial = connectorTestMessage('Production', [{ check: 'credentials', ok: true, detail: 'ok' }]);
    expect(partial.text).toContain('is not ready');
  });
});
