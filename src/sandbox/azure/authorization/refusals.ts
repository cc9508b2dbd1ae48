/**
 * ARM's refusals for want of a role, in its words (as quoted in Azure/azure-quickstart-templates#8920,
 * kubernetes-sigs/cloud-provider-azure#1999, Azure-Samples/azure-search-openai-demo#1483):
 *
 * - 403 AuthorizationFailed: "The client '{client}' with object id '{oid}' does not have
 *   authorization to perform action '{operation}' over scope '{scope}' or the scope is invalid.
 *   If access was recently granted, please refresh your credentials."
 * - 403 LinkedAuthorizationFailed: "The client '{client}' with object id '{oid}' has permission to
 *   perform action '{operation}' on scope '{scope}'; however, it does not have permission to
 *   perform action '{linked}' on the linked scope(s) '{linked scope}' or the linked scope(s) are invalid."
 * - a template resource the deploying client may not write: 400 InvalidTemplateDeployment, "The
 *   template deployment failed with error: 'Authorization failed for template resource '{name}'
 *   of type '{type}'. The client '{client}' with object id '{oid}' does not have permission to
 *   perform action '{operation}' at scope '{scope}'.'."
 *
 * The client is a service principal's application id, or a user's name.
 */
import { ArmError } from '../http.js';
import type { Principals } from './principals.js';
import type { RequestOperations } from './request-operations.js';

/** Throws ARM's refusal unless `objectId` may do the request's operation and its linked ones. */
export function authorizeRequest(principals: Principals, objectId: string, checks: RequestOperations): void {
  const client = `The client '${principals.clientName(objectId)}' with object id '${objectId}'`;
  if (!principals.allows(objectId, checks.scope, checks.operation)) {
    throw new ArmError(
      403,
      'AuthorizationFailed',
      `${client} does not have authorization to perform action '${checks.operation}' over scope '${checks.scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    );
  }
  const refused = checks.linked.find((linked) => !principals.allows(objectId, linked.scope, linked.operation));
  if (refused) {
    throw new ArmError(
      403,
      'LinkedAuthorizationFailed',
      `${client} has permission to perform action '${checks.operation}' on scope '${checks.scope}'; however, it does not have permission to perform action '${refused.operation}' on the linked scope(s) '${refused.scope}' or the linked scope(s) are invalid.`,
    );
  }
}

/** The same checks for a resource of a template, answered as ARM's preflight answers them. */
export function authorizeTemplateResource(principals: Principals, objectId: string, resource: { name: string; type: string }, checks: RequestOperations): void {
  const client = `The client '${principals.clientName(objectId)}' with object id '${objectId}'`;
  const refused = [{ operation: checks.operation, scope: checks.scope }, ...checks.linked].find((c) => !principals.allows(objectId, c.scope, c.operation));
  if (!refused) return;
  throw new ArmError(
    400,
    'InvalidTemplateDeployment',
    `The template deployment failed with error: 'Authorization failed for template resource '${resource.name}' of type '${resource.type}'. ${client} does not have permission to perform action '${refused.operation}' at scope '${refused.scope}'.'.`,
  );
}
