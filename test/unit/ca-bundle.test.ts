/** A real CA chain is longer than one Slack text input (3000 characters): it fits the connector modal's CA inputs whole. */
import { randomBytes } from 'node:crypto';
import { connectorFormValues, parseConnectorForm } from '../../src/domain/connector-validation.js';
import { connectorModal } from '../../views/connector-modal.js';
import { checkBlockKitLimits } from '../../views/limits.js';
import { connector } from '../fixtures/views/data.js';

/** A PEM certificate of the size a 4096-bit RSA certificate has (about 1900 characters). */
function pem(): string {
  const body = randomBytes(1400).toString('base64').match(/.{1,64}/g)!.join('\n');
  return `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----`;
}

it('keeps a three-certificate chain of more than 3000 characters whole, from the stored connector through the modal and back', () => {
  const chain = [pem(), pem(), pem()].join('\n');
  expect(chain.length).toBeGreaterThan(3000);
  const stored = connector(1, { cloud: 'Custom', customEndpoints: { armEndpoint: 'https://arm.example.local', portalHost: 'portal.example.local', storageSuffix: 'core.example.local', authorityHost: 'https://login.example.local', caBundle: chain } });
  const view = connectorModal({ values: connectorFormValues(stored), metadata: { connectorId: stored._id }, hasStoredSecret: true });
  expect(checkBlockKitLimits(view, 'modal')).toEqual([]);
  // What Slack sends back: every input's initial value.
  const typed = Object.fromEntries(
    (view.blocks as Array<{ type: string; block_id?: string; element?: { initial_value?: string } }>).flatMap((b) =>
      b.type === 'input' && b.element?.initial_value ? [[b.block_id!, b.element.initial_value]] : [],
    ),
  );
  const parsed = parseConnectorForm({ ...typed, cloud: 'Custom', authKind: 'client-secret' }, { hasStoredSecret: true });
  expect(parsed.ok && parsed.value.customEndpoints?.caBundle).toBe(chain);
});
