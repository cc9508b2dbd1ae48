import type { SimulatorContext } from './context.js';
import { faultListSchema, type FaultList } from './faults.js';
import { guestChangesSchema } from './guest.js';
import { parseBody, type Router } from './http.js';

/** Tests and the sandbox steer the simulator here, without credentials. Never faulted. */
export function registerControlRoutes(router: Router, context: SimulatorContext, faults: FaultList): void {
  const anonymous = { anonymous: true };
  router.add('GET', '/_simulator/inventory', () => ({ status: 200, body: { resources: context.store.inventory() } }), anonymous);
  router.add('GET', '/_simulator/guest/:vm', (req) => ({ status: 200, body: context.guests.flags(req.params.vm!) }), anonymous);
  router.add(
    'PUT',
    '/_simulator/guest/:vm',
    (req) => ({ status: 200, body: context.guests.update(req.params.vm!, parseBody(guestChangesSchema, req)) }),
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

