import { getProperty, isDeclaredBody, isObject, isUnknown, Unknown, type Value } from '../../resources/value.js';
import type { Expr } from './ast.js';
import { parseExpression } from './parser.js';
import { RETURNS_EXISTING, SizeError, checkResult } from './budget.js';
import type { EvalContext, FunctionDef, FunctionTable, LambdaFn, Lazy } from './context.js';
import { ownString } from '../../own-string.js';

/**
 * An error in evaluating an expression that Azure would also reject (wrong argument type,
 * unknown function, index out of range). `offset` is within the JSON string value.
 */
export class EvaluationError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly code: 'unknown-function' | 'evaluation' = 'evaluation',
  ) {
    super(message);
    this.name = 'EvaluationError';
  }
}

/** Evaluates an expression string (`[...]`) in a context. */
export function evaluateExpressionText(text: string, ctx: EvalContext): Value {
  return evaluate(parseCached(text), ctx);
}

// Templates repeat the same expressions (per copy instance, per parameter file); parsing once pays.
// The text is copied first: an expression read from a template is a view into the template's whole
// text (see own-string.ts), and the key and the parsed literals would keep every template whose
// expressions the cache holds (up to 50,000) alive for the life of the process.
const parseCache = new Map<string, Expr>();
export function parseCached(text: string): Expr {
  let expr = parseCache.get(text);
  if (!expr) {
    const own = ownString(text);
    expr = parseExpression(own);
    if (parseCache.size > 50_000) parseCache.clear();
    parseCache.set(own, expr);
  }
  return expr;
}

export function evaluate(expr: Expr, ctx: EvalContext): Value {
  switch (expr.kind) {
    case 'string':
    case 'number':
    case 'literal':
      return expr.value;
    case 'property': {
      const obj = evaluate(expr.object, ctx);
      if (isUnknown(obj)) return obj;
      if (!isObject(obj)) throw new EvaluationError(`cannot read property '${expr.name}' of ${describe(obj)}`, expr.start);
      const v = getProperty(obj, expr.name);
      if (v === undefined) return missingProperty(obj, expr.name, expr.end - expr.name.length, ctx);
      return v;
    }
    case 'index': {
      const obj = evaluate(expr.object, ctx);
      const index = evaluate(expr.index, ctx);
      if (isUnknown(obj)) return obj;
      if (isUnknown(index)) return index;
      if (Array.isArray(obj)) {
        if (typeof index !== 'number') throw new EvaluationError(`an array index must be an integer, not ${describe(index)}`, expr.index.start);
        if (index < 0 || index >= obj.length)
          throw new EvaluationError(`index ${index} is out of range for an array of length ${obj.length}`, expr.index.start);
        return obj[index]!;
      }
      if (isObject(obj)) {
        if (typeof index !== 'string') throw new EvaluationError(`an object key must be a string, not ${describe(index)}`, expr.index.start);
        const v = getProperty(obj, index);
        if (v === undefined) return missingProperty(obj, index, expr.index.start, ctx);
        return v;
      }
      throw new EvaluationError(`cannot index ${describe(obj)}`, expr.start);
    }
    case 'call':
      return callFunction(expr, ctx);
  }
}

function missingProperty(obj: Value, name: string, offset: number, ctx: EvalContext): Value {
  if (isDeclaredBody(obj)) return new Unknown(`'${name}' is set by Azure when the resource is deployed`);
  if (ctx.missingPropertyIsNull) return null;
  throw new EvaluationError(`the object has no property '${name}'`, offset);
}

function callFunction(expr: Extract<Expr, { kind: 'call' }>, ctx: EvalContext): Value {
  const fn = lookupFunction(ctx.functions, expr.name);
  if (!fn && expr.name.toLowerCase() === 'lambda') throw new EvaluationError(LAMBDA_OUTSIDE(expr.name), expr.start);
  if (!fn) throw new EvaluationError(`unsupported function '${expr.name}'`, expr.start, 'unknown-function');
  const argc = expr.args.length;
  if (argc < fn.minArgs || (fn.maxArgs !== undefined && argc > fn.maxArgs)) {
    const range = fn.maxArgs === undefined ? `at least ${fn.minArgs}` : fn.minArgs === fn.maxArgs ? `${fn.minArgs}` : `${fn.minArgs} to ${fn.maxArgs}`;
    throw new EvaluationError(`'${expr.name}' takes ${range} argument${range === '1' ? '' : 's'}, not ${argc}`, expr.start);
  }
  // Every call is one step of the unit's work and one level of nesting (the stack it needs).
  const budget = ctx.budget;
  if (budget) {
    budget.step();
    try {
      budget.enter();
    } catch (err) {
      if (err instanceof SizeError) throw new EvaluationError(`${expr.name}: ${err.message}`, expr.start);
      throw err;
    }
  }
  try {
    const result = invoke(fn, expr, ctx);
    // Every value a function builds is checked (lengths, depth): one call can only grow a value
    // by a bounded factor, so no value ever gets far past the limits before it is stopped.
    const size = checkResult(result);
    if (budget) {
      const built = typeof result === 'string' && !RETURNS_EXISTING.has(fn.name) && !fn.name.includes('.') ? result.length : size;
      if (built > 0) budget.charge(built);
    }
    return result;
  } catch (err) {
    if (err instanceof FunctionError || err instanceof SizeError) throw new EvaluationError(`${expr.name}: ${err.message}`, expr.start);
    throw err;
  } finally {
    budget?.leave();
  }
}

function invoke(fn: FunctionDef, expr: Extract<Expr, { kind: 'call' }>, ctx: EvalContext): Value {
  if (fn.withLambdas) return callWithLambdas(fn, expr, ctx);
  if (fn.lazy) {
    const thunks: Lazy[] = expr.args.map((a) => () => evaluate(a, ctx));
    return fn.lazy(thunks, ctx);
  }
  // Every argument is evaluated (so its errors are reported) before an Unknown one decides.
  const args: Value[] = new Array(expr.args.length);
  let unknown: Unknown | undefined;
  for (let i = 0; i < args.length; i++) {
    const v = evaluate(expr.args[i]!, ctx);
    if (!unknown && v instanceof Unknown) unknown = v;
    args[i] = v;
  }
  if (unknown && !fn.acceptsUnknown) return unknown;
  return fn.eager!(args, ctx);
}

/**
 * Calls a function that takes lambdas. ARM only allows `lambda(...)` written in place at those
 * positions (a lambda is not a value that can be stored or passed around).
 */
function callWithLambdas(fn: FunctionDef, expr: Extract<Expr, { kind: 'call' }>, ctx: EvalContext): Value {
  const positions = fn.lambdaArgs ?? [];
  const values: Value[] = [];
  const lambdas: LambdaFn[] = [];
  expr.args.forEach((arg, i) => {
    if (positions.includes(i)) lambdas.push(compileLambda(arg, ctx, expr.name));
    else values.push(evaluate(arg, ctx));
  });
  const unknown = values.find(isUnknown);
  if (unknown) return unknown;
  return fn.withLambdas!(values, lambdas, ctx);
}

/** Reached only when `lambda` is used where no lambda is expected. */
const LAMBDA_OUTSIDE = (name: string) => `'${name}' can only be used as an argument of a function that takes a lambda (map, filter, reduce, sort, …)`;

function compileLambda(arg: Expr, ctx: EvalContext, caller: string): LambdaFn {
  if (arg.kind !== 'call' || arg.name.toLowerCase() !== 'lambda') throw new EvaluationError(`${caller}: this argument must be a lambda expression`, arg.start);
  if (arg.args.length < 1) throw new EvaluationError(`lambda needs a body`, arg.start);
  const params = arg.args.slice(0, -1).map((p) => {
    if (p.kind !== 'string') throw new EvaluationError(`lambda variable names must be string literals`, p.start);
    return p.value;
  });
  const body = arg.args[arg.args.length - 1]!;
  const outer = ctx.lambdaVariable;
  const call = (...values: Value[]): Value => {
    const inner: EvalContext = {
      ...ctx,
      // Inner lambdas see the variables of the lambdas around them, nearest first.
      lambdaVariable: (name) => {
        const i = params.findIndex((p) => p.toLowerCase() === name.toLowerCase());
        if (i >= 0 && i < values.length) return values[i]!;
        if (outer) return outer(name);
        throw new FunctionError(`there is no lambda variable '${name}'`);
      },
    };
    return evaluate(body, inner);
  };
  return Object.assign(call, { arity: params.length });
}

// Function names are looked up on every call: lower-case each distinct spelling once. The names
// come from the templates (an unknown function is any text), so the map is capped: real
// templates use a few hundred spellings; past 10,000 it starts again rather than grow.
const lowerNames = new Map<string, string>();
const MAX_LOWER_NAMES = 10_000;

function lookupFunction(table: FunctionTable, name: string) {
  let lower = lowerNames.get(name);
  if (lower === undefined) {
    lower = name.toLowerCase();
    if (lowerNames.size >= MAX_LOWER_NAMES) lowerNames.clear();
    lowerNames.set(name, lower);
  }
  return table.get(lower) ?? (lower.startsWith('list') ? table.get('list*') : undefined);
}

/** Thrown by function implementations; the evaluator adds the function's name and position. */
export class FunctionError extends Error {}

export function describe(v: Value): string {
  if (v === null) return 'null';
  if (isUnknown(v)) return 'an unknown value';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string '${v.length > 40 ? v.slice(0, 40) + '…' : v}'`;
  // json() makes numbers with a fraction (`json('.25')`): they are not integers.
  return `the ${typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : 'boolean'} ${String(v)}`;
}

export { Unknown };
