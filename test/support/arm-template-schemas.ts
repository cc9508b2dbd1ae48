/**
 * ARM templates checked against Microsoft's template JSON schemas (Azure/azure-resource-manager-schemas,
 * reduced copies in test/fixtures/arm-schemas/, sources in its SOURCES.md), as editors check them.
 * The schemas are draft-04 and say nothing of members they do not list (no `additionalProperties`
 * anywhere), while ARM refuses a member a resource type does not define (InvalidRequestContent,
 * test/fixtures/arm/SOURCES.md). So, as oav does for the REST specs (its
 * noAdditionalPropertiesTransformer), every object of a resource type's schema that lists its
 * members gets `additionalProperties: false`; a resource's own object also admits the template
 * language's members (name, type, apiVersion, dependsOn, condition, location, tags, copy, scope,
 * comments, from the template schema's `resourceBase`) and the exceptions in TEMPLATE_MEMBERS.
 * Enum values compare without case, as ARM's deserializer reads them (the docs' own nested
 * templates write `"scope": "inner"` for the schema's `Inner`: learn.microsoft.com/azure/
 * azure-resource-manager/templates/linked-templates; the simulator does the same, validation/shape.ts).
 * A nested deployment's inline template is checked against the schema its own `$schema` names.
 * Where two generated files define one resource type at one api-version (2026-01-01 has
 * Microsoft.App.json and Microsoft.App.ContainerApps.json, both with containerApps and
 * managedEnvironments, from two spec folders), a resource must satisfy each of them, and the
 * resource list's `oneOf` (which both would match) is read as `anyOf`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import AjvModule, { type ErrorObject } from 'ajv-draft-04';

// A CommonJS module: under Node's ESM its default import is module.exports, the class itself.
const Ajv = AjvModule as unknown as typeof AjvModule.default;
const ROOT = new URL('../fixtures/arm-schemas/schemas/', import.meta.url).pathname;
const BASE = 'https://schema.management.azure.com/schemas/';

/**
 * Members ARM's template language takes on a resource that the resource type's schema does not
 * list, with their source.
 */
const TEMPLATE_MEMBERS: Record<string, { members: string[]; source: string }> = {
  'microsoft.resources/deployments': {
    members: ['subscriptionId', 'resourceGroup'],
    source:
      'learn.microsoft.com/azure/azure-resource-manager/templates/deploy-to-resource-group ("Deploy to multiple resource groups": the nested deployment\'s subscriptionId and resourceGroup properties)',
  },
};

type Json = Record<string, unknown>;

function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`],
  );
}

/** The template language's own members of a resource: the template schema's ARMResourceBase and resourceBase. */
function templateLanguageMembers(templateSchema: Json): string[] {
  const definitions = templateSchema.definitions as Record<string, Json>;
  const armBase = Object.keys(definitions.ARMResourceBase!.properties as Json);
  const resourceBase = (definitions.resourceBase!.allOf as Json[]).flatMap((part) => Object.keys((part.properties as Json | undefined) ?? {}));
  return [...armBase, ...resourceBase];
}

const ENUM_IGNORING_CASE = 'enumIgnoringCase';

/**
 * `additionalProperties: false` on every object schema that lists its members and says nothing
 * of others; string enums compared without case; `oneOf` read as `anyOf`, for the generator's
 * `oneOf: [T, expression]` means "T, or an expression in its place", and where T admits a string
 * too (a parameter's `value` is `{}`) an expression matches both and `oneOf` would refuse it
 * (Azure/azure-resource-manager-schemas#80, which added the expressions: "any string will match";
 * Azure/azure-quickstart-templates#3860: any property in ARM can be an expression).
 */
function closeObjects(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(closeObjects);
  if (!node || typeof node !== 'object') return;
  const schema = node as Json;
  if (schema.properties && Object.keys(schema.properties as Json).length > 0 && schema.additionalProperties === undefined) {
    schema.additionalProperties = false;
  }
  if (Array.isArray(schema.oneOf)) {
    schema.anyOf = schema.oneOf;
    delete schema.oneOf;
  }
  if (Array.isArray(schema.enum) && schema.enum.every((value) => typeof value === 'string')) {
    schema[ENUM_IGNORING_CASE] = schema.enum;
    delete schema.enum;
  }
  Object.values(schema).forEach(closeObjects);
}

function closeResourceTypes(doc: Json, languageMembers: string[]): void {
  for (const [section, definitions] of Object.entries(doc)) {
    if (!section.endsWith('esourceDefinitions')) continue;
    for (const definition of Object.values(definitions as Record<string, Json>)) {
      const properties = definition.properties as Json;
      const type = String(((properties.type as Json).enum as string[])[0]).toLowerCase();
      for (const member of [...languageMembers, ...(TEMPLATE_MEMBERS[type]?.members ?? [])]) properties[member] ??= {};
    }
  }
  for (const [section, definitions] of Object.entries(doc)) {
    if (section.endsWith('efinitions')) closeObjects(definitions);
  }
}

const AUTOGENERATED = 'common/autogeneratedResources.json';

/** The resource list: a resource type defined by two files matches both, which `oneOf` would refuse. */
function readOneOfAsAnyOf(doc: Json): void {
  for (const part of doc.allOf as Json[]) {
    if (Array.isArray(part.oneOf)) {
      part.anyOf = part.oneOf;
      delete part.oneOf;
    }
  }
}

export interface TemplateProblem {
  /** Where in the template: '' the template, else e.g. `resources/0/properties/template` for a nested one. */
  template: string;
  instancePath: string;
  message: string;
}

/** Validates a template (and each inline nested template) against the schema of its `$schema`. */
export type TemplateValidator = (template: unknown) => TemplateProblem[];

/** Which section of a resource-type file a template schema's resources come from. */
const SECTION_OF: Record<string, string> = {
  '2019-04-01/deploymentTemplate.json': 'resourceDefinitions',
  '2018-05-01/subscriptionDeploymentTemplate.json': 'subscription_resourceDefinitions',
};

export function armTemplateValidator(): TemplateValidator {
  // `format` (date-time, uuid) is not checked: a template's values are mostly expressions, and ajv would only warn that it knows no such format.
  const ajv = new Ajv({ strict: false, allErrors: true, verbose: true, validateSchema: false, validateFormats: false });
  ajv.addKeyword({
    keyword: ENUM_IGNORING_CASE,
    type: 'string',
    schemaType: 'array',
    validate: (allowed: string[], value: string) => allowed.some((candidate) => candidate.toLowerCase() === value.toLowerCase()),
  });
  const docs = filesUnder(ROOT).map((file) => ({ file, doc: JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as Json }));
  const languageMembers = templateLanguageMembers(docs.find(({ file }) => file === '2019-04-01/deploymentTemplate.json')!.doc);
  /** `section type apiVersion` (type lower-cased) → the URLs of the resource definitions of that type and version. */
  const definitions = new Map<string, string[]>();
  for (const { file, doc } of docs) {
    if (!(file in SECTION_OF) && !file.startsWith('common/')) {
      closeResourceTypes(doc, languageMembers);
      for (const [section, entries] of Object.entries(doc)) {
        if (!section.endsWith('esourceDefinitions')) continue;
        for (const [name, definition] of Object.entries(entries as Record<string, Json>)) {
          const properties = definition.properties as Record<string, Json>;
          for (const apiVersion of properties.apiVersion![ENUM_IGNORING_CASE] as string[]) {
            const key = `${section} ${String((properties.type![ENUM_IGNORING_CASE] as string[])[0]).toLowerCase()} ${apiVersion}`;
            definitions.set(key, [...(definitions.get(key) ?? []), `${BASE}${file}#/${section}/${name}`]);
          }
        }
      }
    }
    if (file === AUTOGENERATED) readOneOfAsAnyOf(doc);
    ajv.addSchema(doc as object, `${BASE}${file}`);
  }
  const expression = (docs.find(({ file }) => file === 'common/definitions.json')!.doc.definitions as Record<string, Json>).expression!;

  /** The errors that name a fault: not the "or an expression" alternative of each member, nor the anyOf that sums them up. */
  const faults = (errors: ErrorObject[]) =>
    errors.filter((error) => !['anyOf', 'oneOf'].includes(error.keyword) && (error.parentSchema as Json | undefined)?.pattern !== expression.pattern);

  /** Each resource against its own type's definition, so a problem is named once, at its member. */
  const resourceProblems = (resources: Json[], section: string, where: string): TemplateProblem[] =>
    resources.flatMap((resource, index) => {
      const key = `${section} ${String(resource.type).toLowerCase()} ${String(resource.apiVersion)}`;
      const urls = definitions.get(key);
      const at = (instancePath: string, message: string) => ({ template: where, instancePath: `/resources/${index}${instancePath}`, message });
      if (!urls) return [at('', `no vendored schema for ${String(resource.type)} at api-version ${String(resource.apiVersion)}`)];
      const problems = urls.flatMap((url) => {
        const validate = ajv.getSchema(url)!;
        return validate(resource) ? [] : faults(validate.errors ?? []).map((error) => at(error.instancePath, describe(error)));
      });
      return problems.filter((problem, i) => problems.findIndex((other) => other.instancePath === problem.instancePath && other.message === problem.message) === i);
    });

  const check = (template: unknown, where: string): TemplateProblem[] => {
    const file = String((template as Json | undefined)?.$schema ?? '').replace(/#$/, '').slice(BASE.length);
    const section = SECTION_OF[file];
    if (!section) return [{ template: where, instancePath: '/$schema', message: `no vendored template schema for '${String((template as Json | undefined)?.$schema)}'` }];
    const validate = ajv.getSchema(`${BASE}${file}`)!;
    const resources = ((template as Json).resources as Json[] | undefined) ?? [];
    const perResource = resourceProblems(resources, section, where);
    const whole = validate(template) || perResource.length > 0 ? [] : faults(validate.errors ?? []).map((error) => ({ template: where, instancePath: error.instancePath, message: describe(error) }));
    const nested = resources.flatMap((resource, index) => {
      const inner = (resource.properties as Json | undefined)?.template;
      return String(resource.type).toLowerCase() === 'microsoft.resources/deployments' && inner && typeof inner === 'object'
        ? check(inner, `${where}${where ? '/' : ''}resources/${index}/properties/template`)
        : [];
    });
    return [...whole, ...perResource, ...nested];
  };
  return (template) => check(template, '');
}

function describe(error: ErrorObject): string {
  if (error.keyword === 'additionalProperties') return `unknown member '${String(error.params.additionalProperty)}'`;
  if (error.keyword === ENUM_IGNORING_CASE) return `must be one of ${(error.schema as string[]).join(', ')}`;
  return error.message ?? error.keyword;
}
