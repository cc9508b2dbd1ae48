/**
 * `npm run deploy:template`: writes deploy/azure/azuredeploy.json, the ARM template that runs the
 * bot itself on Azure Container Apps (the README's "Deploy the bot to Azure"). Written in
 * TypeScript, not Bicep: no Bicep compiler is installable here, and the role assignments must
 * come from src/azure/required-permissions.ts anyway. test/unit/deploy-template.test.ts fails
 * when the committed file and this generator differ, and checks the template against Microsoft's
 * template schemas (test/fixtures/arm-schemas/).
 *
 * What it makes, in the resource group it is deployed to: a Log Analytics workspace (the
 * environment's log destination, so the bot's JSON lines can be queried), a Container Apps
 * environment (Consumption workload profile), a user-assigned managed identity, a Key Vault in
 * RBAC mode holding the secrets, and the Container App. The identity's Azure roles are one
 * nested deployment per scope of required-permissions.ts (the subscription, the connector's
 * resource group, the virtual network, the storage account, the gallery), each deploying into
 * that scope's own subscription and resource group (learn.microsoft.com/azure/azure-resource-manager/
 * templates/deploy-to-resource-group, "Scope to subscription" and "Scope to resource group in
 * different subscription"); the custom roles are defined in the subscription's deployment.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { API_VERSIONS } from '../src/azure/api-versions.js';
import {
  CUSTOM_ROLES,
  REQUIRED_PERMISSIONS,
  requiredRoleAssignments,
  type ConnectorScopes,
  type PermissionCondition,
  type PermissionScope,
} from '../src/azure/required-permissions.js';
import { withGenerated } from './docs-roles.js';

export const DEPLOY_TEMPLATE_PATH = 'deploy/azure/azuredeploy.json';

/**
 * The api-version of each resource type the template deploys: the newest stable version each
 * provider has in Azure/azure-resource-manager-schemas (commit in test/fixtures/arm-schemas/SOURCES.md),
 * except role assignments and definitions, whose newest stable schema is 2022-04-01, and
 * deployments, which share the bot's pinned version.
 */
export const DEPLOY_API_VERSIONS = {
  'Microsoft.OperationalInsights/workspaces': '2025-07-01',
  'Microsoft.ManagedIdentity/userAssignedIdentities': '2024-11-30',
  'Microsoft.KeyVault/vaults': '2026-02-01',
  'Microsoft.KeyVault/vaults/secrets': '2026-02-01',
  'Microsoft.Authorization/roleAssignments': '2022-04-01',
  'Microsoft.Authorization/roleDefinitions': '2022-04-01',
  'Microsoft.App/managedEnvironments': '2026-01-01',
  'Microsoft.App/containerApps': '2026-01-01',
  'Microsoft.Resources/deployments': API_VERSIONS.deployments,
} as const;

type ResourceType = keyof typeof DEPLOY_API_VERSIONS;
type Json = Record<string, unknown>;

const RG_SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
const SUBSCRIPTION_SCHEMA = 'https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#';

/**
 * Built-in role ids, from Microsoft's built-in role definitions (the same vendored JSON the
 * sandbox enforces, sources in test/fixtures/arm/SOURCES.md), plus the one role the template
 * grants on its own vault: Key Vault Secrets User, 4633458b-17de-408a-b874-0445c86b69e6
 * (learn.microsoft.com/azure/role-based-access-control/built-in-roles/security, "Key Vault Secrets User":
 * read secret contents; what Container Apps' Key Vault references need, learn.microsoft.com/azure/
 * container-apps/manage-secrets "Reference secret from Key Vault").
 */
const KEY_VAULT_SECRETS_USER = { name: 'Key Vault Secrets User', id: '4633458b-17de-408a-b874-0445c86b69e6' };
/**
 * AcrPull, 7f951dda-4ed3-4680-a7ca-43fe172d538d (learn.microsoft.com/azure/role-based-access-control/built-in-roles/containers):
 * what a Container App's registry login with a managed identity needs (learn.microsoft.com/azure/container-apps/managed-identity-image-pull).
 */
const ACR_PULL = { name: 'AcrPull', id: '7f951dda-4ed3-4680-a7ca-43fe172d538d' };
const BUILT_IN_ROLE_IDS = new Map<string, string>([
  ...(JSON.parse(readFileSync(new URL('../src/sandbox/azure/roles/built-in-roles.json', import.meta.url), 'utf8')) as Array<{ roleName: string; name: string }>).map(
    (role) => [role.roleName, role.name] as const,
  ),
  [KEY_VAULT_SECRETS_USER.name, KEY_VAULT_SECRETS_USER.id],
]);

/** The Slack and store settings the bot reads from its environment (src/config.ts), each a Key Vault secret. */
const SECRETS = [
  { parameter: 'slackBotToken', secret: 'slack-bot-token', env: 'SLACK_BOT_TOKEN', description: 'Slack bot token (xoxb-…): OAuth & Permissions → Bot User OAuth Token.' },
  { parameter: 'slackSigningSecret', secret: 'slack-signing-secret', env: 'SLACK_SIGNING_SECRET', description: 'Slack signing secret: Basic Information → App Credentials.' },
  {
    parameter: 'mongodbUri',
    secret: 'mongodb-uri',
    env: 'MONGODB_URI',
    description: 'MongoDB connection string (mongodb:// or mongodb+srv://): Azure Cosmos DB for MongoDB vCore or any MongoDB 6+. The container has no lasting disk, so the embedded store is not an option.',
  },
  {
    parameter: 'secretKey',
    secret: 'oslayer-secret-key',
    env: 'OSLAYER_SECRET_KEY',
    description: 'The key that encrypts connector secrets in the store: 32 random bytes in base64 (openssl rand -base64 32). Keep it: a new one cannot read what the old one encrypted.',
  },
] as const;

/** What a conditional requirement of required-permissions.ts becomes: a template parameter, and the expression that reads it. */
const CONDITIONS: Readonly<Record<PermissionCondition, { parameter: string; definition: Json; expression: string; readme: string }>> = {
  'with public machine access': {
    parameter: 'publicMachineAccess',
    definition: { type: 'bool', defaultValue: false, metadata: { description: "The connector's Packaging machine access is public (a public IP and an RDP NSG per machine): grants the roles that needs." } },
    expression: "parameters('publicMachineAccess')",
    readme: 'only when `publicMachineAccess` is true',
  },
  "if the bot adds the portal's CORS rule itself": {
    parameter: 'addsPortalCorsRule',
    definition: { type: 'bool', defaultValue: false, metadata: { description: "Let the bot add the Azure portal's CORS rule to the storage account's blob service itself (otherwise add it once by hand)." } },
    expression: "parameters('addsPortalCorsRule')",
    readme: 'only when `addsPortalCorsRule` is true',
  },
  'with a Compute Gallery': {
    parameter: 'galleryId',
    definition: { type: 'string', defaultValue: '', metadata: { description: "Resource id of the connector's Azure Compute Gallery, or empty for none." } },
    expression: "not(empty(parameters('galleryId')))",
    readme: 'only when `galleryId` is set',
  },
};

/**
 * Where each scope of required-permissions.ts is, as template parameters: the resource id (an
 * expression), and whether the scope may be absent (its parameter empty).
 */
const SCOPES: Readonly<Record<PermissionScope, { slug: string; id: string; optional?: string; readme: string }>> = {
  subscription: { slug: 'subscription', id: "format('/subscriptions/{0}', parameters('connectorSubscriptionId'))", readme: 'the subscription `connectorSubscriptionId`' },
  'resource group': {
    slug: 'resource-group',
    id: "format('/subscriptions/{0}/resourceGroups/{1}', parameters('connectorSubscriptionId'), parameters('connectorResourceGroup'))",
    readme: 'the resource group `connectorResourceGroup`',
  },
  'virtual network': { slug: 'virtual-network', id: "parameters('virtualNetworkId')", readme: 'the virtual network `virtualNetworkId`' },
  'storage account': { slug: 'storage-account', id: "parameters('storageAccountId')", readme: 'the storage account `storageAccountId`' },
  'Compute Gallery': { slug: 'gallery', id: "parameters('galleryId')", optional: 'galleryId', readme: 'the gallery `galleryId`' },
};

/** Each scope stands for itself, so requiredRoleAssignments() answers in scope names. */
const SCOPE_NAMES = Object.fromEntries(Object.keys(SCOPES).map((scope) => [scope, scope])) as unknown as ConnectorScopes;

export interface TemplateRoleAssignment {
  role: string;
  scope: PermissionScope;
  /** Granted only when all of the role's operations at the scope are conditional on this. */
  when?: PermissionCondition;
}

/** requiredRoleAssignments() in scope names, each with the condition all its operations share (none if one has none). */
export function templateRoleAssignments(): TemplateRoleAssignment[] {
  return requiredRoleAssignments(SCOPE_NAMES).map(({ role, scope }) => {
    const at = scope as PermissionScope;
    const conditions = new Set(REQUIRED_PERMISSIONS.filter((entry) => entry.role === role && entry.scope === at).map((entry) => entry.when));
    const [only] = conditions;
    return { role, scope: at, ...(conditions.size === 1 && only ? { when: only } : {}) };
  });
}

const resource = (type: ResourceType, body: Json): Json => ({ type, apiVersion: DEPLOY_API_VERSIONS[type], ...body });
const slugOf = (role: string) => role.replace(/[^A-Za-z0-9]+(.)?/g, (_m, next: string | undefined) => (next ?? '').toUpperCase()).replace(/^./, (c) => c.toLowerCase());
const customRoleParameter = (role: string) => `${slugOf(role)}RoleId`;
const customRoleGuid = (role: string) => `guid(parameters('connectorSubscriptionId'), '${role}')`;
/** The subscription deployment's parameter holding a scope's id, for a custom role's assignableScopes. */
const scopeIdParameter = (scope: PermissionScope) => `${slugOf(SCOPES[scope].slug)}Id`;
const deploymentName = (scope: PermissionScope) => `[format('{0}-roles-${SCOPES[scope].slug}', parameters('name'))]`;
const identityId = "resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', variables('identityName'))";
const identity = (member: 'principalId' | 'clientId') => `reference(${identityId}, '${DEPLOY_API_VERSIONS['Microsoft.ManagedIdentity/userAssignedIdentities']}').${member}`;

/** Expressions for the subscription and resource group of the resource `id` (an expression; when `optional` names its parameter, it may be empty). */
function resourceParts(id: string, optional?: string): { subscriptionId: string; resourceGroup: string } {
  const part = (index: number, fallback: string) => (optional ? `if(empty(${id}), ${fallback}, split(${id}, '/')[${index}])` : `split(${id}, '/')[${index}]`);
  return { subscriptionId: part(2, 'subscription().subscriptionId'), resourceGroup: part(4, 'resourceGroup().name') };
}

/** A nested deployment's target: the subscription and resource group of the resource `id`. */
function resourceTarget(id: string, optional?: string): Json {
  const { subscriptionId, resourceGroup } = resourceParts(id, optional);
  return { subscriptionId: `[${subscriptionId}]`, resourceGroup: `[${resourceGroup}]` };
}

/** The subscription and resource group a scope's nested deployment targets. */
function target(scope: PermissionScope): Json {
  if (scope === 'subscription') return { subscriptionId: "[parameters('connectorSubscriptionId')]", location: "[parameters('location')]" };
  if (scope === 'resource group') return { subscriptionId: "[parameters('connectorSubscriptionId')]", resourceGroup: "[parameters('connectorResourceGroup')]" };
  return resourceTarget(SCOPES[scope].id, SCOPES[scope].optional);
}

function roleDefinitionId(role: string): string {
  if (CUSTOM_ROLES.some((custom) => custom.name === role)) return `[parameters('${customRoleParameter(role)}')]`;
  const id = BUILT_IN_ROLE_IDS.get(role);
  if (!id) throw new Error(`no built-in role id for ${role}`);
  return `[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '${id}')]`;
}

/** One role assignment for the identity, in a nested template whose parameters are principalId and scopeId. */
function assignment({ role, roleDefinitionId, onResource, condition, description }: { role: string; roleDefinitionId: string; onResource: boolean; condition?: string; description: string }): Json {
  return resource('Microsoft.Authorization/roleAssignments', {
    name: `[guid(parameters('scopeId'), parameters('principalId'), '${role}')]`,
    ...(condition ? { condition: `[${condition}]` } : {}),
    // An extension resource on a resource is scoped by its provider-relative id (learn.microsoft.com/azure/azure-resource-manager/templates/scope-extension-resources).
    ...(onResource ? { scope: "[last(split(parameters('scopeId'), '/providers/'))]" } : {}),
    properties: {
      roleDefinitionId,
      principalId: "[parameters('principalId')]",
      // The identity is new: without the type, ARM may not find the principal yet (PrincipalNotFound).
      principalType: 'ServicePrincipal',
      description,
    },
  });
}

/** A role of required-permissions.ts at its scope. */
function roleAssignment({ role, scope, when }: TemplateRoleAssignment): Json {
  return assignment({
    role,
    roleDefinitionId: roleDefinitionId(role),
    onResource: scope !== 'subscription' && scope !== 'resource group',
    ...(when ? { condition: CONDITIONS[when].expression } : {}),
    description: `oslayer: ${role} on ${scope === 'subscription' ? 'the subscription' : `the connector's ${scope}`}`,
  });
}

type InnerParameter = [name: string, definition: Json, value: string];

/** A nested deployment into another scope, its template evaluated there with `inner` passed in (principalId and scopeId first). */
function nestedDeployment(body: { name: string; condition?: string; target: Json; dependsOn: string[]; subscriptionLevel?: boolean; inner: InnerParameter[]; resources: Json[] }): Json {
  return resource('Microsoft.Resources/deployments', {
    name: body.name,
    ...(body.condition ? { condition: body.condition } : {}),
    ...body.target,
    dependsOn: [`[${identityId}]`, ...body.dependsOn],
    properties: {
      mode: 'Incremental',
      expressionEvaluationOptions: { scope: 'inner' },
      parameters: Object.fromEntries(body.inner.map(([name, , value]) => [name, { value }])),
      template: {
        $schema: body.subscriptionLevel ? SUBSCRIPTION_SCHEMA : RG_SCHEMA,
        contentVersion: '1.0.0.0',
        parameters: Object.fromEntries(body.inner.map(([name, definition]) => [name, definition])),
        resources: body.resources,
      },
    },
  });
}

const identityParameters = (scopeId: string): InnerParameter[] => [
  ['principalId', { type: 'string' }, `[${identity('principalId')}]`],
  ['scopeId', { type: 'string' }, `[${scopeId}]`],
];

/** The custom roles, defined in the connector's subscription, assignable where the template assigns them. */
function customRoleDefinitions(assignments: TemplateRoleAssignment[]): Json[] {
  return CUSTOM_ROLES.filter((role) => assignments.some((a) => a.role === role.name)).map((role) =>
    resource('Microsoft.Authorization/roleDefinitions', {
      name: `[${customRoleGuid(role.name)}]`,
      properties: {
        roleName: role.name,
        description: role.description,
        type: 'CustomRole',
        permissions: [{ actions: role.actions, notActions: role.notActions, dataActions: role.dataActions, notDataActions: role.notDataActions }],
        assignableScopes: [...new Set(assignments.filter((a) => a.role === role.name).map((a) => (a.scope === 'subscription' ? "[parameters('scopeId')]" : `[parameters('${scopeIdParameter(a.scope)}')]`)))],
      },
    }),
  );
}

/** One nested deployment per scope: its role assignments (and, for the subscription, the custom role definitions). */
function roleDeployment(scope: PermissionScope, assignments: TemplateRoleAssignment[], all: TemplateRoleAssignment[]): Json {
  const definitions = scope === 'subscription' ? customRoleDefinitions(all) : [];
  const customHere = [...new Set(assignments.map((a) => a.role).filter((role) => CUSTOM_ROLES.some((custom) => custom.name === role)))];
  const conditions = [...new Set(assignments.flatMap((a) => (a.when ? [a.when] : [])))];
  const scopesOfCustomRoles = scope === 'subscription' ? [...new Set(all.filter((a) => CUSTOM_ROLES.some((c) => c.name === a.role)).map((a) => a.scope))] : [];
  const inner: InnerParameter[] = [
    ...identityParameters(SCOPES[scope].id),
    ...conditions.map((when): InnerParameter => [CONDITIONS[when].parameter, { type: CONDITIONS[when].definition.type }, `[parameters('${CONDITIONS[when].parameter}')]`]),
    ...customHere.map((role): InnerParameter => [
      customRoleParameter(role),
      { type: 'string' },
      `[subscriptionResourceId(parameters('connectorSubscriptionId'), 'Microsoft.Authorization/roleDefinitions', ${customRoleGuid(role)})]`,
    ]),
    ...scopesOfCustomRoles.filter((s) => s !== scope).map((s): InnerParameter => [scopeIdParameter(s), { type: 'string' }, `[${SCOPES[s].id}]`]),
  ];
  const optional = SCOPES[scope].optional;
  return nestedDeployment({
    name: deploymentName(scope),
    ...(optional ? { condition: `[not(empty(parameters('${optional}')))]` } : {}),
    target: target(scope),
    dependsOn:
      customHere.length > 0 ? [`[subscriptionResourceId(parameters('connectorSubscriptionId'), 'Microsoft.Resources/deployments', format('{0}-roles-${SCOPES.subscription.slug}', parameters('name')))]`] : [],
    subscriptionLevel: scope === 'subscription',
    inner,
    resources: [...definitions, ...assignments.map(roleAssignment)],
  });
}

const REGISTRY = "parameters('containerRegistryId')";
const acrPullDeploymentName = "format('{0}-acr-pull', parameters('name'))";
const registryParts = resourceParts(REGISTRY, 'containerRegistryId');

/** AcrPull for the identity on the registry holding the image, when there is one. */
function acrPullDeployment(): Json {
  return nestedDeployment({
    name: `[${acrPullDeploymentName}]`,
    condition: `[not(empty(${REGISTRY}))]`,
    target: resourceTarget(REGISTRY, 'containerRegistryId'),
    dependsOn: [],
    inner: identityParameters(REGISTRY),
    resources: [
      assignment({
        role: ACR_PULL.name,
        roleDefinitionId: `[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '${ACR_PULL.id}')]`,
        onResource: true,
        description: "oslayer: pull the bot's image",
      }),
    ],
  });
}

/** The registry login: none for a public image, else the registry's login server with the identity. */
const registries = `[if(empty(${REGISTRY}), createArray(), createArray(createObject('server', format('{0}{1}', toLower(last(split(${REGISTRY}, '/'))), environment().suffixes.acrLoginServer), 'identity', ${identityId})))]`;

const secretUri = (name: string) => `[reference(resourceId('Microsoft.KeyVault/vaults/secrets', variables('vaultName'), '${name}'), '${DEPLOY_API_VERSIONS['Microsoft.KeyVault/vaults/secrets']}').secretUri]`;
const probe = (type: 'Startup' | 'Liveness' | 'Readiness', path: string, periodSeconds: number, failureThreshold: number): Json => ({
  type,
  httpGet: { path, port: "[parameters('port')]" },
  periodSeconds,
  failureThreshold,
  timeoutSeconds: 5,
});

/** The whole template. */
export function deploymentTemplate(): Json {
  const assignments = templateRoleAssignments();
  const scopes = [...new Set(assignments.map((a) => a.scope))];
  const workspaceId = "resourceId('Microsoft.OperationalInsights/workspaces', variables('workspaceName'))";
  const vaultId = "resourceId('Microsoft.KeyVault/vaults', variables('vaultName'))";
  const environmentId = "resourceId('Microsoft.App/managedEnvironments', variables('environmentName'))";
  const vaultRoleName = `guid(${vaultId}, variables('identityName'), '${KEY_VAULT_SECRETS_USER.name}')`;
  const vaultRoleId = `extensionResourceId(${vaultId}, 'Microsoft.Authorization/roleAssignments', ${vaultRoleName})`;
  const secretIds = SECRETS.map(({ secret }) => `[resourceId('Microsoft.KeyVault/vaults/secrets', variables('vaultName'), '${secret}')]`);
  return {
    $schema: RG_SCHEMA,
    contentVersion: '1.0.0.0',
    metadata: {
      description: 'oslayer, the Slack bot that adds versions to Windows OS layers, on Azure Container Apps with a user-assigned managed identity. Generated by npm run deploy:template from src/azure/required-permissions.ts; do not edit by hand.',
    },
    parameters: {
      name: {
        type: 'string',
        defaultValue: 'oslayer',
        minLength: 2,
        maxLength: 20,
        metadata: { description: 'Prefix of every resource name: lower-case letters, digits and hyphens, starting with a letter (Container Apps names).' },
      },
      location: { type: 'string', defaultValue: '[resourceGroup().location]', metadata: { description: 'Region of the bot and its resources.' } },
      image: {
        type: 'string',
        metadata: { description: "The bot's container image, built from the repository's Dockerfile (e.g. myregistry.azurecr.io/oslayer:1.0)." },
      },
      containerRegistryId: {
        type: 'string',
        defaultValue: '',
        metadata: { description: 'Resource id of the Azure Container Registry holding the image: the identity gets AcrPull there and the app pulls with it. Empty for a public image.' },
      },
      port: { type: 'int', defaultValue: 3000, minValue: 1, maxValue: 65535, metadata: { description: 'The port the bot listens on (PORT): POST /slack/events, /healthz, /readyz, /metrics.' } },
      maxReplicas: { type: 'int', defaultValue: 1, minValue: 1, maxValue: 10, metadata: { description: 'At most this many replicas (at least one always runs); several share the store and take over each other\'s jobs.' } },
      ...Object.fromEntries(SECRETS.map(({ parameter, description }) => [parameter, { type: 'securestring', metadata: { description } }])),
      admins: { type: 'string', defaultValue: '', metadata: { description: 'OSLAYER_ADMINS: Slack user ids of the Administrators, comma-separated (U0123ABCD,U0456EFGH).' } },
      notifyChannel: { type: 'string', defaultValue: '', metadata: { description: 'OSLAYER_NOTIFY_CHANNEL: optional channel id (C0123ABCD) for notifications.' } },
      connectorSubscriptionId: {
        type: 'string',
        defaultValue: '[subscription().subscriptionId]',
        metadata: { description: "The subscription the connector works in (Reader there; the custom role is defined there)." },
      },
      connectorResourceGroup: { type: 'string', metadata: { description: "The connector's resource group, in that subscription: packaging machines, their disks and NICs." } },
      virtualNetworkId: { type: 'string', metadata: { description: "Resource id of the virtual network of the connector's subnet (/subscriptions/…/resourceGroups/…/providers/Microsoft.Network/virtualNetworks/…)." } },
      storageAccountId: { type: 'string', metadata: { description: "Resource id of the connector's storage account (/subscriptions/…/providers/Microsoft.Storage/storageAccounts/…)." } },
      ...Object.fromEntries(Object.values(CONDITIONS).map(({ parameter, definition }) => [parameter, definition])),
      logRetentionDays: { type: 'int', defaultValue: 30, minValue: 30, maxValue: 730, metadata: { description: "Days the Log Analytics workspace keeps the bot's log lines." } },
    },
    variables: {
      workspaceName: "[format('{0}-logs', parameters('name'))]",
      environmentName: "[format('{0}-env', parameters('name'))]",
      identityName: "[format('{0}-identity', parameters('name'))]",
      // Vault names are global, 3-24 characters.
      vaultName: "[format('{0}-{1}', take(parameters('name'), 10), uniqueString(resourceGroup().id, parameters('name')))]",
    },
    resources: [
      resource('Microsoft.OperationalInsights/workspaces', {
        name: "[variables('workspaceName')]",
        location: "[parameters('location')]",
        properties: { sku: { name: 'PerGB2018' }, retentionInDays: "[parameters('logRetentionDays')]" },
      }),
      resource('Microsoft.ManagedIdentity/userAssignedIdentities', {
        name: "[variables('identityName')]",
        location: "[parameters('location')]",
        properties: {},
      }),
      resource('Microsoft.KeyVault/vaults', {
        name: "[variables('vaultName')]",
        location: "[parameters('location')]",
        properties: {
          tenantId: '[subscription().tenantId]',
          sku: { family: 'A', name: 'standard' },
          enableRbacAuthorization: true,
          enableSoftDelete: true,
          softDeleteRetentionInDays: 90,
        },
      }),
      ...SECRETS.map(({ parameter, secret }) =>
        resource('Microsoft.KeyVault/vaults/secrets', {
          name: `[format('{0}/${secret}', variables('vaultName'))]`,
          dependsOn: [`[${vaultId}]`],
          properties: { value: `[parameters('${parameter}')]` },
        }),
      ),
      resource('Microsoft.Authorization/roleAssignments', {
        name: `[${vaultRoleName}]`,
        scope: "[format('Microsoft.KeyVault/vaults/{0}', variables('vaultName'))]",
        dependsOn: [`[${vaultId}]`, `[${identityId}]`],
        properties: {
          roleDefinitionId: `[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '${KEY_VAULT_SECRETS_USER.id}')]`,
          principalId: `[${identity('principalId')}]`,
          principalType: 'ServicePrincipal',
          description: "oslayer: read the bot's own secrets (Container Apps Key Vault references)",
        },
      }),
      ...scopes.map((scope) => roleDeployment(scope, assignments.filter((a) => a.scope === scope), assignments)),
      acrPullDeployment(),
      resource('Microsoft.App/managedEnvironments', {
        name: "[variables('environmentName')]",
        location: "[parameters('location')]",
        dependsOn: [`[${workspaceId}]`],
        properties: {
          appLogsConfiguration: {
            destination: 'log-analytics',
            logAnalyticsConfiguration: {
              customerId: `[reference(${workspaceId}, '${DEPLOY_API_VERSIONS['Microsoft.OperationalInsights/workspaces']}').customerId]`,
              sharedKey: `[listKeys(${workspaceId}, '${DEPLOY_API_VERSIONS['Microsoft.OperationalInsights/workspaces']}').primarySharedKey]`,
            },
          },
          workloadProfiles: [{ name: 'Consumption', workloadProfileType: 'Consumption' }],
        },
      }),
      resource('Microsoft.App/containerApps', {
        name: "[parameters('name')]",
        location: "[parameters('location')]",
        dependsOn: [
          `[${environmentId}]`,
          `[${vaultRoleId}]`,
          ...secretIds,
          `[resourceId(${registryParts.subscriptionId}, ${registryParts.resourceGroup}, 'Microsoft.Resources/deployments', ${acrPullDeploymentName})]`,
        ],
        identity: { type: 'UserAssigned', userAssignedIdentities: { [`[${identityId}]`]: {} } },
        properties: {
          environmentId: `[${environmentId}]`,
          workloadProfileName: 'Consumption',
          configuration: {
            activeRevisionsMode: 'Single',
            ingress: { external: true, targetPort: "[parameters('port')]", transport: 'auto', allowInsecure: false, traffic: [{ latestRevision: true, weight: 100 }] },
            registries,
            secrets: SECRETS.map(({ secret }) => ({ name: secret, keyVaultUrl: secretUri(secret), identity: `[${identityId}]` })),
          },
          template: {
            containers: [
              {
                name: 'oslayer',
                image: "[parameters('image')]",
                resources: { cpu: "[json('0.5')]", memory: '1Gi' },
                env: [
                  ...SECRETS.map(({ secret, env }) => ({ name: env, secretRef: secret })),
                  { name: 'PORT', value: "[string(parameters('port'))]" },
                  // DefaultAzureCredential (a connector signing in with "Managed identity") picks the user-assigned identity by this.
                  { name: 'AZURE_CLIENT_ID', value: `[${identity('clientId')}]` },
                  { name: 'OSLAYER_ADMINS', value: "[parameters('admins')]" },
                  { name: 'OSLAYER_NOTIFY_CHANNEL', value: "[parameters('notifyChannel')]" },
                ],
                // The bot answers /healthz once its store and scheduler run; /readyz also needs the store and Slack reachable (src/ops-routes.ts).
                // Container Apps takes at most 10 failures (the schema's description), so a start gets 12 s × 10.
                probes: [probe('Startup', '/healthz', 12, 10), probe('Liveness', '/healthz', 30, 3), probe('Readiness', '/readyz', 10, 3)],
              },
            ],
            scale: { minReplicas: 1, maxReplicas: "[parameters('maxReplicas')]" },
          },
        },
      }),
    ],
    outputs: {
      slackRequestUrl: {
        type: 'string',
        value: `[format('https://{0}/slack/events', reference(resourceId('Microsoft.App/containerApps', parameters('name')), '${DEPLOY_API_VERSIONS['Microsoft.App/containerApps']}').configuration.ingress.fqdn)]`,
      },
      identityClientId: { type: 'string', value: `[${identity('clientId')}]` },
      identityPrincipalId: { type: 'string', value: `[${identity('principalId')}]` },
      keyVaultName: { type: 'string', value: "[variables('vaultName')]" },
    },
  };
}

/** The file's text: what `npm run deploy:template` writes and the drift test compares. */
export function deploymentTemplateText(): string {
  return `${JSON.stringify(deploymentTemplate(), null, 2)}\n`;
}

export const DEPLOY_PARAMETERS_START = '<!-- deploy-parameters:start (npm run deploy:template writes this from scripts/deploy-template.ts) -->';
export const DEPLOY_PARAMETERS_END = '<!-- deploy-parameters:end -->';
export const DEPLOY_ROLES_START = '<!-- deploy-roles:start (npm run deploy:template writes this from src/azure/required-permissions.ts) -->';
export const DEPLOY_ROLES_END = '<!-- deploy-roles:end -->';

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** The README's table of the template's parameters, from their metadata. */
export function parameterTable(): string {
  const parameters = deploymentTemplate().parameters as Record<string, { type: string; defaultValue?: unknown; metadata: { description: string } }>;
  const rows = Object.entries(parameters).map(([name, p]) => {
    const value = p.defaultValue === undefined ? 'required' : p.defaultValue === '' ? 'empty' : `\`${String(p.defaultValue)}\``;
    return `| \`${name}\` | ${p.type === 'securestring' ? 'secure string (a Key Vault secret)' : p.type} | ${value} | ${cell(p.metadata.description)} |`;
  });
  return ['| parameter | type | default | what it is |', '|---|---|---|---|', ...rows].join('\n');
}

/** The README's table of the roles the template grants, and why: the operations' features from required-permissions.ts. */
export function grantedRoleTable(): string {
  const rows = templateRoleAssignments().map(({ role, scope, when }) => {
    const features = [...new Set(REQUIRED_PERMISSIONS.filter((e) => e.role === role && e.scope === scope).map((e) => e.feature))];
    const custom = CUSTOM_ROLES.some((c) => c.name === role) ? ' (custom role, defined by the template)' : '';
    return `| ${SCOPES[scope].readme} | **${role}**${custom} | ${when ? CONDITIONS[when].readme : 'always'} | ${cell(features.join('; '))} |`;
  });
  const vault = `| the template's Key Vault | **${KEY_VAULT_SECRETS_USER.name}** | always | read the bot's own secrets (Container Apps Key Vault references) |`;
  const registry = `| the registry \`containerRegistryId\` | **${ACR_PULL.name}** | only when \`containerRegistryId\` is set | pull the bot's image |`;
  return ['| scope | role | granted | why |', '|---|---|---|---|', ...rows, vault, registry].join('\n');
}

/** The README with both generated tables of "Deploy the bot to Azure" rewritten. */
export function withDeployTables(readme: string): string {
  return withGenerated(withGenerated(readme, DEPLOY_PARAMETERS_START, DEPLOY_PARAMETERS_END, parameterTable()), DEPLOY_ROLES_START, DEPLOY_ROLES_END, grantedRoleTable());
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(new URL(`../${DEPLOY_TEMPLATE_PATH}`, import.meta.url), deploymentTemplateText());
  const readme = new URL('../README.md', import.meta.url);
  writeFileSync(readme, withDeployTables(readFileSync(readme, 'utf8')));
  console.log(`${DEPLOY_TEMPLATE_PATH} and the README's deployment tables: written from src/azure/required-permissions.ts`);
}
