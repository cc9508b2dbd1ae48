import type { SimulatorContext } from './context.js';
import { faultListSchema, type FaultList } from './faults.js';
import { guestControlSchema } from './guest.js';
import { z } from 'zod';
import { ArmError, parseBody, type Router } from './http.js';

/** Tests and the sandbox steer the simulator here, without credentials. Never faulted. */
export function registerControlRoutes(router: Router, context: SimulatorContext, faults: FaultList): void {
  const anonymous = { anonymous: true };
  router.add('GET', '/_simulator/inventory', () => ({ status: 200, body: { resources: context.store.inventory() } }), anonymous);
  router.add('GET', '/_simulator/guest/:vm', (req) => ({ status: 200, body: context.guests.view(req.params.vm!) }), anonymous);
  router.add(
    'PUT',
    '/_simulator/guest/:vm',
    (req) => ({ status: 200, body: context.guests.control(req.params.vm!, parseBody(guestControlSchema, req)) }),
    anonymous,
  );
  // Like an admin (or Azure Policy) switching "Allow storage account key access" off in the portal.
  router.add(
    'PUT',
    '/_simulator/storage/:account',
    (req) => {
      const { allowSharedKeyAccess } = parseBody(z.object({ allowSharedKeyAccess: z.boolean() }), req);
      const account = context.store.plain.values().find((r) => r.type === 'Microsoft.Storage/storageAccounts' && r.name === req.params.account);
      if (!account) throw new ArmError(404, 'StorageAccountNotFound', `The storage account ${req.params.account!} was not found.`);
      account.properties.allowSharedKeyAccess = allowSharedKeyAccess;
      return { status: 200, body: { name: account.name, allowSharedKeyAccess } };
    },
    anonymous,
  );
  router.add('GET', '/_simulator/faults', () => ({ status: 200, body: { faults: faults.remaining() } }), anonymous);
  router.add(
    'PUT',
    '/_simulator/faults',
    (req) => {
      faults.replace(parseBody(faultListSchema, req).faults);
      return { status: 200, body: { faults: faults.remaining() } };
    },
    anonymous,
  );
}

