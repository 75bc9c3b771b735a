import type { EvalContext, FunctionDef, LambdaFn } from '../expression/context.js';
import { FunctionError, describe } from '../expression/evaluator.js';
import { isUnknown, Unknown, type ObjectValue, type Value, setOwn } from '../../resources/value.js';
import { expectArray, expectObject, expectString, fn } from './define.js';

/** Lambdas may name one more variable than the item: its index (`lambda('x', 'i', …)`). */
function callItem(f: LambdaFn, item: Value, index: number): Value {
  return f.arity >= 2 ? f(item, index) : f(item);
}

/** Thrown inside a lambda loop when an item's result is unknown: the whole result is then unknown. */
class UnknownResult extends Error {
  constructor(readonly value: Unknown) {
    super(value.reason);
  }
}

function known(v: Value): Exclude<Value, Unknown> {
  if (isUnknown(v)) throw new UnknownResult(v);
  return v;
}

function expectBoolResult(v: Value, caller: string): boolean {
  const k = known(v);
  if (typeof k !== 'boolean') throw new FunctionError(`the ${caller} lambda must return a boolean, not ${describe(k)}`);
  return k;
}

function withLambdas(
  name: string,
  minArgs: number,
  maxArgs: number,
  lambdaArgs: number[],
  body: (values: Value[], lambdas: LambdaFn[], ctx: EvalContext) => Value,
): FunctionDef {
  return fn({
    name,
    minArgs,
    maxArgs,
    lambdaArgs,
    withLambdas: (values, lambdas, ctx) => {
      try {
        return body(values, lambdas, ctx);
      } catch (err) {
        if (err instanceof UnknownResult) return err.value;
        throw err;
      }
    },
  });
}

function keyOf(v: Value, caller: string): string {
  const k = known(v);
  if (typeof k !== 'string') throw new FunctionError(`the ${caller} key lambda must return a string, not ${describe(k)}`);
  return k;
}

/** The lambda functions. ARM evaluates the lambda once per item, in order. */
export const lambdaFunctions: FunctionDef[] = [
  withLambdas('filter', 2, 2, [1], ([array], [pred]) =>
    expectArray(array!, 'the input').filter((item, i) => expectBoolResult(callItem(pred!, item, i), 'filter')),
  ),
  withLambdas('map', 2, 2, [1], ([array], [f]) => expectArray(array!, 'the input').map((item, i) => callItem(f!, item, i))),
  withLambdas('reduce', 3, 3, [2], ([array, initial], [f]) =>
    expectArray(array!, 'the input').reduce<Value>((acc, item, i) => (f!.arity >= 3 ? f!(acc, item, i) : f!(acc, item)), initial!),
  ),
  withLambdas('sort', 2, 2, [1], ([array], [lessThan]) => {
    const items = [...expectArray(array!, 'the input')];
    // The lambda answers "does a come before b"; a stable sort keeps equal items in order.
    return items.sort((a, b) => (expectBoolResult(lessThan!(a, b), 'sort') ? -1 : expectBoolResult(lessThan!(b, a), 'sort') ? 1 : 0));
  }),
  withLambdas('toObject', 2, 3, [1, 2], ([array], [keyFn, valueFn]) => {
    const out: ObjectValue = {};
    // The spelling in `out` of each key, by its lower case: a search of the keys per item was quadratic.
    const spelled = new Map<string, string>();
    for (const item of expectArray(array!, 'the input')) {
      const key = keyOf(keyFn!(item), 'toObject');
      // Keys differing only in case are one key to ARM: the later item wins.
      const lower = key.toLowerCase();
      const existing = spelled.get(lower);
      if (existing !== undefined) delete out[existing];
      spelled.set(lower, key);
      setOwn(out, key, valueFn ? valueFn(item) : item);
    }
    return out;
  }),
  withLambdas('mapValues', 2, 2, [1], ([object], [f]) => {
    const out: ObjectValue = {};
    for (const [k, v] of Object.entries(expectObject(object!, 'the input'))) setOwn(out, k, f!(v));
    return out;
  }),
  withLambdas('groupBy', 2, 2, [1], ([array], [keyFn]) => {
    const out: ObjectValue = {};
    const byLower = new Map<string, Value[]>();
    for (const item of expectArray(array!, 'the input')) {
      const key = keyOf(keyFn!(item), 'groupBy');
      let group = byLower.get(key.toLowerCase());
      if (!group) {
        group = [];
        byLower.set(key.toLowerCase(), group);
        setOwn(out, key, group);
      }
      group.push(item);
    }
    return out;
  }),
  fn({
    name: 'lambdaVariables',
    minArgs: 1,
    maxArgs: 1,
    eager: ([name], ctx) => {
      if (!ctx.lambdaVariable) throw new FunctionError('lambdaVariables() can only be used inside a lambda');
      return ctx.lambdaVariable(expectString(name!, 'the variable name'));
    },
  }),
];
