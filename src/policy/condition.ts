import type { EvalContext } from '../arm/expression/context.js';
import { evaluateExpressionText } from '../arm/expression/evaluator.js';
import { isExpression, unescapeLiteral } from '../arm/expression/parser.js';
import type { Resource } from '../resources/resource.js';
import { getProperty, isObject, isUnknown, type ObjectValue, type Value } from '../resources/value.js';
import { compileField, type FieldAccessor } from './field.js';
import { OPERATORS, type Operator } from './operators.js';

/** Three-valued logic: a condition on an unknown value is unknown, never a guess. */
export type Truth = true | false | 'unknown';

export class PolicyCompileError extends Error {}

/** A field that was unknown: its alias is not in the table, or its value is unknown before deployment. */
export class NotApplicable extends Error {}

export interface ConditionState {
  resource: Resource;
  ctx: EvalContext;
  /** Why the result is unknown, for the user. */
  unknownReason?: string;
  /** Field conditions that held, in evaluation order: the first non-`type` one is what a finding points at. */
  decisive: { field: string; path: string; actual: Value | undefined }[];
}

export interface CompiledCondition {
  evaluate(state: ConditionState): Truth;
  /** Aliases the condition reads, for `rules show`. */
  fields(): string[];
  /** Resource types named by `field: type` with `equals` or `in`, for picking which resources to evaluate. */
  types(): string[];
}

const LOGICAL = new Set(['allof', 'anyof', 'not']);

/** Compiles a policy rule's `if` once; the result is evaluated for many resources. */
export function compileCondition(node: Value): CompiledCondition {
  if (!isObject(node)) throw new PolicyCompileError('a condition must be an object');
  const keys = Object.keys(node);
  const lower = keys.map((k) => k.toLowerCase());
  const logical = lower.filter((k) => LOGICAL.has(k));
  if (logical.length > 1 || (logical.length === 1 && keys.length > 1)) {
    throw new PolicyCompileError(`a logical operator must stand alone in its object, found: ${keys.join(', ')}`);
  }
  if (logical[0] === 'not') return notOf(compileCondition(node[keys[0]!]!));
  if (logical[0] === 'allof' || logical[0] === 'anyof') {
    const list = node[keys[0]!];
    if (!Array.isArray(list)) throw new PolicyCompileError(`${keys[0]} takes an array of conditions`);
    const parts = list.map(compileCondition);
    return logical[0] === 'allof' ? allOf(parts) : anyOf(parts);
  }
  return compileLeaf(node);
}

function compileLeaf(node: ObjectValue): CompiledCondition {
  const fieldName = getProperty(node, 'field');
  const value = getProperty(node, 'value');
  if (fieldName !== undefined && value !== undefined) throw new PolicyCompileError("a condition has either 'field' or 'value', not both");
  if (fieldName === undefined && value === undefined) throw new PolicyCompileError(`a condition needs 'field', 'value', 'allOf', 'anyOf' or 'not'; found: ${Object.keys(node).join(', ') || 'nothing'}`);
  const operatorKeys = Object.keys(node).filter((k) => !['field', 'value'].includes(k.toLowerCase()));
  if (operatorKeys.length !== 1) throw new PolicyCompileError(`a condition needs exactly one operator, found: ${operatorKeys.join(', ') || 'none'}`);
  const opKey = operatorKeys[0]!;
  const operator: Operator | undefined = OPERATORS.get(opKey.toLowerCase());
  if (!operator) throw new PolicyCompileError(`unsupported operator '${opKey}'`);
  const expected = node[opKey]!;

  if (fieldName !== undefined) {
    if (typeof fieldName !== 'string' || isExpression(fieldName)) throw new PolicyCompileError('a field given as an expression is not supported yet');
    const accessor = compileField(fieldName);
    return {
      evaluate: (state) => evaluateField(accessor, operator, expected, state),
      fields: () => [fieldName],
      types: () => (fieldName.toLowerCase() === 'type' ? typesNamed(operator.name, expected) : []),
    };
  }
  return {
    evaluate: (state) => {
      const actual = resolveValue(value!, state.ctx);
      if (isUnknown(actual)) return unknown(state, actual.reason);
      const want = resolveValue(expected, state.ctx);
      if (isUnknown(want)) return unknown(state, want.reason);
      return operator.test(actual, want);
    },
    fields: () => [],
    types: () => [],
  };
}

function evaluateField(accessor: FieldAccessor, operator: Operator, expected: Value, state: ConditionState): Truth {
  if (accessor.kind === 'unknown-alias') throw new NotApplicable(`the alias '${accessor.field}' is not in Tollgate's alias table, so the definition cannot be evaluated`);
  const actual = accessor.read(state.resource);
  if (isUnknown(actual)) return unknown(state, `${accessor.path} is not known before deployment (${actual.reason})`);
  const want = resolveValue(expected, state.ctx);
  if (isUnknown(want)) return unknown(state, want.reason);
  const truth = operator.test(actual, want);
  if (truth === true) state.decisive.push({ field: accessor.field, path: accessor.path, actual });
  return truth;
}

function resolveValue(v: Value, ctx: EvalContext): Value {
  if (typeof v !== 'string') return v;
  return isExpression(v) ? evaluateExpressionText(v, ctx) : unescapeLiteral(v);
}

function unknown(state: ConditionState, reason: string): Truth {
  state.unknownReason ??= reason;
  return 'unknown';
}

function allOf(parts: CompiledCondition[]): CompiledCondition {
  return {
    evaluate: (state) => combine(parts, state, false),
    fields: () => parts.flatMap((p) => p.fields()),
    // Every branch of an allOf must hold, so any type constraint in it applies to the whole.
    types: () => parts.flatMap((p) => p.types()),
  };
}

function anyOf(parts: CompiledCondition[]): CompiledCondition {
  return {
    evaluate: (state) => combine(parts, state, true),
    fields: () => parts.flatMap((p) => p.fields()),
    // Only when every branch names types is the union of them a constraint.
    types: () => {
      const each = parts.map((p) => p.types());
      return each.every((t) => t.length > 0) ? each.flat() : [];
    },
  };
}

/** allOf stops at the first false, anyOf at the first true; otherwise an unknown part makes the whole unknown. */
function combine(parts: CompiledCondition[], state: ConditionState, stopOn: boolean): Truth {
  let result: Truth = !stopOn;
  for (const p of parts) {
    const t = p.evaluate(state);
    if (t === stopOn) return stopOn;
    if (t === 'unknown') result = 'unknown';
  }
  return result;
}

function notOf(inner: CompiledCondition): CompiledCondition {
  return {
    evaluate: (state) => {
      const decisive = state.decisive.length;
      const t = inner.evaluate(state);
      // What made the inner condition true is what made this one false: not decisive.
      state.decisive.length = decisive;
      return t === 'unknown' ? 'unknown' : !t;
    },
    fields: () => inner.fields(),
    types: () => [],
  };
}

function typesNamed(operator: string, expected: Value): string[] {
  if (operator === 'equals' && typeof expected === 'string' && !isExpression(expected)) return [expected];
  if (operator === 'in' && Array.isArray(expected) && expected.every((e) => typeof e === 'string')) return expected as string[];
  return [];
}
