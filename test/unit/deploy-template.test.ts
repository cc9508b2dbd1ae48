/**
 * deploy/azure/azuredeploy.json, the template that runs the bot itself on Azure: the committed
 * file is what `npm run deploy:template` writes from src/azure/required-permissions.ts, it passes
 * Microsoft's ARM template schemas (closed to unknown members), and it grants the managed
 * identity exactly the roles the one source of roles lists, at the scopes its parameters name.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadConfig } from '../../src/config.js';
import { CUSTOM_ROLES, requiredRoleAssignments, type ConnectorScopes, type PermissionScope } from '../../src/azure/required-permissions.js';
import { DEPLOY_TEMPLATE_PATH, deploymentTemplateText, withDeployTables } from '../../scripts/deploy-template.js';
import { armTemplateValidator } from '../support/arm-template-schemas.js';

/** A parsed template, walked by member names. */
type Json = Record<string, any>;

const committed = readFileSync(new URL(`../../${DEPLOY_TEMPLATE_PATH}`, import.meta.url), 'utf8');
const template = () => JSON.parse(committed) as Json;
const validate = armTemplateValidator();

const builtInRoles = new Map(
  (JSON.parse(readFileSync(new URL('../../src/sandbox/azure/roles/built-in-roles.json', import.meta.url), 'utf8')) as Array<{ roleName: string; name: string }>).map(
    (role) => [role.name, role.roleName] as const,
  ),
);
const ofType = (resources: Json[], type: string) => resources.filter((r) => r.type === type);
const containerApp = (t: Json) => ofType(t.resources, 'Microsoft.App/containerApps')[0]!;

/** The scope a nested role deployment's name ends with, as required-permissions.ts names it. */
const SCOPE_OF_DEPLOYMENT: Record<string, PermissionScope> = {
  subscription: 'subscription',
  'resource-group': 'resource group',
  'virtual-network': 'virtual network',
  'storage-account': 'storage account',
  gallery: 'Compute Gallery',
};

/** Every role assignment the nested deployments make: role name, scope, and the condition it carries. */
function grantedRoles(t: Json): Array<{ role: string; scope: PermissionScope; condition?: string }> {
  return ofType(t.resources, 'Microsoft.Resources/deployments').flatMap((deployment) => {
    const slug = /-roles-([a-z-]+)'/.exec(deployment.name)?.[1];
    if (!slug) return [];
    const scope = SCOPE_OF_DEPLOYMENT[slug]!;
    return ofType(deployment.properties.template.resources, 'Microsoft.Authorization/roleAssignments').map((assignment) => {
      const id = String(assignment.properties.roleDefinitionId);
      const builtIn = /roleDefinitions', '([0-9a-f-]{36})'\)\]$/.exec(id)?.[1];
      const custom = CUSTOM_ROLES.find((role) => deployment.properties.parameters[/parameters\('(\w+)'\)/.exec(id)?.[1] ?? '']?.value.includes(`'${role.name}'`));
      return { role: builtIn ? builtInRoles.get(builtIn)! : custom!.name, scope, ...(assignment.condition ? { condition: assignment.condition } : {}) };
    });
  });
}

describe('the deployment template of the bot itself (deploy/azure/azuredeploy.json)', () => {
  it('is what npm run deploy:template writes from src/azure/required-permissions.ts', () => {
    expect(committed).toBe(deploymentTemplateText());
  });

  it("is what the README's parameter and role tables say, and what its Deploy to Azure button opens in the portal", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(withDeployTables(readme)).toBe(readme);
    const raw = `https://raw.githubusercontent.com/YOUR-ORG/oslayer/main/${DEPLOY_TEMPLATE_PATH}`;
    expect(readme).toContain(`(https://portal.azure.com/#create/Microsoft.Template/uri/${encodeURIComponent(raw)})`);
  });

  it("passes Microsoft's ARM template schemas, nested role deployments included", () => {
    expect(validate(template())).toEqual([]);
  });

  it('fails the schemas when a member is wrong, unknown, or of an api-version without a schema, each named with its path', () => {
    const t = template();
    const vaultIndex = t.resources.findIndex((r: Json) => r.type === 'Microsoft.KeyVault/vaults');
    t.resources[vaultIndex].properties.enableRbac = true;
    const appIndex = t.resources.findIndex((r: Json) => r.type === 'Microsoft.App/containerApps');
    t.resources[appIndex].properties.template.containers[0].probes[1].type = 'Alive';
    const rolesIndex = t.resources.findIndex((r: Json) => String(r.name).includes('-roles-resource-group'));
    t.resources[rolesIndex].properties.template.resources[0].properties.principalKind = 'ServicePrincipal';
    const identityIndex = t.resources.findIndex((r: Json) => r.type === 'Microsoft.ManagedIdentity/userAssignedIdentities');
    t.resources[identityIndex].apiVersion = '2015-08-31-preview';
    expect(validate(t)).toEqual([
      { template: '', instancePath: `/resources/${identityIndex}`, message: 'no vendored schema for Microsoft.ManagedIdentity/userAssignedIdentities at api-version 2015-08-31-preview' },
      { template: '', instancePath: `/resources/${vaultIndex}/properties`, message: "unknown member 'enableRbac'" },
      { template: '', instancePath: `/resources/${appIndex}/properties/template/containers/0/probes/1/type`, message: 'must be one of Liveness, Readiness, Startup' },
      { template: `resources/${rolesIndex}/properties/template`, instancePath: '/resources/0/properties', message: "unknown member 'principalKind'" },
    ]);
  });

  it('grants the identity exactly the roles of required-permissions.ts at each scope, the conditional ones behind their parameters', () => {
    const scopeNames = Object.fromEntries(Object.values(SCOPE_OF_DEPLOYMENT).map((scope) => [scope, scope])) as unknown as ConnectorScopes;
    const granted = grantedRoles(template());
    expect(granted.map(({ role, scope }) => ({ role, scope })).sort((a, b) => `${a.scope}${a.role}`.localeCompare(`${b.scope}${b.role}`))).toEqual(
      requiredRoleAssignments(scopeNames).sort((a, b) => `${a.scope}${a.role}`.localeCompare(`${b.scope}${b.role}`)),
    );
    expect(granted.filter((g) => g.condition)).toEqual([
      { role: 'Network Contributor', scope: 'resource group', condition: "[parameters('publicMachineAccess')]" },
      { role: 'Storage Account Contributor', scope: 'storage account', condition: "[parameters('addsPortalCorsRule')]" },
      { role: 'Compute Gallery Artifacts Publisher', scope: 'Compute Gallery', condition: "[not(empty(parameters('galleryId')))]" },
    ]);
  });

  it("grants AcrPull on the image's registry only when one is named, and logs in there with the identity", () => {
    const t = template();
    const pull = t.resources.find((r: Json) => String(r.name).includes('-acr-pull'));
    expect(pull.condition).toBe("[not(empty(parameters('containerRegistryId')))]");
    expect(pull.properties.parameters.scopeId.value).toBe("[parameters('containerRegistryId')]");
    const [role] = pull.properties.template.resources as Json[];
    expect([role!.scope, role!.properties.roleDefinitionId]).toEqual([
      "[last(split(parameters('scopeId'), '/providers/'))]",
      "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '7f951dda-4ed3-4680-a7ca-43fe172d538d')]",
    ]);
    const app = containerApp(t);
    expect(app.properties.configuration.registries).toMatch(/^\[if\(empty\(parameters\('containerRegistryId'\)\), createArray\(\), createArray\(createObject\('server', .*, 'identity', resourceId\('Microsoft.ManagedIdentity\/userAssignedIdentities', variables\('identityName'\)\)\)\)\)\]$/);
    expect(app.dependsOn).toContainEqual(expect.stringContaining("'Microsoft.Resources/deployments', format('{0}-acr-pull', parameters('name')))]"));
  });

  it('defines the custom role as its JSON in src/azure/roles does, assignable at the connector resource group', () => {
    const subscription = template().resources.find((r: Json) => String(r.name).includes('-roles-subscription'));
    const [definition] = ofType(subscription.properties.template.resources, 'Microsoft.Authorization/roleDefinitions');
    const shipped = CUSTOM_ROLES[0]!;
    expect(definition!.properties).toEqual({
      roleName: shipped.name,
      description: shipped.description,
      type: 'CustomRole',
      permissions: [{ actions: shipped.actions, notActions: [], dataActions: [], notDataActions: [] }],
      assignableScopes: ["[parameters('resourceGroupId')]"],
    });
    expect(subscription.properties.parameters.resourceGroupId.value).toBe(
      "[format('/subscriptions/{0}/resourceGroups/{1}', parameters('connectorSubscriptionId'), parameters('connectorResourceGroup'))]",
    );
  });

  it('keeps every secret in the RBAC-mode Key Vault, read by the app through the identity, never as a plain value', () => {
    const t = template();
    const [vault] = ofType(t.resources, 'Microsoft.KeyVault/vaults');
    expect(vault!.properties).toMatchObject({ enableRbacAuthorization: true, enableSoftDelete: true });
    const secureParameters = Object.entries(t.parameters as Record<string, Json>).filter(([, p]) => p.type === 'securestring').map(([name]) => name);
    expect(secureParameters.sort()).toEqual(['mongodbUri', 'secretKey', 'slackBotToken', 'slackSigningSecret']);
    const vaultSecrets = ofType(t.resources, 'Microsoft.KeyVault/vaults/secrets').map((s) => s.properties.value);
    expect(vaultSecrets.sort()).toEqual(secureParameters.map((name) => `[parameters('${name}')]`).sort());
    const app = containerApp(t);
    const identityRef = "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', variables('identityName'))]";
    expect(Object.keys(app.identity.userAssignedIdentities)).toEqual([identityRef]);
    for (const secret of app.properties.configuration.secrets) {
      expect(secret).toEqual({ name: secret.name, keyVaultUrl: expect.stringContaining(`'${secret.name}'`), identity: identityRef });
    }
    // Nothing secret reaches the app or its logs except through a secret reference.
    const text = JSON.stringify(app);
    for (const name of secureParameters) expect(text).not.toContain(`parameters('${name}')`);
    const [vaultRole] = ofType(t.resources, 'Microsoft.Authorization/roleAssignments');
    expect(vaultRole!.properties.roleDefinitionId).toBe("[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4633458b-17de-408a-b874-0445c86b69e6')]");
    expect(vaultRole!.scope).toBe("[format('Microsoft.KeyVault/vaults/{0}', variables('vaultName'))]");
  });

  it("sets the environment src/config.ts reads: the config loads from the app's variables, and AZURE_CLIENT_ID names the identity", () => {
    const [container] = containerApp(template()).properties.template.containers;
    const env = container.env as Array<{ name: string; value?: string; secretRef?: string }>;
    const sample: Record<string, string> = {
      SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
      SLACK_SIGNING_SECRET: 'signing-secret-value',
      MONGODB_URI: 'mongodb+srv://bot:pw@cluster.mongocluster.cosmos.azure.com/oslayer?tls=true',
      OSLAYER_SECRET_KEY: randomBytes(32).toString('base64'),
      PORT: '3000',
      AZURE_CLIENT_ID: '00000000-0000-0000-0000-000000000001',
      OSLAYER_ADMINS: 'U0123ABCD',
      OSLAYER_NOTIFY_CHANNEL: 'C0123ABCD',
    };
    expect(env.map((e) => e.name).sort()).toEqual(Object.keys(sample).sort());
    const result = loadConfig(Object.fromEntries(env.map((e) => [e.name, sample[e.name]!])));
    expect(result.ok && { store: result.config.mongodbUri, key: result.config.secretKey?.length, port: result.config.port, socketMode: result.config.slack.appToken }).toEqual({
      store: sample.MONGODB_URI,
      key: 32,
      port: 3000,
      socketMode: undefined,
    });
    expect(env.find((e) => e.name === 'AZURE_CLIENT_ID')!.value).toBe("[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', variables('identityName')), '2024-11-30').clientId]");
  });

  it('serves HTTP on the bot port with /healthz for start and liveness, /readyz for readiness, one replica at least', () => {
    const app = containerApp(template());
    expect(app.properties.configuration.ingress).toMatchObject({ external: true, targetPort: "[parameters('port')]", allowInsecure: false });
    const probes = app.properties.template.containers[0].probes as Json[];
    expect(probes.map((p) => [p.type, p.httpGet.path, p.httpGet.port])).toEqual([
      ['Startup', '/healthz', "[parameters('port')]"],
      ['Liveness', '/healthz', "[parameters('port')]"],
      ['Readiness', '/readyz', "[parameters('port')]"],
    ]);
    expect(app.properties.template.scale.minReplicas).toBe(1);
  });

  it('keeps every probe number inside the bounds Container Apps states for it (the schema says them only in words)', () => {
    const schema = JSON.parse(readFileSync(new URL('../fixtures/arm-schemas/schemas/2026-01-01/Microsoft.App.json', import.meta.url), 'utf8')) as Json;
    const members = schema.definitions.ContainerAppProbe.properties as Record<string, { description: string }>;
    const probes = containerApp(template()).properties.template.containers[0].probes as Json[];
    const outside = probes.flatMap((p) =>
      Object.entries(p)
        .filter((entry): entry is [string, number] => typeof entry[1] === 'number')
        .flatMap(([member, value]) => {
          const [, min, max] = /Minimum value is (\d+)\. Maximum value is (\d+)/.exec(members[member]!.description) ?? [];
          expect(max).toBeDefined();
          return value < Number(min) || value > Number(max) ? [`${String(p.type)} ${member} ${value} (${min}-${max})`] : [];
        }),
    );
    expect(outside).toEqual([]);
  });
});
