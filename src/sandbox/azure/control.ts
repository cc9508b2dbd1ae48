import type { SimulatorContext } from './context.js';
import { faultListSchema, type FaultList } from './faults.js';
import { guestControlSchema } from './guest.js';
import { z } from 'zod';
import { ArmError, parseBody, type Router } from './http.js';
import type { StorageRequestLog } from './storage-gateway.js';
import type { Principals } from './authorization/principals.js';
import { BUILT_IN_ROLE_NAMES } from './authorization/roles.js';
import { findStorageAccount, sharedKeyAllowed } from './storage-and-network.js';

/** The storage account facts the control API steers: who the app is, its roles, and how its requests were signed. */
export interface StorageControl {
  /** The simulated app's service principal (object id), whose role assignments the API sets. */
  principalId: string;
  principals: Principals;
  storageRequests: StorageRequestLog;
}

const storageControlSchema = z.object({
  allowSharedKeyAccess: z.boolean().optional(),
  /** The app's built-in roles assigned on the account itself, replacing those it held there (assignments above it stay). */
  roles: z.array(z.enum(BUILT_IN_ROLE_NAMES as [string, ...string[]])).optional(),
});

/** Tests and the sandbox steer the simulator here, without credentials. Never faulted. */
export function registerControlRoutes(router: Router, context: SimulatorContext, faults: FaultList, storage: StorageControl): void {
  const anonymous = { anonymous: true };
  router.add('GET', '/_simulator/inventory', () => ({ status: 200, body: { resources: context.store.inventory() } }), anonymous);
  router.add('GET', '/_simulator/guest/:vm', (req) => ({ status: 200, body: context.guests.view(req.params.vm!) }), anonymous);
  router.add(
    'PUT',
    '/_simulator/guest/:vm',
    (req) => ({ status: 200, body: context.guests.control(req.params.vm!, parseBody(guestControlSchema, req)) }),
    anonymous,
  );
  // Guest fields every VM created afterwards starts with (fields set for a VM's own name still win).
  router.add('PUT', '/_simulator/guest-defaults', (req) => ({ status: 200, body: context.guests.setDefaults(parseBody(guestControlSchema, req)) }), anonymous);
  const storageAccount = (name: string) => {
    const account = findStorageAccount(context.store, name);
    if (!account) throw new ArmError(404, 'StorageAccountNotFound', `The storage account ${name} was not found.`);
    return account;
  };
  const storageView = (name: string) => ({
    name,
    allowSharedKeyAccess: sharedKeyAllowed(context.store, storageAccount(name).name),
    principalId: storage.principalId,
    roles: storage.principals.rolesAt(storage.principalId, storageAccount(name).id),
    requests: storage.storageRequests.of(name),
  });
  router.add('GET', '/_simulator/storage/:account', (req) => ({ status: 200, body: storageView(req.params.account!) }), anonymous);
  // Like an admin (or Azure Policy) switching "Allow storage account key access" off in the portal,
  // or changing the app's role assignments on the account.
  router.add(
    'PUT',
    '/_simulator/storage/:account',
    (req) => {
      const { allowSharedKeyAccess, roles } = parseBody(storageControlSchema, req);
      const account = storageAccount(req.params.account!);
      if (allowSharedKeyAccess !== undefined) account.properties.allowSharedKeyAccess = allowSharedKeyAccess;
      if (roles) storage.principals.replaceAt(storage.principalId, account.id, roles);
      return { status: 200, body: storageView(account.name) };
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

