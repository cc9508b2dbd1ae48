/**
 * Every callback_id, block_id and action_id the views use. Listeners match on these
 * constants, never on literals. Input block_ids are the domain's field keys
 * (src/domain/validation.ts), with a revision where a field must be reset (revisedBlockId);
 * views/state.ts maps between the two, so `parseForm(...).errors` becomes `response_action: errors`.
 */
import type { VersionDraftValues } from '../src/domain/model.js';

export const CALLBACK = {
  /** The Create OS Version wizard: one callback per step. private_metadata is `{"draftId":"…"}`. */
  wizardVersionDetails: 'wizard_version_details',
  wizardConnector: 'wizard_connector',
  wizardPackagingDisk: 'wizard_packaging_disk',
  wizardConfirm: 'wizard_confirm',
  /** A wizard dead end (expired draft, no layers): nothing to submit. */
  wizardNotice: 'wizard_notice',
  /** New/Edit connector; private_metadata is `{"connectorId"?, "draftId"?}`. */
  connector: 'connector_form',
  importLayer: 'import_layer',
  /** Which updates to install on the packaging machine; private_metadata is the task id. */
  installUpdates: 'install_updates',
  /** A layer version's details (read only). */
  versionDetails: 'version_details',
  /** A layer's gallery policy (approval, end of life, request expiry); private_metadata is the layer id. */
  layerGallery: 'layer_gallery',
  /** A layer's autopilot schedule (`/oslayer autopilot`); private_metadata is the layer id. */
  autopilot: 'autopilot_schedule',
  /** A modal that only tells the user something (a refusal, a confirmation): nothing to submit. */
  notice: 'notice',
} as const;

/** The wizard's input blocks, one per draft value. */
export const WIZARD_FIELD = {
  layerId: 'layerId',
  versionName: 'versionName',
  versionDescription: 'versionDescription',
  baseVersionId: 'baseVersionId',
  maxLayerSizeGb: 'maxLayerSizeGb',
  connectorId: 'connectorId',
  packagingDiskFilename: 'packagingDiskFilename',
  diskFormat: 'diskFormat',
} as const satisfies { [K in keyof Required<VersionDraftValues>]: K };

/**
 * Slack keeps what the user entered in an input across views.update (and response_action
 * update) while the new view has an input with the same block_id and action_id
 * (https://api.slack.com/methods/views.update, "Preserving input entry"); a field that must show
 * a new value therefore needs a new block_id. Such a field's block_id is its name, REVISION_MARK
 * and a revision (for the wizard, the layer the value was computed for); listeners read the
 * field's name back with fieldOfBlockId.
 */
const REVISION_MARK = '#';
/** Slack's limit on a block_id. */
const MAX_BLOCK_ID_LENGTH = 255;

export function revisedBlockId(field: string, revision: string): string {
  return `${field}${REVISION_MARK}${revision}`.slice(0, MAX_BLOCK_ID_LENGTH);
}

/** The field a block_id stands for: itself, or its name before REVISION_MARK. */
export function fieldOfBlockId(blockId: string): string {
  const mark = blockId.indexOf(REVISION_MARK);
  return mark === -1 ? blockId : blockId.slice(0, mark);
}

/** The connector modal's input blocks (keys of parseConnectorForm). */
export const CONNECTOR_FIELD = {
  connectorName: 'connectorName',
  cloud: 'cloud',
  armEndpoint: 'armEndpoint',
  portalHost: 'portalHost',
  storageSuffix: 'storageSuffix',
  authorityHost: 'authorityHost',
  caBundle: 'caBundle',
  tenantId: 'tenantId',
  subscriptionId: 'subscriptionId',
  authKind: 'authKind',
  clientId: 'clientId',
  clientSecret: 'clientSecret',
  resourceGroup: 'resourceGroup',
  storageAccount: 'storageAccount',
  container: 'container',
  location: 'location',
  subnetId: 'subnetId',
  vmSize: 'vmSize',
  machineAccess: 'machineAccess',
  allowedCidrs: 'allowedCidrs',
  portalTemplateScope: 'portalTemplateScope',
  galleryId: 'galleryId',
  galleryRegions: 'galleryRegions',
} as const;

/** The layer gallery policy modal's input blocks (keys parseLayerGalleryForm reads). */
export const LAYER_GALLERY_FIELD = {
  approval: 'approval',
  endOfLifeDays: 'endOfLifeDays',
  approvalExpiryDays: 'approvalExpiryDays',
  trustedLaunchSupported: 'trustedLaunchSupported',
} as const;

/** The import-layer modal's input blocks (keys of importLayerSchema). */
export const IMPORT_FIELD = {
  layerName: 'layerName',
  layerDescription: 'layerDescription',
  osType: 'osType',
  vmGeneration: 'vmGeneration',
  connectorId: 'connectorId',
  blobPath: 'blobPath',
} as const;

export const BLOCK = {
  wizardConnectorButtons: 'wizard_connector_buttons',
  wizardNav: 'wizard_nav',
  wizardSummary: 'wizard_summary',
  wizardTaskChannel: 'wizard_task_channel',
  listNav: 'list_nav',
  layersActions: 'layers_actions',
  versionGallery: 'version_gallery',
  connectorsActions: 'connectors_actions',
  /** One actions block per listed item: `${prefix}${id}`. */
  connectorItemPrefix: 'connector_',
  layerItemPrefix: 'layer_',
  /** The version picker under a layer: `${prefix}${layerId}`. */
  layerVersionsPrefix: 'layer_versions_',
  autopilotLayer: 'autopilot_layer',
  autopilotStatus: 'autopilot_status',
  autopilotActions: 'autopilot_actions',
} as const;

export const ACTION = {
  /** The element inside an input block that nothing listens to. */
  input: 'input',
  /** Inputs that dispatch on change, so the step can be rebuilt around the choice. */
  wizardLayerSelected: 'wizard_layer_selected',
  wizardConnectorSelected: 'wizard_connector_selected',
  wizardConnectorNew: 'wizard_connector_new',
  /** value: the selected connector id. */
  wizardConnectorEdit: 'wizard_connector_edit',
  /** value: the callback_id of the step to go back to. */
  wizardBack: 'wizard_back',
  connectorCloudChosen: 'connector_cloud_chosen',
  connectorAuthChosen: 'connector_auth_chosen',
  connectorsNew: 'connectors_new',
  /** value: the connector id. */
  connectorsEdit: 'connectors_edit',
  connectorsTest: 'connectors_test',
  connectorsDelete: 'connectors_delete',
  /** Paging a list; value: the page number to show (0-based). */
  connectorsPagePrevious: 'connectors_page_previous',
  connectorsPageNext: 'connectors_page_next',
  layersPagePrevious: 'layers_page_previous',
  layersPageNext: 'layers_page_next',
  layersImport: 'layers_import',
  /** value: the layer id; opens the wizard for that layer. */
  layersAddVersion: 'layers_add_version',
  /** A version picked in the layer list (option value: the version id): its details and changelog. */
  layersVersionDetails: 'layers_version_details',
  layersGallerySettings: 'layers_gallery_settings',
  /** The autopilot modal's layer picker (option value: the layer id): the modal is rebuilt for that layer. */
  autopilotLayerSelected: 'autopilot_layer_selected',
  /** value: the layer id; starts an autopilot run now. */
  autopilotRunNow: 'autopilot_run_now',
} as const;
