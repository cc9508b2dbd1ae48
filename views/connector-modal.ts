/**
 * The New/Edit platform connector modal (DESIGN §3). Choosing the cloud or the sign-in
 * method dispatches an action, and the listener rebuilds the modal from the current state,
 * so only the fields that matter for the choice are shown. The client secret is never
 * prefilled: Slack would then hold it in the view for anyone who can see the modal.
 */
import type { KnownBlock, ModalView } from '@slack/types';
import type { CloudName } from '../src/domain/model.js';
import { CA_BUNDLE_FIELDS, CLOUDS, DEFAULT_VM_SIZE } from '../src/domain/connector-validation.js';
import { context, input, modal, mrkdwn, option, radioButtons, SLACK_LIMIT, staticSelect, textInput } from './blocks.js';
import { ACTION, CALLBACK, CONNECTOR_FIELD as F } from './ids.js';

export const CLOUD_LABEL: Readonly<Record<CloudName, string>> = {
  AzureCloud: 'Azure (global)',
  AzureUSGovernment: 'Azure US Government',
  AzureChinaCloud: 'Azure China (21Vianet)',
  Custom: 'Custom endpoints',
};

export type ConnectorFormValues = Readonly<Record<string, string | null | undefined>>;

export interface ConnectorModalMetadata {
  /** Set when editing. */
  connectorId?: string;
  /** Set when opened from the wizard, which is rebuilt with the saved connector selected. */
  draftId?: string;
}

export function connectorModalMetadataOf(privateMetadata: string | undefined): ConnectorModalMetadata {
  try {
    const parsed = JSON.parse(privateMetadata ?? '{}') as Record<string, unknown>;
    const pick = (key: string) => (typeof parsed[key] === 'string' ? { [key]: parsed[key] as string } : {});
    return { ...pick('connectorId'), ...pick('draftId') };
  } catch {
    return {};
  }
}

/**
 * `values` are the current answers: connectorFormValues(stored) when editing, readViewState(…)
 * when rebuilding after a choice. `hasStoredSecret` makes the secret optional ("keep it").
 */
export function connectorModal(args: { values: ConnectorFormValues; metadata: ConnectorModalMetadata; hasStoredSecret: boolean }): ModalView {
  const { values, metadata, hasStoredSecret } = args;
  const cloud = (values[F.cloud] ?? 'AzureCloud') as CloudName;
  const authKind = values[F.authKind] ?? 'client-secret';
  const text = (field: string, label: string, opts: { hint?: string; optional?: boolean; placeholder?: string; multiline?: boolean; maxLength?: number } = {}) =>
    input(field, label, textInput(ACTION.input, { initial: values[field] ?? undefined, placeholder: opts.placeholder, multiline: opts.multiline, maxLength: opts.maxLength }), opts);

  const blocks: KnownBlock[] = [
    text(F.connectorName, 'Connector Name', { maxLength: 64, placeholder: 'e.g. Production – East US' }),
    input(
      F.cloud,
      'Azure Cloud',
      staticSelect(ACTION.connectorCloudChosen, CLOUDS.map((c) => option(CLOUD_LABEL[c], c)), 'Choose a cloud', cloud),
      { dispatchAction: true },
    ),
  ];
  if (cloud === 'Custom') {
    blocks.push(
      text(F.armEndpoint, 'Resource Manager Endpoint', { placeholder: 'https://management.example.local' }),
      text(F.portalHost, 'Portal Host', { placeholder: 'portal.example.local' }),
      text(F.storageSuffix, 'Storage Endpoint Suffix', { placeholder: 'core.example.local' }),
      text(F.authorityHost, 'Authority Host', { placeholder: 'https://login.example.local' }),
      // One input holds 3000 characters; a real chain is longer, so it continues in the next ones.
      ...CA_BUNDLE_FIELDS.map((field, i) =>
        text(field, i === 0 ? 'CA Certificates (PEM)' : `CA Certificates (PEM), part ${i + 1}`, {
          optional: true,
          multiline: true,
          maxLength: SLACK_LIMIT.inputText,
          hint:
            i === 0
              ? 'Only when the endpoints use certificates from a private authority. A chain longer than 3000 characters continues in the parts below, whole certificates in each.'
              : 'More certificates of the chain, if it did not fit above.',
        }),
      ),
    );
  }
  blocks.push(
    text(F.tenantId, 'Tenant ID', { placeholder: '00000000-0000-0000-0000-000000000000' }),
    text(F.subscriptionId, 'Subscription ID', { placeholder: '00000000-0000-0000-0000-000000000000' }),
    input(
      F.authKind,
      'Sign-in Method',
      radioButtons(
        ACTION.connectorAuthChosen,
        [option('Client ID and secret (service principal)', 'client-secret'), option('Managed identity (DefaultAzureCredential)', 'default-credential')],
        authKind,
      ),
      { dispatchAction: true },
    ),
  );
  if (authKind === 'client-secret') {
    blocks.push(
      text(F.clientId, 'Client ID', { placeholder: '00000000-0000-0000-0000-000000000000' }),
      input(F.clientSecret, 'Client Secret', textInput(ACTION.input), {
        optional: hasStoredSecret,
        hint: hasStoredSecret
          ? 'Leave blank to keep the stored secret.'
          : 'Stored encrypted; it is never shown again, here or anywhere in Slack.',
      }),
    );
  }
  blocks.push(
    text(F.resourceGroup, 'Resource Group', { hint: 'Where packaging machines and their disks are created.' }),
    text(F.storageAccount, 'Storage Account', { hint: 'Holds the layer disks and the packaging disks.' }),
    text(F.container, 'Container', { placeholder: 'os-layers' }),
    text(F.location, 'Location', { placeholder: 'eastus', hint: "Must be the storage account's region; Azure imports disks only within a region." }),
    text(F.subnetId, 'Subnet ID', { hint: 'Full resource ID of the subnet packaging machines join (the subnet’s Properties page shows it).' }),
    input(F.vmSize, 'Default VM Size', textInput(ACTION.input, { initial: values[F.vmSize] ?? DEFAULT_VM_SIZE }), {
      optional: true,
      hint: 'At least 2 vCPUs (A2 or larger). Test checks that the region offers it.',
    }),
    input(
      F.machineAccess,
      'Packaging Machine Access',
      radioButtons(
        ACTION.input,
        [
          option('Private: no public IP (VPN, private network or Azure Bastion)', 'private'),
          option('Public IP, RDP only from the ranges below', 'public'),
        ],
        values[F.machineAccess] ?? 'private',
      ),
    ),
    text(F.allowedCidrs, 'Allowed RDP Source Ranges', {
      optional: true,
      placeholder: '203.0.113.0/24, 198.51.100.7',
      hint: 'Public access only: the CIDR ranges allowed to connect on TCP 3389. Never 0.0.0.0/0.',
    }),
    input(
      F.portalTemplateScope,
      'Portal Template Scope',
      radioButtons(
        ACTION.input,
        [
          option('Resource group', 'resource-group', 'Deploys where the person picks; rights there suffice'),
          option('Subscription', 'subscription', 'Pins the machine here; needs deployment rights on the subscription'),
        ],
        values[F.portalTemplateScope] ?? 'resource-group',
      ),
    ),
    text(F.galleryId, 'Compute Gallery', {
      optional: true,
      placeholder: '/subscriptions/…/resourceGroups/…/providers/Microsoft.Compute/galleries/…',
      hint: 'Optional. Finalize publishes every version here as an image version excluded from latest, until someone promotes it.',
    }),
    text(F.galleryRegions, 'Gallery Target Regions', {
      optional: true,
      placeholder: 'eastus=1:Standard_LRS, westeurope=2:Standard_ZRS',
      hint: 'region=replicas:storage type, comma separated. Blank: the connector’s region, 1 replica, Standard_LRS.',
    }),
    context(mrkdwn`Only Administrators can save connectors. Use Test on \`/oslayer connectors\` afterwards to check every setting against Azure.`),
  );

  return modal({
    callbackId: CALLBACK.connector,
    title: metadata.connectorId ? 'Edit Connector' : 'New Connector',
    submit: 'Save',
    privateMetadata: JSON.stringify(metadata),
    blocks,
  });
}
