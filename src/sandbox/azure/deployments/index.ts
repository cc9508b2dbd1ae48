/**
 * Microsoft.Resources/deployments, as the portal's Custom deployment uses it: a PUT at
 * resource-group or subscription scope with an inline template and parameter values. Like ARM,
 * the simulator first validates the whole template (parameters, expressions, and every
 * resource against its declared apiVersion, nested deployments included) and refuses an invalid
 * one with 400 InvalidTemplate / InvalidTemplateDeployment; then it accepts (201 + polling
 * headers) and creates the resources in dependsOn order by sending each one's PUT to its
 * resource provider, the same route the SDK path uses. A resource that fails makes the
 * deployment Failed with DeploymentFailed wrapping the provider's error.
 */
import { randomUUID } from 'node:crypto';
import type { SimulatorContext } from '../context.js';
import type { Principals } from '../authorization/principals.js';
import { authorizeTemplateResource } from '../authorization/refusals.js';
import { requestOperations } from '../authorization/request-operations.js';
import { ArmError, jsonBody, type ArmErrorDetail, type Router, type SimRequest, type SimResponse } from '../http.js';
import { normalizeLocation } from '../resources.js';
import { validateRequest } from '../validation/contracts.js';
import { evaluate, resolveParameters, templateError, type TemplateContext, type TemplateScope } from './template.js';

const DEPLOYMENT_TYPE = 'Microsoft.Resources/deployments';
const RESOURCE_GROUP_SCHEMA = /\/deploymentTemplate\.json#?$/i;
const SUBSCRIPTION_SCHEMA = /\/subscriptionDeploymentTemplate\.json#?$/i;
/** Template members that say where and when to deploy, not what: never part of the resource's body. */
const TEMPLATE_ONLY = new Set(['type', 'apiversion', 'name', 'dependson', 'condition', 'copy', 'comments', 'scope', 'resourcegroup', 'subscriptionid', 'metadata']);

/** A PUT sent to a resource provider on the deployment's behalf (no caller token: ARM's own). */
export type ProviderCall = (req: { method: string; path: string; apiVersion: string; body: unknown; origin: string }) => Promise<SimResponse>;

/** A deployment as ARM keeps it; plain data, so the sandbox's saved state carries it across restarts. */
export interface DeploymentRecord {
  id: string;
  name: string;
  location?: string;
  mode: string;
  parameters: Record<string, unknown>;
  provisioningState: 'Accepted' | 'Running' | 'Succeeded' | 'Failed';
  timestamp: string;
  correlationId: string;
  outputResources: string[];
  error?: ArmErrorDetail;
}

interface PlannedResource {
  id: string;
  type: string;
  apiVersion: string;
  body: Record<string, unknown>;
  dependsOn: string[];
  /** Set for a nested Microsoft.Resources/deployments: what it deploys, where. */
  nested?: PlannedDeployment & { name: string };
}

interface PlannedDeployment {
  scopePath: string;
  resources: PlannedResource[];
}

interface TemplateResource extends Record<string, unknown> {
  type: string;
  apiVersion: string;
  name: string;
}

interface Template {
  $schema?: string;
  parameters?: Record<string, Record<string, unknown>>;
  variables?: Record<string, unknown>;
  resources?: TemplateResource[];
}

interface DeploymentBody {
  location?: string;
  properties: { template?: Template; templateLink?: unknown; parameters?: Record<string, unknown>; mode: string; expressionEvaluationOptions?: { scope?: string } };
}

/** Deployments by lower-cased id, kept in the simulator context. */
export type DeploymentRecords = Map<string, DeploymentRecord>;

export class Deployments {
  constructor(
    private readonly context: SimulatorContext,
    private readonly call: ProviderCall,
    private readonly principals: Principals,
  ) {}

  register(router: Router): void {
    const atGroup = '/subscriptions/:sub/resourcegroups/:rg/providers/Microsoft.Resources/deployments/:name';
    const atSubscription = '/subscriptions/:sub/providers/Microsoft.Resources/deployments/:name';
    router.add('PUT', atGroup, (req) => this.put(req, this.groupScope(req)));
    router.add('PUT', atSubscription, (req) => this.put(req, this.subscriptionScope(req)));
    router.add('GET', atGroup, (req) => this.get(this.groupScope(req), req.params.name!));
    router.add('GET', atSubscription, (req) => this.get(this.subscriptionScope(req), req.params.name!));
  }

  private groupScope(req: SimRequest): TemplateScope {
    const group = this.context.store.requireResourceGroup(req.params.sub!, req.params.rg!);
    return { subscriptionId: this.context.store.subscriptionId, resourceGroup: { name: group.name, location: group.location } };
  }

  private subscriptionScope(req: SimRequest): TemplateScope {
    if (req.params.sub!.toLowerCase() !== this.context.store.subscriptionId.toLowerCase()) {
      throw new ArmError(404, 'SubscriptionNotFound', `The subscription '${req.params.sub}' could not be found.`);
    }
    return { subscriptionId: this.context.store.subscriptionId };
  }

  private get(scope: TemplateScope, name: string): SimResponse {
    const record = this.context.deployments.get(deploymentId(scope, name).toLowerCase());
    if (!record) throw new ArmError(404, 'DeploymentNotFound', `Deployment '${name}' could not be found.`);
    return { status: 200, body: render(record) };
  }

  private put(req: SimRequest, scope: TemplateScope): SimResponse {
    const name = req.params.name!;
    const body = jsonBody(req) as unknown as DeploymentBody;
    if (!scope.resourceGroup && !body.location) {
      throw new ArmError(400, 'LocationRequired', "The location property is required for this definition.");
    }
    const id = deploymentId(scope, name);
    const existing = this.context.deployments.get(id.toLowerCase());
    if (existing && (existing.provisioningState === 'Accepted' || existing.provisioningState === 'Running')) {
      throw new ArmError(409, 'DeploymentActive', `The deployment '${name}' cannot be saved, because this would overwrite an existing deployment which is still active.`);
    }
    const plan = this.planDeployment(name, body, scope, req.caller?.objectId ?? '');
    const record = this.startRecord(id, name, body);
    return this.context.operations.begin(req, () => this.execute(record, plan, req.origin), {
      status: 201,
      body: render(record),
      durationMs: 0,
      statusPath: `${id}/operationStatuses`,
    });
  }

  private startRecord(id: string, name: string, body: DeploymentBody): DeploymentRecord {
    const record: DeploymentRecord = {
      id,
      name,
      ...(body.location ? { location: normalizeLocation(body.location) } : {}),
      mode: body.properties.mode,
      parameters: body.properties.parameters ?? {},
      provisioningState: 'Accepted',
      timestamp: new Date().toISOString(),
      correlationId: randomUUID(),
      outputResources: [],
    };
    this.context.deployments.set(id.toLowerCase(), record);
    return record;
  }

  /** ARM's preflight: the whole template evaluated and every resource validated before anything is created. */
  private planDeployment(name: string, body: DeploymentBody, scope: TemplateScope, caller: string, outer?: TemplateContext): PlannedDeployment {
    const { template, templateLink, parameters = {} } = body.properties;
    if (!template) {
      throw templateError(templateLink ? 'The simulator deploys inline templates only; the portal sends the template it downloaded' : 'The template is missing');
    }
    const schema = template.$schema ?? '';
    const expected = scope.resourceGroup ? RESOURCE_GROUP_SCHEMA : SUBSCRIPTION_SCHEMA;
    if (!expected.test(schema)) {
      throw templateError(`The template schema '${schema}' cannot be deployed at ${scope.resourceGroup ? 'resource group' : 'subscription'} scope`);
    }
    const inner = body.properties.expressionEvaluationOptions?.scope?.toLowerCase() === 'inner' || !outer;
    const context: TemplateContext = inner
      ? { scope, parameters: resolveParameters(template.parameters ?? {}, parameters), variables: {} }
      : { ...outer, scope };
    context.variables = evaluate(template.variables ?? {}, context) as Record<string, unknown>;
    const resources = (template.resources ?? []).map((resource) => this.planResource(name, resource, scope, context, caller));
    return { scopePath: scopePath(scope), resources };
  }

  private planResource(deploymentName: string, raw: TemplateResource, scope: TemplateScope, context: TemplateContext, caller: string): PlannedResource {
    const isDeployment = raw.type.toLowerCase() === DEPLOYMENT_TYPE.toLowerCase();
    // A nested deployment's own template is evaluated in its own scope, not here.
    const rawProperties = (raw.properties ?? {}) as { template?: Template };
    const resource = evaluate(isDeployment ? { ...raw, properties: { ...rawProperties, template: undefined } } : raw, context) as TemplateResource;
    const body = Object.fromEntries(Object.entries(resource).filter(([key]) => !TEMPLATE_ONLY.has(key.toLowerCase())));
    const dependsOn = ((resource.dependsOn as string[] | undefined) ?? []).map((dep) => dep.toLowerCase());
    if (isDeployment) {
      const target: TemplateScope = { subscriptionId: String(resource.subscriptionId ?? scope.subscriptionId) };
      const groupName = (resource.resourceGroup as string | undefined) ?? scope.resourceGroup?.name;
      if (groupName) {
        const group = this.context.store.requireResourceGroup(target.subscriptionId, groupName);
        target.resourceGroup = { name: group.name, location: group.location };
      }
      const deploymentBody = { ...body, properties: { ...(body.properties as object), template: rawProperties.template } } as unknown as DeploymentBody;
      const id = deploymentId(target, resource.name);
      this.preflight(deploymentName, { method: 'PUT', path: id, apiVersion: resource.apiVersion, body: deploymentBody }, resource, caller);
      const nested = this.planDeployment(resource.name, deploymentBody, target, caller, context);
      return { id, type: resource.type, apiVersion: resource.apiVersion, body: deploymentBody as unknown as Record<string, unknown>, dependsOn, nested: { ...nested, name: resource.name } };
    }
    if (!scope.resourceGroup) {
      throw templateError(`The resource '${resource.type}/${resource.name}' belongs in a resource group; deploy it through a nested deployment that names one`);
    }
    const path = `${scopePath(scope)}/providers/${resource.type}/${resource.name}`;
    this.preflight(deploymentName, { method: 'PUT', path, apiVersion: resource.apiVersion, body }, resource, caller);
    return { id: path, type: resource.type, apiVersion: resource.apiVersion, body, dependsOn };
  }

  /** The resource's body validated as its provider would, after the deploying client's rights to write it (and what it links to). */
  private preflight(deploymentName: string, request: { method: string; path: string; apiVersion: string; body: unknown }, resource: { name: string; type: string }, caller: string): void {
    const checks = requestOperations(request.method, request.path, () => request.body);
    if (checks) authorizeTemplateResource(this.principals, caller, resource, checks);
    try {
      validateRequest({ ...request, body: () => request.body }, this.context.config.location);
    } catch (error) {
      if (!(error instanceof ArmError)) throw error;
      throw new ArmError(
        400,
        'InvalidTemplateDeployment',
        `The template deployment '${deploymentName}' is not valid according to the validation procedure. The tracking id is '${randomUUID()}'. See inner errors for details.`,
        {},
        { details: [error.toDetail()] },
      );
    }
  }

  private async execute(record: DeploymentRecord, plan: PlannedDeployment, origin: string): Promise<unknown> {
    record.provisioningState = 'Running';
    try {
      for (const resource of inDependencyOrder(plan.resources)) {
        if (resource.nested) {
          const child = this.startRecord(resource.id, resource.nested.name, resource.body as unknown as DeploymentBody);
          await this.execute(child, resource.nested, origin);
          record.outputResources.push(...child.outputResources);
          continue;
        }
        await this.createResource(resource, origin);
        record.outputResources.push(resource.id);
      }
      record.provisioningState = 'Succeeded';
      return render(record);
    } catch (error) {
      const cause = error instanceof ArmError ? error : new ArmError(500, 'InternalServerError', String(error));
      const failure = new ArmError(
        cause.code === 'DeploymentFailed' ? cause.status : 400,
        'DeploymentFailed',
        'At least one resource deployment operation failed. Please list deployment operations for details. Please see https://aka.ms/arm-deployment-operations for usage details.',
        {},
        { details: [cause.toDetail()] },
      );
      record.error = failure.toDetail();
      record.provisioningState = 'Failed';
      throw failure;
    }
  }

  /** One resource, as ARM sends it to its provider, awaited to the end of its long-running operation. */
  private async createResource(resource: PlannedResource, origin: string): Promise<void> {
    const answer = await this.call({ method: 'PUT', path: resource.id, apiVersion: resource.apiVersion, body: resource.body, origin });
    if (answer.status >= 400) {
      const error = (answer.body as { error?: { code: string; message: string } }).error;
      throw new ArmError(answer.status, error?.code ?? 'ResourceDeploymentFailure', error?.message ?? `Creating ${resource.id} failed.`);
    }
    const settled = await this.context.operations.settled(answer);
    if (settled.status === 'Failed') {
      throw settled.error ?? new ArmError(400, 'ResourceDeploymentFailure', `The resource operation on '${resource.id}' completed with terminal provisioning state 'Failed'.`);
    }
  }
}

function scopePath(scope: TemplateScope): string {
  return scope.resourceGroup
    ? `/subscriptions/${scope.subscriptionId}/resourceGroups/${scope.resourceGroup.name}`
    : `/subscriptions/${scope.subscriptionId}`;
}

function deploymentId(scope: TemplateScope, name: string): string {
  return `${scopePath(scope)}/providers/${DEPLOYMENT_TYPE}/${name}`;
}

/** dependsOn entries are resource ids (or type/name pairs); a resource waits for those it names. */
function inDependencyOrder(resources: PlannedResource[]): PlannedResource[] {
  const ordered: PlannedResource[] = [];
  const pending = [...resources];
  const dependsOnPending = (resource: PlannedResource) =>
    resource.dependsOn.some((dep) => pending.some((other) => other !== resource && other.id.toLowerCase().endsWith(dep.replace(/^.*\/providers\//, ''))));
  while (pending.length > 0) {
    const ready = pending.find((resource) => !dependsOnPending(resource));
    if (!ready) throw templateError(`Circular dependency detected on resource: '${pending[0]!.id}'`);
    ordered.push(ready);
    pending.splice(pending.indexOf(ready), 1);
  }
  return ordered;
}

function render(record: DeploymentRecord): Record<string, unknown> {
  return {
    id: record.id,
    name: record.name,
    type: DEPLOYMENT_TYPE,
    ...(record.location ? { location: record.location } : {}),
    properties: {
      parameters: record.parameters,
      mode: record.mode,
      provisioningState: record.provisioningState,
      timestamp: record.timestamp,
      correlationId: record.correlationId,
      outputResources: record.outputResources.map((id) => ({ id })),
      ...(record.error ? { error: record.error } : {}),
    },
  };
}
