import { FunctionError, evaluateExpressionText, EvaluationError } from '../arm/expression/evaluator.js';
import { isExpression, unescapeLiteral } from '../arm/expression/parser.js';
import { isObject, isUnknown, Unknown, type ObjectValue, type PathSegment, type Value } from '../resources/value.js';
import type { AliasEntry } from './aliases.js';
import { PolicyCompileError, PolicyEvaluationError } from './errors.js';
import {
  compileField,
  defaultFieldOptions,
  parseFieldPath,
  showPath,
  stepInto,
  WILD,
  type FieldOptions,
  type FieldRef,
  type PolicyTarget,
  type Seg,
} from './field.js';
import { checkPolicyExpression, containsUnknown, POLICY_FUNCTIONS, type PolicyEnvironment, type PolicyEvalContext } from './functions.js';
import { describeOperand, OPERATORS, type Operator } from './operators.js';
import { fold } from '../case-fold.js';
import { intersect, unique } from './rule-types.js';

export { PolicyCompileError } from './errors.js';
export type { PolicyTarget } from './field.js';

/** Three-valued: a condition on a value that is unknown before deployment is unknown, never a guess. */
export type Truth = true | false | 'unknown';

/** One leaf condition as it was evaluated: what a finding or an explanation points at. */
export interface Witness {
  /** The `field` as written; for a `value` condition, the field its expression read the value from (absent when computed). */
  field?: string;
  /** The property in the resource body, e.g. `properties.tls.validateCertificateChain` (never with `[*]`). */
  path?: string;
  operator: string;
  operand: Value;
  /** `undefined` when the property is absent. */
  actual: Value | undefined;
  /** Set when `actual` is the result of a `count` (how many members matched), not a property value. */
  counted?: true;
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

/** The member a `count` is looking at, for the fields and `current()` inside its `where`. */
export interface Binding {
  kind: 'field' | 'value';
  /** Field count: the count's field as written. */
  field?: string;
  /** Field count: the segments of the count's field (up to its last `[*]`). */
  prefix?: readonly Seg[];
  /** Field count: where the member is in the target's body. */
  path?: readonly PathSegment[];
  /** Value count: its `name`. */
  name?: string;
  value: Value | undefined;
}

export interface Scope {
  /** What `field` conditions read. */
  target: PolicyTarget;
  /** What `field()` in an expression reads: the same, except inside an existenceCondition (the if resource). */
  exprTarget: PolicyTarget;
  env: PolicyEnvironment;
  /** The policy parameters' values. */
  parameter(name: string): Value;
  fieldOptions: FieldOptions;
  bindings: readonly Binding[];
  trace?: TraceNode[];
  /** Filled with each property `field()` reads, while a `value` condition's expression is evaluated. */
  reads?: FieldRead[];
}

/** A property an expression read with `field()`: which alias, where in the body, and whether it was there. */
interface FieldRead {
  field: string;
  path?: string;
  value: Value;
  absent: boolean;
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

export interface ConditionOptions {
  fields?: FieldOptions;
}

/** Shared by the conditions of one policy rule, for the limits Azure sets per rule. */
interface CompileState {
  fields: FieldOptions;
  valueCounts: number;
  /** Iterations of the value counts around the one being compiled (their lengths multiplied), where known. */
  outerIterations: number;
  /** Iterations of the outermost value count being compiled and of every value count inside it, where known. */
  valueTree?: { total: number };
}

/**
 * Azure's limits on value count, "enforced during authoring or assignment": at most 10 per
 * policy rule, and at most 100 iterations per value count, nested ones including the iterations
 * of their parent (definition-structure-policy-rule, "Limits enforced during authoring"). Azure
 * refuses such a definition, so Tollgate reports it when the definition is loaded, never while a
 * resource is evaluated. The iterations are counted over literal arrays only: Azure's own
 * built-in MANAExistingVMNVASupport_Modify counts over a parameter whose default has 115 items.
 */
export const MAX_VALUE_COUNTS = 10;
export const MAX_VALUE_COUNT_ITERATIONS = 100;

const LOGICAL = new Set(['allof', 'anyof', 'not']);
const LHS = new Set(['field', 'value', 'count']);

/** Compiles a policy rule's `if` once; the result is evaluated for many resources. */
export function compileCondition(node: Value, at = 'policyRule.if', options: ConditionOptions = {}): CompiledCondition {
  return compileNode(node, at, { fields: options.fields ?? defaultFieldOptions(), valueCounts: 0, outerIterations: 1 });
}

function compileNode(node: Value, at: string, state: CompileState): CompiledCondition {
  if (!isObject(node)) throw new PolicyCompileError('a condition must be an object', at);
  const keys = Object.keys(node);
  const logical = keys.filter((k) => LOGICAL.has(k.toLowerCase()));
  if (logical.length === 0) return compileLeaf(node, at, state);
  if (keys.length > 1) throw new PolicyCompileError(`a logical operator must stand alone in its object, found: ${keys.join(', ')}`, at);
  const key = logical[0]!;
  const inner = node[key]!;
  if (key.toLowerCase() === 'not') {
    if (!isObject(inner)) throw new PolicyCompileError(`'${key}' takes one condition (an object)`, at);
    return notOf(compileNode(inner, `${at}.${key}`, state), at);
  }
  if (!Array.isArray(inner)) throw new PolicyCompileError(`'${key}' takes an array of conditions`, at);
  const parts = inner.map((c, i) => compileNode(c, `${at}.${key}[${i}]`, state));
  return key.toLowerCase() === 'allof' ? allOf(parts, at) : anyOf(parts, at);
}

function compileLeaf(node: ObjectValue, at: string, state: CompileState): CompiledCondition {
  const keys = Object.keys(node);
  const lhs = keys.filter((k) => LHS.has(k.toLowerCase()));
  if (lhs.length > 1) throw new PolicyCompileError(`a condition has one of 'field', 'value' or 'count', found: ${lhs.join(', ')}`, at);
  if (lhs.length === 0) {
    throw new PolicyCompileError(`a condition needs 'field', 'value', 'count', 'allOf', 'anyOf' or 'not'; found: ${keys.join(', ') || 'nothing'}`, at);
  }
  const lhsKey = lhs[0]!;
  const operatorKeys = keys.filter((k) => k !== lhsKey);
  if (operatorKeys.length !== 1) throw new PolicyCompileError(`a condition needs exactly one operator, found: ${operatorKeys.join(', ') || 'none'}`, at);
  const opKey = operatorKeys[0]!;
  const operator = OPERATORS.get(opKey.toLowerCase());
  if (!operator) throw new PolicyCompileError(`unsupported operator '${opKey}'`, at);
  const operand = compileOperand(node[opKey]!, operator, at);
  const kind = lhsKey.toLowerCase();
  if (kind === 'field') return fieldLeaf(node[lhsKey]!, operator, operand, at, state);
  if (kind === 'value') return valueLeaf(compileOperand(node[lhsKey]!, undefined, at), operator, operand, at);
  return countLeaf(node[lhsKey]!, operator, operand, `${at}.${lhsKey}`, at, state);
}

// ---------------------------------------------------------------------------------------------
// Operands and expressions

/** A literal (checked now), an expression (checked now, evaluated per resource), or a structure holding some. */
type Operand = { literal: Value } | { expression: string } | { tree: Value };

function compileOperand(v: Value, operator: Operator | undefined, at: string): Operand {
  if (typeof v === 'string' && isExpression(v)) {
    checkPolicyExpression(v, at);
    return { expression: v };
  }
  if (hasExpression(v)) {
    checkTree(v, at);
    return { tree: v };
  }
  const literal = typeof v === 'string' ? unescapeLiteral(v) : v;
  const problem = operator?.checkOperand?.(literal);
  if (problem) throw new PolicyCompileError(`'${operator!.name}' ${problem}`, at);
  return { literal };
}

function hasExpression(v: Value): boolean {
  if (typeof v === 'string') return isExpression(v);
  if (Array.isArray(v)) return v.some(hasExpression);
  if (isObject(v)) return Object.values(v).some(hasExpression);
  return false;
}

function checkTree(v: Value, at: string): void {
  if (typeof v === 'string' && isExpression(v)) checkPolicyExpression(v, at);
  else if (Array.isArray(v)) v.forEach((x) => checkTree(x, at));
  else if (isObject(v)) Object.values(v).forEach((x) => checkTree(x, at));
}

function operandValue(operand: Operand, scope: Scope): Value {
  if ('literal' in operand) return operand.literal;
  if ('expression' in operand) return evaluateIn(scope, operand.expression);
  return evaluateTree(operand.tree, scope);
}

/** Evaluates every expression string inside a structure (arrays and objects of the rule). */
export function evaluateTree(v: Value, scope: Scope): Value {
  if (typeof v === 'string') return isExpression(v) ? evaluateIn(scope, v) : unescapeLiteral(v);
  if (Array.isArray(v)) return v.map((x) => evaluateTree(x, scope));
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, evaluateTree(x, scope)]));
  return v;
}

const contexts = new WeakMap<Scope, PolicyEvalContext>();

/** The expression context of a scope: parameters, field() and current() see its resource and bindings. */
export function contextOf(scope: Scope): PolicyEvalContext {
  let ctx = contexts.get(scope);
  if (!ctx) {
    ctx = {
      functions: POLICY_FUNCTIONS,
      deployment: scope.env.deployment,
      missingPropertyIsNull: true,
      env: scope.env,
      parameter: scope.parameter,
      field: (path) => fieldFunction(scope, path),
      current: (name) => currentValue(scope, name),
    };
    contexts.set(scope, ctx);
  }
  return ctx;
}

/** Evaluates an expression; a failing function is an evaluation failure (an implicit deny). */
export function evaluateIn(scope: Scope, text: string): Value {
  try {
    return evaluateExpressionText(text, contextOf(scope));
  } catch (err) {
    if (err instanceof EvaluationError || err instanceof FunctionError) throw new PolicyEvaluationError(`${text}: ${err.message}`);
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Reading fields

interface Located {
  /** Where reading starts: the target's body, or the member a count binds. */
  base: Value | undefined;
  /** The rest of the path from there. */
  rest: readonly Seg[];
  /** The concrete path of `base` in the target's body. */
  basePath: readonly PathSegment[];
}

function sameSeg(a: Seg, b: Seg): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a === b || fold(a) === fold(b);
  return a === b;
}

/** The innermost field count whose array the path is in reads from its member; otherwise the body. */
function locate(segs: readonly Seg[], scope: Scope, useBindings: boolean, target: PolicyTarget): Located {
  if (useBindings) {
    for (let i = scope.bindings.length - 1; i >= 0; i--) {
      const b = scope.bindings[i]!;
      if (b.kind !== 'field' || !b.prefix || b.prefix.length > segs.length) continue;
      if (b.prefix.every((s, j) => sameSeg(s, segs[j]!))) return { base: b.value, rest: segs.slice(b.prefix.length), basePath: b.path ?? [] };
    }
  }
  return { base: target.body, rest: segs, basePath: [] };
}

/** Follows segments up to the first `[*]` (or the end). */
function walk(base: Value | undefined, segs: readonly Seg[], from: number, path: PathSegment[]): { value: Value | undefined; next: number } {
  let cur = base;
  let i = from;
  for (; i < segs.length; i++) {
    const s = segs[i]!;
    if (s === WILD) break;
    if (isUnknown(cur)) break;
    cur = stepInto(cur, s);
    path.push(s);
  }
  return { value: cur, next: i };
}

/** The value of a field without `[*]` (after any binding), normalised. */
function readScalar(ref: FieldRef, scope: Scope, target: PolicyTarget, useBindings: boolean): { value: Value | undefined; path?: string } {
  if (ref.kind === 'unknown-alias') return { value: new MissingAlias(ref.field) };
  if (ref.kind === 'computed') return { value: ref.read(target), path: ref.path };
  const segs = ref.segments(target);
  // The alias is not defined for this type: nothing is read (and its path may hold [*]).
  if (!segs) return { value: undefined };
  const loc = locate(segs, scope, useBindings, target);
  const path = [...loc.basePath];
  const { value } = walk(loc.base, loc.rest, 0, path);
  return { value: ref.normalize ? ref.normalize(value) : value, path: showPath(path) };
}

/**
 * Every value a `[*]` path selects, flattened: members that lack the rest of the path are
 * left out, a missing array selects nothing. An Unknown on the way makes the whole Unknown.
 */
function collect(base: Value | undefined, segs: readonly Seg[], from: number, out: Value[]): Unknown | undefined {
  const { value, next } = walk(base, segs, from, []);
  if (isUnknown(value)) return value;
  if (next === segs.length) {
    if (value !== undefined) out.push(value);
    return undefined;
  }
  if (!Array.isArray(value)) return undefined;
  for (const member of value) {
    const u = collect(member, segs, next + 1, out);
    if (u) return u;
  }
  return undefined;
}

/** Members selected by a `[*]` path, each with its concrete path: what a field count counts. */
function members(
  base: Value | undefined,
  segs: readonly Seg[],
  from: number,
  path: PathSegment[],
  out: { value: Value; path: PathSegment[] }[],
): Unknown | undefined {
  const step = walk(base, segs, from, path);
  if (isUnknown(step.value)) return step.value;
  if (step.next === segs.length) return undefined;
  if (!Array.isArray(step.value)) return undefined;
  const last = step.next + 1 === segs.length;
  for (let k = 0; k < step.value.length; k++) {
    const member = step.value[k]!;
    const memberPath = [...path, k];
    if (last) {
      out.push({ value: member, path: memberPath });
      continue;
    }
    const u = members(member, segs, step.next + 1, memberPath, out);
    if (u) return u;
  }
  return undefined;
}

/**
 * `field('…')` in an expression: the value, or '' when it is absent. A `[*]` alias gives an
 * array of the values it selects; inside a count over its array, of the current member's only.
 */
function fieldFunction(scope: Scope, name: string): Value {
  const ref = compileField(name, scope.fieldOptions);
  const target = scope.exprTarget;
  const useBindings = target === scope.target;
  if (ref.kind === 'unknown-alias') return new MissingAlias(name);
  if (ref.kind === 'path' && ref.wildcard) {
    const segs = ref.segments(target);
    if (!segs) return [];
    const loc = locate(segs, scope, useBindings, target);
    const out: Value[] = [];
    if (!loc.rest.includes(WILD)) {
      const { value } = walk(loc.base, loc.rest, 0, []);
      if (isUnknown(value)) return value;
      return value === undefined ? out : [value];
    }
    return collect(loc.base, loc.rest, 0, out) ?? out;
  }
  const { value, path } = readScalar(ref, scope, target, useBindings);
  // Absent (or null) reads as '': built-ins rely on it (`if(equals(field(x), ''), 0, int(field(x)))`).
  const read = value === undefined || value === null ? '' : value;
  scope.reads?.push({ field: name, ...(path !== undefined ? { path } : {}), value: read, absent: read !== value });
  return read;
}

/** `current()` (the innermost count's member) and `current('name')`. */
function currentValue(scope: Scope, name: string | undefined): Value {
  const bindings = scope.bindings;
  if (bindings.length === 0) throw new FunctionError('current() is only available inside the where of a count');
  if (name === undefined) return bindings[bindings.length - 1]!.value ?? null;
  const key = fold(name);
  for (let i = bindings.length - 1; i >= 0; i--) {
    const b = bindings[i]!;
    if (b.kind === 'value' && b.name !== undefined && fold(b.name) === key) return b.value ?? null;
    if (b.kind === 'field' && b.field !== undefined && fold(b.field) === key) return b.value ?? null;
  }
  // current('<array alias>[*].property'): a property of the member a field count is at.
  const ref = compileField(name, scope.fieldOptions);
  const segs = ref.kind === 'path' ? ref.segments(scope.target) : undefined;
  if (segs) {
    const loc = locate(segs, scope, true, scope.target);
    if (loc.rest.length < segs.length) {
      if (!loc.rest.includes(WILD)) return walk(loc.base, loc.rest, 0, []).value ?? null;
      const out: Value[] = [];
      return collect(loc.base, loc.rest, 0, out) ?? out;
    }
  }
  throw new FunctionError(`current('${name}') names no count around it`);
}

// ---------------------------------------------------------------------------------------------
// Leaves

function fieldLeaf(fieldValue: Value, operator: Operator, operand: Operand, at: string, state: CompileState): CompiledCondition {
  if (typeof fieldValue !== 'string') throw new PolicyCompileError("'field' must be a string", at);
  const options = state.fields;
  let fixed: FieldRef | undefined;
  let dynamic: string | undefined;
  if (isExpression(fieldValue)) {
    checkPolicyExpression(fieldValue, at);
    dynamic = fieldValue;
  } else {
    try {
      fixed = compileField(fieldValue, options);
    } catch (err) {
      throw err instanceof PolicyCompileError ? new PolicyCompileError(err.message, at) : err;
    }
  }
  const use: FieldUse | undefined = fixed && fieldUse(fixed);
  const isType = fixed?.kind === 'computed' && fixed.field.toLowerCase() === 'type';
  return {
    at,
    evaluate: (scope) =>
      traced(
        scope,
        (v) => `field '${fixed?.field ?? dynamic}'${showActual(v.because[0]?.path ?? use?.path, v)} ${operator.name} ${showOperand(operand)}`,
        () => {
          let ref = fixed;
          if (!ref) {
            const name = evaluateIn(scope, dynamic!);
            if (isUnknown(name)) return unknownVerdict(name, 'the field name');
            if (typeof name !== 'string') throw new PolicyEvaluationError(`the field ${dynamic} must give a field name, not ${describeOperand(name)}`);
            try {
              ref = compileField(name, scope.fieldOptions);
            } catch (err) {
              throw err instanceof PolicyCompileError ? new PolicyEvaluationError(err.message) : err;
            }
          }
          return evaluateField(ref, operator, operand, scope, at);
        },
      ),
    fields: () => (use ? [use] : []),
    types: () => (isType && 'literal' in operand ? typesNamed(operator.name, operand.literal) : []),
  };
}

function fieldUse(ref: FieldRef): FieldUse {
  if (ref.kind === 'unknown-alias') return { field: ref.field, unknownAlias: true };
  if (ref.kind === 'computed') return { field: ref.field, path: ref.path, unknownAlias: false };
  return { field: ref.field, path: ref.path, alias: ref.alias, unknownAlias: false };
}

function evaluateField(ref: FieldRef, operator: Operator, operand: Operand, scope: Scope, at: string): Verdict {
  const segs = ref.kind === 'path' ? ref.segments(scope.target) : undefined;
  if (segs) {
    const loc = locate(segs, scope, true, scope.target);
    if (loc.rest.includes(WILD)) {
      // A [*] field outside a count holding it: every selected member must satisfy the condition.
      let expected: Value | undefined;
      return everyMember(loc.base, loc.rest, 0, [...loc.basePath], (actual, path) => {
        expected ??= operandValue(operand, scope);
        return decide(operator, actual, expected, { field: ref.field, path: showPath(path) }, at);
      });
    }
  }
  const { value, path } = readScalar(ref, scope, scope.target, true);
  if (isUnknown(value)) return unknownVerdict(value, path ?? ref.field);
  return decide(operator, value, operandValue(operand, scope), { field: ref.field, path }, at);
}

/**
 * The implicit allOf of a `[*]` field: true when every member satisfies the condition, false at
 * the first member that does not. A missing array (or a value that is not an array) selects
 * "an empty collection of values" (author-policies-for-arrays), which every condition holds
 * for, as an empty array does.
 */
function everyMember(
  base: Value | undefined,
  segs: readonly Seg[],
  from: number,
  path: PathSegment[],
  visit: (actual: Value | undefined, path: PathSegment[]) => Verdict,
): Verdict {
  const step = walk(base, segs, from, path);
  if (isUnknown(step.value)) return unknownVerdict(step.value, showPath(path));
  if (step.next === segs.length) return visit(step.value, path);
  if (!Array.isArray(step.value)) return { truth: true, because: [] };
  let unknown: Verdict | undefined;
  const because: Witness[] = [];
  for (let k = 0; k < step.value.length; k++) {
    const v = everyMember(step.value[k]!, segs, step.next + 1, [...path, k], visit);
    if (v.truth === false) return v;
    if (v.truth === 'unknown') unknown ??= v;
    else if (because.length < 1) because.push(...v.because);
  }
  return unknown ?? { truth: true, because };
}

function valueLeaf(value: Operand, operator: Operator, operand: Operand, at: string): CompiledCondition {
  // A value computed from the resource's own properties (`[field('…assessmentMode')]`, or an
  // `if` choosing between two of them) is about the property it came from: the witness names it,
  // so that a finding points at that property rather than at a condition that only selected the resource.
  const readsFields = 'expression' in value && /\bfield\s*\(/i.test(value.expression);
  return {
    at,
    evaluate: (scope) =>
      traced(
        scope,
        (v) => `value ${showOperand(value)}${showActual(v.because[0]?.path, v)} ${operator.name} ${showOperand(operand)}`,
        () => {
          const reads: FieldRead[] | undefined = readsFields ? [] : undefined;
          const actual = operandValue(value, reads ? { ...scope, reads } : scope);
          if (isUnknown(actual)) return unknownVerdict(actual);
          const verdict = decide(operator, actual, operandValue(operand, scope), {}, at);
          const source = reads && sourceRead(reads, actual);
          const w = verdict.because[0];
          if (source?.path !== undefined && w) {
            w.field = source.field;
            w.path = source.path;
            if (source.absent) w.actual = undefined;
          }
          return verdict;
        },
      ),
    fields: () => [],
    types: () => [],
  };
}

/** The property the value is: the last one read whose value it is, unchanged (an `if` picking one, a bare `field()`). */
function sourceRead(reads: readonly FieldRead[], actual: Value): FieldRead | undefined {
  for (let i = reads.length - 1; i >= 0; i--) if (reads[i]!.value === actual) return reads[i];
  return undefined;
}

function decide(operator: Operator, actual: Value | undefined, expected: Value, where: { field?: string; path?: string }, at: string): Verdict {
  if (isUnknown(actual)) return unknownVerdict(actual, where.path ?? where.field);
  if (isUnknown(expected)) return unknownVerdict(expected);
  if (!operator.presenceOnly && containsUnknown(actual))
    return { truth: 'unknown', because: [], reason: `part of ${where.path ?? 'the value'} is not known before deployment` };
  if (containsUnknown(expected)) return { truth: 'unknown', because: [], reason: `part of the value compared with is not known before deployment` };
  let truth: boolean;
  try {
    truth = operator.test(actual, expected);
  } catch (err) {
    if (err instanceof PolicyEvaluationError) throw new PolicyEvaluationError(`${err.message} (at ${at})`);
    throw err;
  }
  // Built field by field: V8 (Node 20) takes a slow path for a spread followed by more properties, and this runs for every leaf.
  const witness: Witness = { operator: operator.name, operand: expected, actual };
  if (where.field !== undefined) witness.field = where.field;
  if (where.path !== undefined) witness.path = where.path;
  return { truth, because: [witness] };
}

function unknownVerdict(u: Unknown, what?: string): Verdict {
  if (u instanceof MissingAlias) return { truth: 'unknown', because: [], reason: u.reason, missingAlias: u.alias };
  return { truth: 'unknown', because: [], reason: what ? `${what} is not known before deployment (${u.reason})` : u.reason };
}

// ---------------------------------------------------------------------------------------------
// count

const COUNT_KEYS = new Set(['field', 'value', 'name', 'where']);

/**
 * How many members a value count's array has when the definition is written: a literal array.
 * An expression (a parameter, the resource) is not counted: see MAX_VALUE_COUNT_ITERATIONS.
 */
function staticLength(value: Operand): number | undefined {
  return 'literal' in value && Array.isArray(value.literal) ? value.literal.length : undefined;
}

function countLeaf(spec: Value, operator: Operator, operand: Operand, countAt: string, at: string, state: CompileState): CompiledCondition {
  if (!isObject(spec)) throw new PolicyCompileError("'count' takes an object with 'field' or 'value'", at);
  const keyOf = (k: string) => Object.keys(spec).find((x) => x.toLowerCase() === k);
  for (const k of Object.keys(spec)) if (!COUNT_KEYS.has(k.toLowerCase())) throw new PolicyCompileError(`'count' has an unknown property '${k}'`, countAt);
  const fieldKey = keyOf('field');
  const valueKey = keyOf('value');
  const nameKey = keyOf('name');
  const whereKey = keyOf('where');
  if ((fieldKey === undefined) === (valueKey === undefined)) throw new PolicyCompileError("'count' takes exactly one of 'field' and 'value'", countAt);
  if (nameKey !== undefined && fieldKey !== undefined) throw new PolicyCompileError("'count.name' only goes with 'count.value'", countAt);
  const name = nameKey === undefined ? undefined : spec[nameKey];
  if (name !== undefined && (typeof name !== 'string' || name === '')) throw new PolicyCompileError("'count.name' must be a non-empty string", countAt);
  const compileWhere = () => (whereKey === undefined ? undefined : compileNode(spec[whereKey]!, `${countAt}.${whereKey}`, state));

  if (fieldKey !== undefined) {
    const where = compileWhere();
    const fieldName = spec[fieldKey];
    if (typeof fieldName !== 'string' || isExpression(fieldName)) throw new PolicyCompileError("'count.field' must be an array alias", countAt);
    if (!/\[\s*\*\s*\]\s*$/.test(fieldName)) throw new PolicyCompileError(`'count.field' must be an array alias ending in [*], not '${fieldName}'`, countAt);
    let ref: FieldRef;
    try {
      ref = compileField(fieldName, state.fields);
    } catch (err) {
      throw err instanceof PolicyCompileError ? new PolicyCompileError(err.message, countAt) : err;
    }
    if (ref.kind === 'computed' || (ref.kind === 'path' && !ref.wildcard))
      throw new PolicyCompileError(`'count.field' must be an array alias ending in [*], not '${fieldName}'`, countAt);
    return fieldCount(ref, where, operator, operand, at);
  }
  state.valueCounts++;
  if (state.valueCounts > MAX_VALUE_COUNTS) throw new PolicyCompileError(`a policy rule may hold at most ${MAX_VALUE_COUNTS} value count expressions`, countAt);
  const value = compileOperand(spec[valueKey!]!, undefined, countAt);
  if ('literal' in value && !Array.isArray(value.literal))
    throw new PolicyCompileError(`'count.value' must be an array, got ${describeOperand(value.literal)}`, countAt);
  // A nested value count runs once per iteration of each value count around it; its iterations
  // count toward the outermost one's limit, with the parent's own.
  const length = staticLength(value);
  const iterations = state.outerIterations * (length ?? 1);
  const outerTree = state.valueTree;
  const tree = outerTree ?? { total: 0 };
  if (length !== undefined) {
    tree.total += iterations;
    if (tree.total > MAX_VALUE_COUNT_ITERATIONS) {
      const how = outerTree ? `${tree.total} with the value counts around it and beside it (this one ${state.outerIterations} × ${length})` : String(length);
      throw new PolicyCompileError(
        `a value count may do at most ${MAX_VALUE_COUNT_ITERATIONS} iterations, nested ones included; this one does ${how} (a limit Azure enforces when the definition is created or assigned: it refuses it)`,
        countAt,
      );
    }
  }
  const outer = state.outerIterations;
  state.outerIterations = iterations;
  state.valueTree = tree;
  let where: CompiledCondition | undefined;
  try {
    where = compileWhere();
  } finally {
    state.outerIterations = outer;
    if (outerTree) state.valueTree = outerTree;
    else delete state.valueTree;
  }
  return valueCount(value, name as string | undefined, where, operator, operand, at);
}

function fieldCount(ref: FieldRef, where: CompiledCondition | undefined, operator: Operator, operand: Operand, at: string): CompiledCondition {
  const use = fieldUse(ref);
  return {
    at,
    evaluate: (scope) =>
      traced(
        scope,
        (v) => `count field '${ref.field}'${where ? ' where …' : ''}${showActual(undefined, v)} ${operator.name} ${showOperand(operand)}`,
        () => {
          if (ref.kind !== 'path') return unknownVerdict(new MissingAlias(ref.field));
          const segs = ref.segments(scope.target);
          if (!segs) return countVerdict([], operator, operand, scope, { field: ref.field }, at);
          const loc = locate(segs, scope, true, scope.target);
          const found: { value: Value; path: PathSegment[] }[] = [];
          const unknown = members(loc.base, loc.rest, 0, [...loc.basePath], found);
          const arrayPath = showPath([
            ...loc.basePath,
            ...loc.rest.slice(0, Math.max(0, loc.rest.indexOf(WILD))).filter((s): s is string | number => s !== WILD),
          ]);
          if (unknown) return unknownVerdict(unknown, arrayPath);
          const prefix = segs;
          const results = found.map((m) =>
            where
              ? where.evaluate(withBindings(scope, [...scope.bindings, { kind: 'field', field: ref.field, prefix, path: m.path, value: m.value }])).truth
              : true,
          );
          return countVerdict(results, operator, operand, scope, { field: ref.field, path: arrayPath || undefined }, at);
        },
      ),
    fields: () => [use, ...(where?.fields() ?? [])],
    types: () => [],
  };
}

function valueCount(
  value: Operand,
  name: string | undefined,
  where: CompiledCondition | undefined,
  operator: Operator,
  operand: Operand,
  at: string,
): CompiledCondition {
  return {
    at,
    evaluate: (scope) =>
      traced(
        scope,
        (v) => `count value ${showOperand(value)}${where ? ' where …' : ''}${showActual(undefined, v)} ${operator.name} ${showOperand(operand)}`,
        () => {
          const items = operandValue(value, scope);
          if (isUnknown(items)) return unknownVerdict(items, 'the counted value');
          if (!Array.isArray(items)) throw new PolicyEvaluationError(`'count.value' must be an array, got ${describeOperand(items)} (at ${at})`);
          // The iteration limit is Azure's authoring check (see countLeaf), never a per-resource failure.
          const results = items.map((item) =>
            where ? where.evaluate(withBindings(scope, [...scope.bindings, { kind: 'value', name, value: item }])).truth : true,
          );
          return countVerdict(results, operator, operand, scope, {}, at);
        },
      ),
    fields: () => where?.fields() ?? [],
    types: () => [],
  };
}

/**
 * Compares the count with the operand. Members whose `where` is unknown make the count a range;
 * the verdict is known when the whole range gives the same answer.
 */
function countVerdict(results: Truth[], operator: Operator, operand: Operand, scope: Scope, where: { field?: string; path?: string }, at: string): Verdict {
  const known = results.filter((r) => r === true).length;
  const open = results.filter((r) => r === 'unknown').length;
  const expected = operandValue(operand, scope);
  if (isUnknown(expected)) return unknownVerdict(expected);
  const first = decide(operator, known, expected, where, at);
  for (let n = known + 1; n <= known + open; n++) {
    if (decide(operator, n, expected, where, at).truth !== first.truth) {
      return {
        truth: 'unknown',
        because: [],
        reason: `${open} member${open === 1 ? '' : 's'} of ${where.path ?? 'the counted array'} cannot be decided before deployment`,
      };
    }
  }
  for (const w of first.because) w.counted = true;
  return first;
}

// ---------------------------------------------------------------------------------------------
// Logic

function allOf(parts: CompiledCondition[], at: string): CompiledCondition {
  return {
    at,
    evaluate: (scope) =>
      traced(
        scope,
        () => 'allOf',
        (inner) => combine(parts, inner, false),
      ),
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
    evaluate: (scope) =>
      traced(
        scope,
        () => 'anyOf',
        (inner) => combine(parts, inner, true),
      ),
    fields: () => parts.flatMap((p) => p.fields()),
    // Only when every branch names types is their union a constraint.
    types: () => {
      const each = parts.map((p) => p.types());
      return each.length > 0 && each.every((t) => t.length > 0) ? unique(each.flat()) : [];
    },
  };
}

/**
 * allOf (`decisive` false) stops at the first false part, anyOf (`decisive` true) at the first
 * true one, and that part alone explains the result. Otherwise an unknown part makes the whole
 * unknown; if none, every part together explains it. An empty allOf holds, an empty anyOf does not.
 */
function combine(parts: CompiledCondition[], scope: Scope, decisive: boolean): Verdict {
  let unknown: Verdict | undefined;
  const because: Witness[] = [];
  for (const part of parts) {
    let v: Verdict;
    try {
      v = part.evaluate(scope);
    } catch (err) {
      // Azure stops at the first decisive part. After an undecided one, this failure is reached
      // only if that part does not decide: the outcome is the other part or a failure, which
      // Tollgate cannot tell apart offline. Undecided, not an implicit deny.
      if (!unknown || !(err instanceof PolicyEvaluationError)) throw err;
      return {
        truth: 'unknown',
        because: [],
        reason: `${unknown.reason ?? 'a value is not known before deployment'}; if that does not decide, evaluation fails (${err.message})`,
        ...(unknown.missingAlias !== undefined ? { missingAlias: unknown.missingAlias } : {}),
      };
    }
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
      traced(
        scope,
        () => 'not',
        (s) => {
          const v = inner.evaluate(s);
          // What made the inner condition false is what makes this one true, and the reverse.
          return v.truth === 'unknown'
            ? v
            : {
                truth: !v.truth,
                because: v.because,
                ...(v.reason !== undefined ? { reason: v.reason } : {}),
                ...(v.missingAlias !== undefined ? { missingAlias: v.missingAlias } : {}),
              };
        },
      ),
    fields: () => inner.fields(),
    types: () => [],
  };
}

/** The scope inside a count's `where`: the same resource, one more member bound, no trace (explicit: see `decide`). */
function withBindings(scope: Scope, bindings: readonly Binding[]): Scope {
  return { target: scope.target, exprTarget: scope.exprTarget, env: scope.env, parameter: scope.parameter, fieldOptions: scope.fieldOptions, bindings };
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
  if ('literal' in operand) return JSON.stringify(operand.literal);
  if ('expression' in operand) return operand.expression;
  return JSON.stringify(operand.tree);
}

function typesNamed(operator: string, operand: Value): string[] {
  if (operator === 'equals' && typeof operand === 'string') return [operand];
  if (operator === 'in' && Array.isArray(operand) && operand.every((e) => typeof e === 'string')) return unique(operand as string[]);
  return [];
}

/** Re-exported for the effects: a field's segments in the policy language. */
export { parseFieldPath };
