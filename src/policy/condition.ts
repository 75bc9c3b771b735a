import type { EvalContext } from '../arm/expression/context.js';
import { evaluateExpressionText, parseCached } from '../arm/expression/evaluator.js';
import { isExpression, unescapeLiteral } from '../arm/expression/parser.js';
import type { Resource } from '../resources/resource.js';
import { isObject, isUnknown, Unknown, type ObjectValue, type Value } from '../resources/value.js';
import type { AliasEntry } from './aliases.js';
import { PolicyCompileError } from './errors.js';
import { compileField, type FieldAccessor } from './field.js';
import { OPERATORS, type Operator } from './operators.js';

export { PolicyCompileError } from './errors.js';

/** Three-valued: a condition on a value that is unknown before deployment is unknown, never a guess. */
export type Truth = true | false | 'unknown';

/** One leaf condition as it was evaluated: what a finding or an explanation points at. */
export interface Witness {
  /** The `field` as written; absent for a `value` condition. */
  field?: string;
  /** The property in the resource body, e.g. `properties.tls.validateCertificateChain`. */
  path?: string;
  operator: string;
  operand: Value;
  /** `undefined` when the property is absent. */
  actual: Value | undefined;
}

export interface Verdict {
  truth: Truth;
  /**
   * The leaves that decided `truth`, in definition order: for a true allOf all of them, for a
   * true anyOf those of the first branch that held; dually for false.
   */
  because: Witness[];
  /** Why the verdict is unknown. */
  reason?: string;
  /** Set when the verdict is unknown because an alias is missing from Tollgate's table. */
  missingAlias?: string;
}

/** One evaluated node, for `explain`: only built when asked for. */
export interface TraceNode {
  text: string;
  truth: Truth;
  children: TraceNode[];
}

export interface Scope {
  resource: Resource;
  /** Carries the policy parameters and the `field()` hook for this resource. */
  ctx: EvalContext;
  trace?: TraceNode[];
}

/** A field the definition reads, for `rules show`. */
export interface FieldUse {
  field: string;
  path?: string;
  alias?: AliasEntry;
  /** True when the alias is not in Tollgate's table. */
  unknownAlias: boolean;
}

export interface CompiledCondition {
  /** Where it is in the definition, e.g. `policyRule.if.allOf[1]`. */
  readonly at: string;
  evaluate(scope: Scope): Verdict;
  fields(): FieldUse[];
  /** Resource types the condition requires through `field: type` with `equals` or `in`; empty = no constraint found. */
  types(): string[];
}

/**
 * An Unknown standing for a field whose alias Tollgate does not know, so that `field()` in an
 * expression and a `field` condition report the same thing.
 */
export class MissingAlias extends Unknown {
  constructor(readonly alias: string) {
    super(`the alias '${alias}' is not in Tollgate's alias table`);
  }
}

const LOGICAL = new Set(['allof', 'anyof', 'not']);

/** Compiles a policy rule's `if` once; the result is evaluated for many resources. */
export function compileCondition(node: Value, at = 'policyRule.if'): CompiledCondition {
  if (!isObject(node)) throw new PolicyCompileError('a condition must be an object', at);
  const keys = Object.keys(node);
  const logical = keys.filter((k) => LOGICAL.has(k.toLowerCase()));
  if (logical.length === 0) return compileLeaf(node, at);
  if (keys.length > 1) throw new PolicyCompileError(`a logical operator must stand alone in its object, found: ${keys.join(', ')}`, at);
  const key = logical[0]!;
  const inner = node[key]!;
  if (key.toLowerCase() === 'not') return notOf(compileCondition(inner, `${at}.${key}`), at);
  if (!Array.isArray(inner)) throw new PolicyCompileError(`'${key}' takes an array of conditions`, at);
  if (inner.length === 0) throw new PolicyCompileError(`'${key}' needs at least one condition`, at);
  const parts = inner.map((c, i) => compileCondition(c, `${at}.${key}[${i}]`));
  return key.toLowerCase() === 'allof' ? allOf(parts, at) : anyOf(parts, at);
}

function compileLeaf(node: ObjectValue, at: string): CompiledCondition {
  const keys = Object.keys(node);
  const fieldKey = keys.find((k) => k.toLowerCase() === 'field');
  const valueKey = keys.find((k) => k.toLowerCase() === 'value');
  if (fieldKey && valueKey) throw new PolicyCompileError("a condition has either 'field' or 'value', not both", at);
  if (!fieldKey && !valueKey) {
    throw new PolicyCompileError(`a condition needs 'field', 'value', 'allOf', 'anyOf' or 'not'; found: ${keys.join(', ') || 'nothing'}`, at);
  }
  const operatorKeys = keys.filter((k) => k !== fieldKey && k !== valueKey);
  if (operatorKeys.length !== 1) throw new PolicyCompileError(`a condition needs exactly one operator, found: ${operatorKeys.join(', ') || 'none'}`, at);
  const opKey = operatorKeys[0]!;
  const operator = OPERATORS.get(opKey.toLowerCase());
  if (!operator) throw new PolicyCompileError(`unsupported operator '${opKey}'`, at);
  const operand = compileOperand(node[opKey]!, operator, at);

  if (fieldKey) {
    const fieldName = node[fieldKey];
    if (typeof fieldName !== 'string') throw new PolicyCompileError("'field' must be a string", at);
    if (isExpression(fieldName)) throw new PolicyCompileError('a field given as an expression is not yet supported', at);
    let accessor: FieldAccessor;
    try {
      accessor = compileField(fieldName);
    } catch (err) {
      throw err instanceof PolicyCompileError ? new PolicyCompileError(err.message, at) : err;
    }
    return fieldLeaf(accessor, operator, operand, at);
  }
  return valueLeaf(compileOperand(node[valueKey!]!, undefined, at), operator, operand, at);
}

/** An operand: a literal (checked now) or an expression (parsed now, evaluated per resource). */
type Operand = { literal: Value } | { expression: string };

function compileOperand(v: Value, operator: Operator | undefined, at: string): Operand {
  if (typeof v === 'string' && isExpression(v)) {
    try {
      parseCached(v);
    } catch (err) {
      throw new PolicyCompileError(`cannot parse expression ${v}: ${(err as Error).message}`, at);
    }
    return { expression: v };
  }
  const literal = typeof v === 'string' ? unescapeLiteral(v) : v;
  const problem = operator?.checkOperand?.(literal);
  if (problem) throw new PolicyCompileError(`'${operator!.name}' ${problem}`, at);
  return { literal };
}

function operandValue(operand: Operand, scope: Scope): Value {
  return 'literal' in operand ? operand.literal : evaluateExpressionText(operand.expression, scope.ctx);
}

function fieldLeaf(accessor: FieldAccessor, operator: Operator, operand: Operand, at: string): CompiledCondition {
  const use: FieldUse =
    accessor.kind === 'known'
      ? { field: accessor.field, path: accessor.path, alias: accessor.alias, unknownAlias: false }
      : { field: accessor.field, unknownAlias: true };
  const isType = accessor.field.toLowerCase() === 'type';
  return {
    at,
    evaluate: (scope) =>
      traced(scope, (v) => `field '${accessor.field}'${showActual(use.path, v)} ${operator.name} ${showOperand(operand)}`, () => {
        const actual = accessor.kind === 'known' ? accessor.read(scope.resource) : new MissingAlias(accessor.field);
        return decide(scope, operator, operand, actual, { field: accessor.field, path: use.path }, at);
      }),
    fields: () => [use],
    types: () => (isType && 'literal' in operand ? typesNamed(operator.name, operand.literal) : []),
  };
}

function valueLeaf(value: Operand, operator: Operator, operand: Operand, at: string): CompiledCondition {
  return {
    at,
    evaluate: (scope) =>
      traced(scope, (v) => `value ${showOperand(value)}${showActual(undefined, v)} ${operator.name} ${showOperand(operand)}`, () =>
        decide(scope, operator, operand, operandValue(value, scope), {}, at),
      ),
    fields: () => [],
    types: () => [],
  };
}

function decide(scope: Scope, operator: Operator, operand: Operand, actual: Value | undefined, where: { field?: string; path?: string }, at: string): Verdict {
  if (isUnknown(actual)) return unknownVerdict(actual, where.path ?? where.field);
  const expected = operandValue(operand, scope);
  if (isUnknown(expected)) return unknownVerdict(expected);
  if (!operator.presenceOnly && containsUnknown(actual)) return { truth: 'unknown', because: [], reason: `part of ${where.path ?? 'the value'} is not known before deployment` };
  let truth: boolean;
  try {
    truth = operator.test(actual, expected);
  } catch (err) {
    throw new PolicyCompileError(`'${operator.name}' ${(err as Error).message}`, at);
  }
  return { truth, because: [{ ...where, operator: operator.name, operand: expected, actual }] };
}

function unknownVerdict(u: Unknown, what?: string): Verdict {
  if (u instanceof MissingAlias) return { truth: 'unknown', because: [], reason: u.reason, missingAlias: u.alias };
  return { truth: 'unknown', because: [], reason: what ? `${what} is not known before deployment (${u.reason})` : u.reason };
}

function containsUnknown(v: Value | undefined): boolean {
  if (isUnknown(v)) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (isObject(v)) return Object.values(v).some(containsUnknown);
  return false;
}

function allOf(parts: CompiledCondition[], at: string): CompiledCondition {
  return {
    at,
    evaluate: (scope) => traced(scope, () => 'allOf', (inner) => combine(parts, inner, false)),
    fields: () => parts.flatMap((p) => p.fields()),
    // Every branch of an allOf must hold, so a type constraint in any branch constrains the whole.
    types: () => {
      const constrained = parts.map((p) => p.types()).filter((t) => t.length > 0);
      return constrained.length > 0 ? intersect(constrained) : [];
    },
  };
}

function anyOf(parts: CompiledCondition[], at: string): CompiledCondition {
  return {
    at,
    evaluate: (scope) => traced(scope, () => 'anyOf', (inner) => combine(parts, inner, true)),
    fields: () => parts.flatMap((p) => p.fields()),
    // Only when every branch names types is their union a constraint.
    types: () => {
      const each = parts.map((p) => p.types());
      return each.every((t) => t.length > 0) ? unique(each.flat()) : [];
    },
  };
}

/**
 * allOf (`decisive` false) stops at the first false part, anyOf (`decisive` true) at the first
 * true one, and that part alone explains the result. Otherwise an unknown part makes the whole
 * unknown; if none, every part together explains it.
 */
function combine(parts: CompiledCondition[], scope: Scope, decisive: boolean): Verdict {
  let unknown: Verdict | undefined;
  const because: Witness[] = [];
  for (const part of parts) {
    const v = part.evaluate(scope);
    if (v.truth === decisive) return v;
    if (v.truth === 'unknown') {
      if (!unknown) unknown = v;
      else if (!unknown.missingAlias && v.missingAlias) unknown = { ...unknown, missingAlias: v.missingAlias, reason: v.reason };
    } else because.push(...v.because);
  }
  return unknown ? { truth: 'unknown', because: [], reason: unknown.reason, missingAlias: unknown.missingAlias } : { truth: !decisive, because };
}

function notOf(inner: CompiledCondition, at: string): CompiledCondition {
  return {
    at,
    evaluate: (scope) =>
      traced(scope, () => 'not', (s) => {
        const v = inner.evaluate(s);
        // What made the inner condition false is what makes this one true, and the reverse.
        return v.truth === 'unknown' ? v : { ...v, truth: !v.truth };
      }),
    fields: () => inner.fields(),
    types: () => [],
  };
}

function traced(scope: Scope, text: (v: Verdict) => string, run: (scope: Scope) => Verdict): Verdict {
  if (!scope.trace) return run(scope);
  const node: TraceNode = { text: '', truth: 'unknown', children: [] };
  scope.trace.push(node);
  const v = run({ ...scope, trace: node.children });
  node.truth = v.truth;
  node.text = text(v);
  return v;
}

function showActual(path: string | undefined, v: Verdict): string {
  const w = v.because[0];
  if (v.because.length !== 1 || !w) return v.truth === 'unknown' && v.reason ? ` (${v.reason})` : '';
  const shown = w.actual === undefined ? 'absent' : JSON.stringify(w.actual);
  return path ? ` (${path} = ${shown})` : ` (= ${shown})`;
}

function showOperand(operand: Operand): string {
  return 'literal' in operand ? JSON.stringify(operand.literal) : operand.expression;
}

function typesNamed(operator: string, operand: Value): string[] {
  if (operator === 'equals' && typeof operand === 'string') return [operand];
  if (operator === 'in' && Array.isArray(operand) && operand.every((e) => typeof e === 'string')) return unique(operand as string[]);
  return [];
}

function unique(types: string[]): string[] {
  const seen = new Set<string>();
  return types.filter((t) => !seen.has(t.toLowerCase()) && seen.add(t.toLowerCase()));
}

/** Types allowed by every constraint (case-insensitive), keeping the first spelling. */
function intersect(lists: string[][]): string[] {
  const [first, ...rest] = lists;
  return unique(first!.filter((t) => rest.every((l) => l.some((u) => u.toLowerCase() === t.toLowerCase()))));
}
