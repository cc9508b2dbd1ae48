/**
 * The members a request body may have, per type and api-version, as Microsoft's REST API
 * specifications define them, and the check a resource provider makes against them.
 *
 * Resource providers deserialize strictly (Newtonsoft with MissingMemberHandling.Error), so
 * the first pass refuses a member the version does not define, or a value of the wrong JSON
 * kind, before anything else is looked at. Only then are required members and enum values
 * checked. `opaque` marks a member the version defines whose inside the bot never sends: it is
 * accepted without looking further (a test sending it would need its shape written down first).
 */
import { ArmError } from '../http.js';

export type Shape =
  | { kind: 'object'; type: string; members: Record<string, Shape>; required: readonly string[] }
  | { kind: 'array'; items: Shape }
  | { kind: 'map'; values: Shape }
  | { kind: 'string'; allowed?: readonly string[] }
  | { kind: 'boolean' }
  | { kind: 'integer' }
  | { kind: 'number' }
  | { kind: 'opaque' };

export const string: Shape = { kind: 'string' };
export const boolean: Shape = { kind: 'boolean' };
export const integer: Shape = { kind: 'integer' };
export const number: Shape = { kind: 'number' };
export const opaque: Shape = { kind: 'opaque' };
export const stringMap: Shape = { kind: 'map', values: string };

export function object(type: string, members: Record<string, Shape>, required: readonly string[] = []): Shape {
  return { kind: 'object', type, members, required };
}

export function arrayOf(items: Shape): Shape {
  return { kind: 'array', items };
}

/** An enum the spec lists; providers compare its values without case. */
export function oneOf(...allowed: string[]): Shape {
  return { kind: 'string', allowed };
}

/** How a refusal reads: the Compute RP's wording, or ARM's own for Microsoft.Resources bodies. */
export type Dialect = 'resource-provider' | 'arm';

/** Throws the provider's 400 for the first thing in `body` that `shape` does not allow. */
export function validateBody(shape: Shape, body: unknown, dialect: Dialect = 'resource-provider'): void {
  const unparsable = firstParseProblem(shape, body, '');
  if (unparsable) throw parseError(unparsable, dialect);
  const invalid = firstInvalidValue(shape, body, '');
  if (invalid) throw invalid;
}

function parseError(problem: string, dialect: Dialect): ArmError {
  if (dialect === 'arm') {
    return new ArmError(400, 'InvalidRequestContent', `The request content was invalid and could not be deserialized: '${problem}'.`);
  }
  return new ArmError(400, 'InvalidRequestFormat', 'Cannot parse the request.', {}, {
    details: [{ code: 'InvalidRequestFormat', message: problem }],
  });
}

function join(path: string, member: string): string {
  return path ? `${path}.${member}` : member;
}

/** Pass one, as the deserializer reads: an unknown member or a value of the wrong kind. */
function firstParseProblem(shape: Shape, value: unknown, path: string): string | undefined {
  if (value === null || value === undefined || shape.kind === 'opaque') return undefined;
  switch (shape.kind) {
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return conversion(value, shape.type, path);
      for (const [member, inner] of Object.entries(value)) {
        const memberShape = shape.members[member];
        const memberPath = join(path, member);
        if (!memberShape) return `Could not find member '${member}' on object of type '${shape.type}'. Path '${memberPath}'`;
        const problem = firstParseProblem(memberShape, inner, memberPath);
        if (problem) return problem;
      }
      return undefined;
    }
    case 'array': {
      if (!Array.isArray(value)) return conversion(value, 'List', path);
      for (const [index, item] of value.entries()) {
        const problem = firstParseProblem(shape.items, item, `${path}[${index}]`);
        if (problem) return problem;
      }
      return undefined;
    }
    case 'map': {
      if (typeof value !== 'object' || Array.isArray(value)) return conversion(value, 'Dictionary', path);
      for (const [key, item] of Object.entries(value)) {
        const problem = firstParseProblem(shape.values, item, join(path, key));
        if (problem) return problem;
      }
      return undefined;
    }
    case 'string':
      return typeof value === 'string' ? undefined : conversion(value, 'String', path);
    case 'boolean':
      return typeof value === 'boolean' ? undefined : conversion(value, 'Boolean', path);
    case 'integer':
      return Number.isInteger(value) ? undefined : conversion(value, 'Int64', path);
    case 'number':
      return typeof value === 'number' ? undefined : conversion(value, 'Double', path);
  }
}

function conversion(value: unknown, type: string, path: string): string {
  return `Error converting value ${JSON.stringify(value)} to type '${type}'. Path '${path}'`;
}

/**
 * The parameter name a provider reports in `target`: the client's view of the path, where the
 * `properties` envelopes the SDKs flatten away are left out.
 */
function targetOf(path: string): string {
  return path.replace(/(^|\.)properties(?=\.|$)/g, '').replace(/^\./, '');
}

/** Pass two, as the provider validates: required members present, enum values among the allowed. */
function firstInvalidValue(shape: Shape, value: unknown, path: string): ArmError | undefined {
  if (value === null || value === undefined) return undefined;
  switch (shape.kind) {
    case 'object': {
      const record = value as Record<string, unknown>;
      for (const member of shape.required) {
        if (record[member] === undefined || record[member] === null) {
          const target = targetOf(join(path, member));
          return new ArmError(400, 'InvalidParameter', `Required parameter '${target}' is missing (null).`, {}, { target });
        }
      }
      for (const [member, inner] of Object.entries(record)) {
        const invalid = firstInvalidValue(shape.members[member]!, inner, join(path, member));
        if (invalid) return invalid;
      }
      return undefined;
    }
    case 'array':
      for (const [index, item] of (value as unknown[]).entries()) {
        const invalid = firstInvalidValue(shape.items, item, `${path}[${index}]`);
        if (invalid) return invalid;
      }
      return undefined;
    case 'string': {
      const allowed = shape.allowed;
      if (!allowed || allowed.some((candidate) => candidate.toLowerCase() === String(value).toLowerCase())) return undefined;
      const target = targetOf(path);
      return new ArmError(
        400,
        'InvalidParameter',
        `The value '${String(value)}' of parameter '${target}' is not valid. Allowed values are ${allowed.map((a) => `'${a}'`).join(', ')}.`,
        {},
        { target },
      );
    }
    default:
      return undefined;
  }
}
