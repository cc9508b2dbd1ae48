/**
 * The members a request body may have, per type and api-version, as Microsoft's REST API
 * specifications define them, and the checks ARM and the resource providers make against them.
 *
 * ARM and the providers deserialize with Newtonsoft.Json (MissingMemberHandling.Error): an
 * unknown member, an enum value the type does not define, or a value of the wrong JSON kind stops
 * the deserializer, and its message (with the member's path and the line and position after it)
 * is what the caller sees, wrapped as each service wraps it (`Dialect`). Only a body that
 * deserializes is then checked for required members. `opaque` marks a member the version defines
 * whose inside the bot never sends: it is accepted without looking further (a test sending it
 * would need its shape written down first). Sources: test/fixtures/arm/SOURCES.md.
 */
import { ArmError } from '../http.js';

export type Shape =
  | { kind: 'object'; type: string; members: Record<string, Shape>; required: readonly string[]; targetRoot?: string }
  | { kind: 'array'; items: Shape }
  | { kind: 'map'; values: Shape }
  | { kind: 'string'; enumType?: string; allowed?: readonly string[] }
  | { kind: 'boolean' }
  | { kind: 'integer' }
  | { kind: 'number' }
  | { kind: 'opaque' };

/** A body a request carries: its shape, and (Compute) the name its provider gives the body parameter in `target`. */
export interface RequestBody {
  shape: Shape;
  parameter?: string;
}

export const string: Shape = { kind: 'string' };
export const boolean: Shape = { kind: 'boolean' };
export const integer: Shape = { kind: 'integer' };
export const number: Shape = { kind: 'number' };
export const opaque: Shape = { kind: 'opaque' };
export const stringMap: Shape = mapOf(string);
/** The tracked-resource envelope every ARM resource body shares (common-types v1 Resource). */
export const trackedResource = { id: string, name: string, type: string, location: string, tags: stringMap };

/**
 * `targetRoot`: the name Compute starts a required member's `target` with inside this object
 * ('osDisk' → "osDisk.createOption"); members of objects without one are named alone
 * ("adminPassword", "storageProfile").
 */
export function object(type: string, members: Record<string, Shape>, required: readonly string[] = [], targetRoot?: string): Shape {
  return { kind: 'object', type, members, required, ...(targetRoot ? { targetRoot } : {}) };
}

export function arrayOf(items: Shape): Shape {
  return { kind: 'array', items };
}

export function mapOf(values: Shape): Shape {
  return { kind: 'map', values };
}

/** An enum the spec lists, deserialized into the .NET type `enumType`; names compare without case. */
export function oneOf(enumType: string, ...allowed: string[]): Shape {
  return { kind: 'string', enumType, allowed };
}

/** Whose deserializer reads the body, so how a refusal is worded. */
export type Dialect = 'compute' | 'network' | 'arm';

/**
 * Throws the 400 the service answers for the first thing in `value` that `body` does not allow.
 * `resource`: the body is a resource PUT, whose top-level members ARM reads itself.
 */
export function validateBody(body: RequestBody, value: unknown, dialect: Dialect, resource = false): void {
  const problem = firstParseProblem(body.shape, value, { path: '', offset: 0, requiredAtEnd: dialect === 'arm', resourceEnvelope: resource });
  if (problem) throw parseError(problem, problem.byArm ? 'arm' : dialect, body.parameter);
  if (dialect === 'arm') return;
  const missing = firstMissingMember(body.shape, value, '');
  if (missing) {
    throw new ArmError(400, 'InvalidParameter', `Required parameter '${missing}' is missing (null).`, {}, { target: missing });
  }
}

/** A deserializer failure: Newtonsoft's message, already carrying path, line and position. */
interface ParseProblem {
  message: string;
  path: string;
  /** ARM's own deserializer found it (a resource body's top-level member), whoever the provider is. */
  byArm?: boolean;
}

function parseError(problem: ParseProblem, dialect: Dialect, parameter: string | undefined): ArmError {
  switch (dialect) {
    case 'arm':
      return new ArmError(400, 'InvalidRequestContent', `The request content was invalid and could not be deserialized: '${problem.message}'.`);
    case 'network':
      return new ArmError(400, 'InvalidRequestFormat', 'Cannot parse the request.', {}, { details: [{ code: 'InvalidJson', message: problem.message }] });
    case 'compute':
      return new ArmError(400, 'BadRequest', problem.message, {}, parameter ? { target: `${parameter}${problem.path.startsWith('[') ? '' : '.'}${problem.path}` } : {});
  }
}

/** Newtonsoft writes a member whose name has one of these characters as ['name']. */
const BRACKETED_NAME = /[.\s'/"[\]()\\]/;

function join(path: string, member: string): string {
  if (BRACKETED_NAME.test(member)) return `${path}['${member}']`;
  return path ? `${path}.${member}` : member;
}

interface Cursor {
  path: string;
  /** Characters before this value in the compact JSON the client sent (the SDKs send one line). */
  offset: number;
  /** Newtonsoft's `Required` checks run when the object ends, during deserialization (ARM's own bodies). */
  requiredAtEnd: boolean;
  /** The top level of a resource PUT, whose members ARM deserializes as a 'ResourceDefinition'. */
  resourceEnvelope: boolean;
}

function located(message: string, path: string, position: number): ParseProblem {
  return { message: `${message} Path '${path}', line 1, position ${position}.`, path };
}

const length = (value: unknown) => JSON.stringify(value).length;

/** Each member of a JSON object (as JSON.stringify writes it) with the position just after its colon. */
function* members(value: object, offset: number): Generator<[string, unknown, number]> {
  let cursor = offset + 1;
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined) continue;
    if (cursor > offset + 1) cursor += 1; // the comma before every member but the first
    const afterColon = cursor + length(key) + 1;
    yield [key, item, afterColon];
    cursor = afterColon + length(item);
  }
}

/** Pass one, as the deserializer reads, in document order. */
function firstParseProblem(shape: Shape, value: unknown, at: Cursor): ParseProblem | undefined {
  if (value === null || value === undefined || shape.kind === 'opaque') return undefined;
  const end = at.offset + length(value);
  switch (shape.kind) {
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return conversion(value, shape.type, at.path, end);
      for (const [member, inner, afterColon] of members(value, at.offset)) {
        const memberPath = join(at.path, member);
        const memberShape = shape.members[member];
        if (!memberShape) {
          const type = at.resourceEnvelope ? 'ResourceDefinition' : shape.type;
          return { ...located(`Could not find member '${member}' on object of type '${type}'.`, memberPath, afterColon), byArm: at.resourceEnvelope };
        }
        const problem = firstParseProblem(memberShape, inner, { ...at, path: memberPath, offset: afterColon, resourceEnvelope: false });
        if (problem) return problem;
      }
      const missing = at.requiredAtEnd ? shape.required.find((member) => isAbsent(value, member)) : undefined;
      return missing ? located(`Required property '${missing}' not found in JSON.`, at.path, end) : undefined;
    }
    case 'array': {
      if (!Array.isArray(value)) return conversion(value, 'List', at.path, end);
      let cursor = at.offset + 1;
      for (const [index, item] of value.entries()) {
        cursor += index === 0 ? 0 : 1;
        const problem = firstParseProblem(shape.items, item, { ...at, path: `${at.path}[${index}]`, offset: cursor });
        if (problem) return problem;
        cursor += length(item ?? null);
      }
      return undefined;
    }
    case 'map': {
      if (typeof value !== 'object' || Array.isArray(value)) return conversion(value, 'Dictionary', at.path, end);
      for (const [key, item, afterColon] of members(value, at.offset)) {
        const problem = firstParseProblem(shape.values, item, { ...at, path: join(at.path, key), offset: afterColon });
        if (problem) return problem;
      }
      return undefined;
    }
    case 'string': {
      if (typeof value !== 'string') return conversion(value, 'String', at.path, end);
      const { allowed, enumType } = shape;
      if (!allowed || allowed.some((candidate) => candidate.toLowerCase() === value.toLowerCase())) return undefined;
      return conversion(value, enumType ?? 'String', at.path, end);
    }
    case 'boolean':
      return typeof value === 'boolean' ? undefined : conversion(value, 'Boolean', at.path, end);
    case 'integer':
      return Number.isInteger(value) ? undefined : conversion(value, 'Int64', at.path, end);
    case 'number':
      return typeof value === 'number' ? undefined : conversion(value, 'Double', at.path, end);
  }
}

function isAbsent(record: object, member: string): boolean {
  const value = (record as Record<string, unknown>)[member];
  return value === undefined || value === null;
}

/** Newtonsoft's "Error converting value": a string quoted, a boolean as .NET prints it. */
function conversion(value: unknown, type: string, path: string, position: number): ParseProblem {
  const shown = typeof value === 'boolean' ? (value ? 'True' : 'False') : JSON.stringify(value);
  return located(`Error converting value ${shown} to type '${type}'.`, path, position);
}

/**
 * Pass two, as the provider validates a body that deserialized: the first required member
 * missing, named as Compute names it in `target` (from the nearest `targetRoot`, else alone).
 */
function firstMissingMember(shape: Shape, value: unknown, prefix: string): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (shape.kind === 'array') {
    for (const item of value as unknown[]) {
      const missing = firstMissingMember(shape.items, item, prefix);
      if (missing) return missing;
    }
    return undefined;
  }
  if (shape.kind !== 'object') return undefined;
  const root = shape.targetRoot ?? prefix;
  const name = (member: string) => (root ? `${root}.${member}` : member);
  const missing = shape.required.find((member) => isAbsent(value as object, member));
  if (missing) return name(missing);
  for (const [member, inner] of Object.entries(value as Record<string, unknown>)) {
    const found = firstMissingMember(shape.members[member]!, inner, root ? name(member) : '');
    if (found) return found;
  }
  return undefined;
}
