import type { App } from '@slack/bolt';
import type { Services } from '../../services.js';
import * as autopilotLayerSelected from './autopilot-layer-selected.js';
import * as autopilotRunNow from './autopilot-run-now.js';
import * as connectorFormChoice from './connector-form-choice.js';
import * as connectorOpen from './connector-open.js';
import * as connectorsDelete from './connectors-delete.js';
import * as connectorsTest from './connectors-test.js';
import * as layersAddVersion from './layers-add-version.js';
import * as layersGallerySettings from './layers-gallery-settings.js';
import * as layersImport from './layers-import.js';
import * as layersVersionDetails from './layers-version-details.js';
import * as listPage from './list-page.js';
import * as wizardBack from './wizard-back.js';
import * as wizardConnectorSelected from './wizard-connector-selected.js';
import * as wizardLayerSelected from './wizard-layer-selected.js';

/** Block actions: buttons and dispatching inputs, one listener per file. */
export function register(app: App, services: Services): void {
  for (const listener of [
    autopilotLayerSelected,
    autopilotRunNow,
    connectorFormChoice,
    connectorOpen,
    connectorsDelete,
    connectorsTest,
    layersAddVersion,
    layersGallerySettings,
    layersImport,
    layersVersionDetails,
    listPage,
    wizardBack,
    wizardConnectorSelected,
    wizardLayerSelected,
  ]) {
    listener.register(app, services);
  }
}
