import type { App } from '@slack/bolt';
import type { Services } from '../../services.js';
import * as autopilot from './autopilot.js';
import * as connectorForm from './connector-form.js';
import * as importLayer from './import-layer.js';
import * as installUpdates from './install-updates.js';
import * as layerGallery from './layer-gallery.js';
import * as wizardConfirm from './wizard-confirm.js';
import * as wizardConnector from './wizard-connector.js';
import * as wizardPackagingDisk from './wizard-packaging-disk.js';
import * as wizardVersionDetails from './wizard-version-details.js';

/** View submissions, one listener per file. */
export function register(app: App, services: Services): void {
  for (const listener of [autopilot, connectorForm, importLayer, installUpdates, layerGallery, wizardConfirm, wizardConnector, wizardPackagingDisk, wizardVersionDetails]) {
    listener.register(app, services);
  }
}
