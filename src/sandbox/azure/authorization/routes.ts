/**
 * The authorization routes: ARM's permissions API for the caller, and the control API that sets
 * who holds which role.
 *
 * `GET {resource group or resource}/providers/Microsoft.Authorization/permissions?api-version=2022-04-01`
 * answers `{"value": [{actions, notActions, dataActions, notDataActions}, …]}`, one entry per role
 * assignment of the caller that applies there (made at that scope or above): the
 * `PermissionGetResult` of Permissions_ListForResourceGroup and Permissions_ListForResource in
 * Azure/azure-rest-api-specs specification/authorization/resource-manager/Microsoft.Authorization/stable/2022-04-01/authorization-ProviderOperationsCalls.json.
 */
import { z } from 'zod';
import { ArmError, parseBody, type Router, type SimRequest, type SimResponse } from '../http.js';
import type { Principals } from './principals.js';

const customRole = z.object({
  name: z.string().min(1),
  actions: z.array(z.string()).optional(),
  notActions: z.array(z.string()).optional(),
  dataActions: z.array(z.string()).optional(),
  notDataActions: z.array(z.string()).optional(),
});

const assignmentsSchema = z.object({
  roleAssignments: z.array(z.object({ role: z.union([z.string().min(1), customRole]), scope: z.string().regex(/^\/subscriptions\/[^/]+/i) })),
});

/** Signs a user in, as the portal's sign-in page would: an ARM access token for them. */
export type UserSignIn = (user: { objectId: string; name: string }) => Promise<string>;

export function registerAuthorizationRoutes(router: Router, principals: Principals, signIn: UserSignIn): void {
  const permissions = (req: SimRequest): SimResponse => {
    if (!req.caller) throw new ArmError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.");
    // A top-level resource's empty parent path (`providers/Microsoft.Compute//galleries/g`) names the resource itself.
    const scope = req.path.replace(/\/providers\/Microsoft\.Authorization\/permissions\/?$/i, '').replace(/\/{2,}/g, '/');
    const value = principals.grantsAt(req.caller.objectId, scope).map((grant) => ({
      actions: [...grant.actions],
      notActions: [...grant.notActions],
      dataActions: [...grant.dataActions],
      notDataActions: [...grant.notDataActions],
    }));
    return { status: 200, body: { value } };
  };
  const group = '/subscriptions/:sub/resourcegroups/:rg';
  const suffix = 'providers/Microsoft.Authorization/permissions';
  router.add('GET', `${group}/${suffix}`, permissions);
  router.add('GET', `${group}/providers/:ns/:type/:name/${suffix}`, permissions);
  // Permissions_ListForResource with parentResourcePath '' for a top-level resource, as the SDKs send it
  // (Azure/azure-sdk-for-python, azure-mgmt-authorization's recorded test_list_by_resource).
  router.add('GET', `${group}/providers/:ns//:type/:name/${suffix}`, permissions);
  router.add('GET', `${group}/providers/:ns/:ptype/:pname/:type/:name/${suffix}`, permissions);

  const anonymous = { anonymous: true };
  router.add('GET', '/_simulator/principals', () => ({ status: 200, body: principals.list() }), anonymous);
  // Like an admin changing the principal's role assignments in Access control (IAM).
  router.add(
    'PUT',
    '/_simulator/principals/:id',
    (req) => ({ status: 200, body: principals.replace(req.params.id!, parseBody(assignmentsSchema, req).roleAssignments) }),
    anonymous,
  );
  // The portal stand-in's session: a user (not an app) signed in to the portal.
  router.add(
    'POST',
    '/_simulator/principals/:id/token',
    async (req) => {
      const user = principals.find(req.params.id!);
      if (user.clientId) throw new ArmError(400, 'NotAUser', `${user.name} is a service principal; it signs in with its client credentials.`);
      return { status: 200, body: { access_token: await signIn({ objectId: user.objectId, name: user.name }) } };
    },
    anonymous,
  );
}
