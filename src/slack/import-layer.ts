import type { WebClient } from '@slack/web-api';
import type { Repositories } from '../store/repositories.js';
import { importLayerModal } from '../../views/layers.js';

/** The import-layer modal, from the command or the layer list's Import button (called after ack()). */
export async function openImportLayer(repos: Repositories, client: WebClient, triggerId: string): Promise<void> {
  await client.views.open({ trigger_id: triggerId, view: importLayerModal({ connectors: await repos.connectors.list() }) });
}
