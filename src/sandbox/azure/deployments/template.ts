/**
 * The part of ARM's template language the bot's templates use: parameters (type string with
 * defaultValue, allowedValues, maxLength), and the expressions `parameters()`, `variables()`,
 * `resourceId()`, `concat()`, `resourceGroup()`, `subscription()`. Anything else is refused as
 * ARM refuses an invalid template, so a template the simulator accepts uses nothing it
 * cannot check. Reference: "Template functions" and "Template syntax" in the ARM docs.
 */
import { ArmError } from '../http.js';

/** Where a template is evaluated: the deployment's scope. */
export interface TemplateScope {
  subscriptionId: string;
  /** Absent for a subscription-scope deployment. */
  resourceGroup?: { name: string; location: string };
}

export interface TemplateContext {
  scope: TemplateScope;
  parameters: Record<string, unknown>;
  variables: Record<string, unknown>;
}

export function templateError(message: string): ArmError {
  return new ArmError(400, 'InvalidTemplate', `Deployment template validation failed: '${message}'.`);
}

interface TemplateParameter {
  type?: string;
  defaultValue?: unknown;
  allowedValues?: unknown[];
  maxLength?: number;
  minLength?: number;
}

/**
 * The template's parameters, given the values a deployment supplies ({"name": {"value": …}},
 * already evaluated where a nested deployment passes expressions): every supplied one declared,
 * every declared one supplied or defaulted, allowed values kept.
 */
export function resolveParameters(declared: Record<string, TemplateParameter>, supplied: Record<string, unknown>): Record<string, unknown> {
  const unknown = Object.keys(supplied).filter((name) => !(name in declared));
  if (unknown.length > 0) {
    throw templateError(`The template parameters '${unknown.join(', ')}' in the parameters file are not valid; they are not present in the original template and can therefore not be provided at deployment time. The only supported parameters for this template are '${Object.keys(declared).join(', ')}'`);
  }
  const resolved: Record<string, unknown> = {};
  for (const [name, parameter] of Object.entries(declared)) {
    const entry = supplied[name] as { value?: unknown } | undefined;
    let value: unknown = entry?.value;
    if (value === undefined) {
      if (parameter.defaultValue === undefined) throw templateError(`The value for the template parameter '${name}' is not provided`);
      value = parameter.defaultValue;
    }
    if (parameter.allowedValues && !parameter.allowedValues.some((allowed) => JSON.stringify(allowed) === JSON.stringify(value))) {
      throw templateError(`The provided value '${String(value)}' for the template parameter '${name}' is not valid. Expected a value from the list of allowed values: '${parameter.allowedValues.join(', ')}'`);
    }
    if (typeof value === 'string' && parameter.maxLength !== undefined && value.length > parameter.maxLength) {
      throw templateError(`The provided value for the template parameter '${name}' is not valid. Length of the value should be less than or equal to '${parameter.maxLength}'`);
    }
    resolved[name] = value;
  }
  return resolved;
}

/** Evaluates every "[expression]" string inside `value` (objects and arrays recursively). */
export function evaluate(value: unknown, context: TemplateContext): unknown {
  if (typeof value === 'string') return evaluateString(value, context);
  if (Array.isArray(value)) return value.map((item) => evaluate(item, context));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, evaluate(inner, context)]));
  }
  return value;
}

function evaluateString(text: string, context: TemplateContext): unknown {
  if (!text.startsWith('[') || !text.endsWith(']')) return text;
  // "[[" escapes a literal string that starts with "[".
  if (text.startsWith('[[')) return text.slice(1);
  const parser = new ExpressionParser(text.slice(1, -1), context);
  const result = parser.expression();
  parser.end();
  return result;
}

class ExpressionParser {
  private at = 0;

  constructor(
    private readonly source: string,
    private readonly context: TemplateContext,
  ) {}

  end(): void {
    this.skipSpace();
    if (this.at !== this.source.length) this.fail('unexpected text after the expression');
  }

  expression(): unknown {
    this.skipSpace();
    let value: unknown;
    if (this.source[this.at] === "'") value = this.stringLiteral();
    else if (/[0-9-]/.test(this.source[this.at] ?? '')) value = this.numberLiteral();
    else value = this.call();
    // Property access and indexing: resourceGroup().location, parameters('x')[0]
    for (;;) {
      this.skipSpace();
      if (this.source[this.at] === '.') {
        this.at++;
        const name = this.identifier();
        value = (value as Record<string, unknown> | undefined)?.[name];
        if (value === undefined) this.fail(`the language expression property '${name}' doesn't exist`);
      } else if (this.source[this.at] === '[') {
        this.at++;
        const index = this.expression();
        this.expect(']');
        value = (value as Record<string, unknown>)[String(index)];
      } else {
        return value;
      }
    }
  }

  private call(): unknown {
    const name = this.identifier();
    this.expect('(');
    const args: unknown[] = [];
    this.skipSpace();
    if (this.source[this.at] !== ')') {
      for (;;) {
        args.push(this.expression());
        this.skipSpace();
        if (this.source[this.at] === ',') {
          this.at++;
          continue;
        }
        break;
      }
    }
    this.expect(')');
    return this.apply(name, args);
  }

  private apply(name: string, args: unknown[]): unknown {
    const { scope, parameters, variables } = this.context;
    switch (name.toLowerCase()) {
      case 'parameters': {
        const key = String(args[0]);
        if (!(key in parameters)) this.fail(`The template parameter '${key}' is not found`);
        return parameters[key];
      }
      case 'variables': {
        const key = String(args[0]);
        if (!(key in variables)) this.fail(`The template variable '${key}' is not found`);
        return variables[key];
      }
      case 'concat':
        return args.every(Array.isArray) && args.length > 0 ? (args as unknown[][]).flat() : args.map(String).join('');
      case 'resourcegroup':
        if (!scope.resourceGroup) this.fail("The template function 'resourceGroup' is not expected at this location");
        return {
          id: `/subscriptions/${scope.subscriptionId}/resourceGroups/${scope.resourceGroup!.name}`,
          name: scope.resourceGroup!.name,
          location: scope.resourceGroup!.location,
        };
      case 'subscription':
        return { id: `/subscriptions/${scope.subscriptionId}`, subscriptionId: scope.subscriptionId };
      case 'resourceid':
        return this.resourceId(args.map(String));
      default:
        return this.fail(`The template function '${name}' is not valid (the simulator evaluates parameters, variables, concat, resourceGroup, subscription and resourceId)`);
    }
  }

  /** resourceId([subscriptionId], [resourceGroupName], type, name1, [name2]…) */
  private resourceId(args: string[]): string {
    const typeAt = args.findIndex((arg) => /^[A-Za-z0-9.]+\/[A-Za-z0-9]+/.test(arg) && arg.includes('.'));
    if (typeAt < 0) this.fail('resourceId needs a fully qualified resource type');
    const [type, ...names] = args.slice(typeAt);
    const typeSegments = type!.split('/');
    if (names.length !== typeSegments.length - 1) this.fail(`resourceId for '${type}' needs ${typeSegments.length - 1} name segment(s)`);
    const prefix = args.slice(0, typeAt);
    const subscriptionId = prefix.length === 2 ? prefix[0]! : this.context.scope.subscriptionId;
    const resourceGroup = prefix.length >= 1 ? prefix[prefix.length - 1] : this.context.scope.resourceGroup?.name;
    let path = `${typeSegments[0]}/${typeSegments[1]}/${names[0]}`;
    for (let i = 2; i < typeSegments.length; i++) path += `/${typeSegments[i]}/${names[i - 1]}`;
    const base = resourceGroup ? `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}` : `/subscriptions/${subscriptionId}`;
    return `${base}/providers/${path}`;
  }

  private stringLiteral(): string {
    this.at++;
    let text = '';
    for (;;) {
      const ch = this.source[this.at];
      if (ch === undefined) this.fail('unterminated string literal');
      this.at++;
      if (ch === "'") {
        if (this.source[this.at] === "'") {
          text += "'";
          this.at++;
          continue;
        }
        return text;
      }
      text += ch;
    }
  }

  private numberLiteral(): number {
    const found = /^-?\d+/.exec(this.source.slice(this.at));
    if (!found) this.fail('a number was expected');
    this.at += found![0].length;
    return Number(found![0]);
  }

  private identifier(): string {
    this.skipSpace();
    const found = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.source.slice(this.at));
    if (!found) this.fail('a function name was expected');
    this.at += found![0].length;
    return found![0];
  }

  private expect(ch: string): void {
    this.skipSpace();
    if (this.source[this.at] !== ch) this.fail(`'${ch}' was expected`);
    this.at++;
  }

  private skipSpace(): void {
    while (this.source[this.at] === ' ') this.at++;
  }

  private fail(reason: string): never {
    throw templateError(`The template language expression '${this.source}' is not valid: ${reason}`);
  }
}
