/** The New/Edit connector modal for a stored connector (or none), wherever it is opened from. */
import type { ModalView } from '@slack/types';
import { connectorFormValues } from '../domain/connector-validation.js';
import type { Repositories } from '../store/repositories.js';
import { connectorModal, type ConnectorModalMetadata } from '../../views/connector-modal.js';
import { noticeView } from './replies.js';
import { mrkdwn } from '../../views/blocks.js';

export async function connectorModalFor(repos: Repositories, metadata: ConnectorModalMetadata): Promise<ModalView> {
  if (!metadata.connectorId) return connectorModal({ values: {}, metadata, hasStoredSecret: false });
  const connector = await repos.connectors.get(metadata.connectorId);
  if (!connector) return noticeView(mrkdwn`That connector was deleted. \`/oslayer connectors\` lists the ones there are.`);
  // The stored secret is never put in the view: the modal only says one is kept.
  return connectorModal({ values: connectorFormValues(connector), metadata, hasStoredSecret: connector.auth.kind === 'client-secret' });
}
