import { checkArrayLength, type Budget } from '../expression/budget.js';
import type { FunctionDef } from '../expression/context.js';
import { FunctionError, describe } from '../expression/evaluator.js';
import { getProperty, isDeclaredBody, isObject, isUnknown, Unknown, type ObjectValue, type Value } from '../../resources/value.js';
import { ValueSet, deepEquals } from './comparison.js';
import { expectArray, expectInt, expectString, fn } from './define.js';

function expectArrayOrString(v: Value, what = 'the input'): Value[] | string {
  if (!Array.isArray(v) && typeof v !== 'string') throw new FunctionError(`${what} must be an array or a string, not ${describe(v)}`);
  return v;
}

/**
 * An array may hold values only known at deployment (`["[newGuid()]"]`). Where a function
 * would check the type of its items, such an item makes the result unknown, never an error.
 */
function unknownItem(list: readonly Value[]): Unknown | undefined {
  return list.find(isUnknown);
}

/** Clamp a count to [0, length], as `skip` and `take` do. */
const clamp = (n: number, length: number) => Math.max(0, Math.min(n, length));

/** `min`/`max` take an array of integers or the integers as arguments. */
function extreme(args: Value[], pick: (a: number, b: number) => number): Value {
  const list = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
  if (!list.length) throw new FunctionError('needs at least one integer');
  const unknown = unknownItem(list);
  if (unknown) return unknown;
  return list.map((v) => expectInt(v, 'every value')).reduce((a, b) => pick(a, b));
}

/** Position of an item: in a string ignoring case (ARM's string indexOf); in an array by ARM equality (case-sensitive, type-strict). */
function indexIn(container: Value, item: Value, last: boolean): Value {
  if (typeof container === 'string') {
    const hay = container.toLowerCase();
    const needle = expectString(item, 'the text to find').toLowerCase();
    return last ? hay.lastIndexOf(needle) : hay.indexOf(needle);
  }
  const list = expectArray(container, 'the input');
  for (let k = 0; k < list.length; k++) {
    const i = last ? list.length - 1 - k : k;
    const x = list[i]!;
    // An unknown item met before any match might be the match.
    if (isUnknown(x)) return x;
    if (deepEquals(x, item)) return i;
  }
  return -1;
}

function intersectArrays([first, ...rest]: Value[][], budget?: Budget): Value {
  const unknown = [first!, ...rest].map(unknownItem).find(Boolean);
  if (unknown) return unknown;
  const out: Value[] = [];
  const taken = new ValueSet(budget);
  const others = rest.map((list) => {
    const set = new ValueSet(budget);
    for (const x of list) set.add(x);
    return set;
  });
  for (const item of first!) {
    if (taken.has(item)) continue;
    if (others.every((set) => set.has(item))) {
      taken.add(item);
      out.push(item);
    }
  }
  return out;
}

/** Objects: the keys of the first object whose values are equal in every object (keys matched ignoring case). */
function intersectObjects([first, ...rest]: ObjectValue[]): Value {
  const out: ObjectValue = {};
  for (const [k, v] of Object.entries(first!)) {
    const others = rest.map((o) => getProperty(o, k));
    if (others.some((x) => x === undefined)) continue;
    const unknown = [v, ...others].find(isUnknown);
    if (unknown) return unknown;
    if (others.every((x) => deepEquals(x!, v))) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** `indexFromEnd` counts from 1 at the last item (Bicep's `[^n]`). */
function fromEnd(list: readonly Value[], n: number): Value | undefined {
  return n >= 1 && n <= list.length ? list[list.length - n] : undefined;
}

/**
 * One step of `tryGet`: a key on an object (ARM's lookup rule), an integer index on an array,
 * or the index object Bicep emits for a chained `[^n]`: `{ value: n, fromEnd: true }`.
 * `undefined` = nothing there.
 */
function step(cur: Value, key: Value): Value | undefined {
  if (Array.isArray(cur)) {
    if (typeof key === 'number') return Number.isInteger(key) && key >= 0 ? cur[key] : undefined;
    if (isObject(key)) {
      const n = getProperty(key, 'value');
      if (typeof n !== 'number' || !Number.isInteger(n)) return undefined;
      return getProperty(key, 'fromEnd') === true ? fromEnd(cur, n) : n >= 0 ? cur[n] : undefined;
    }
    return undefined;
  }
  if (isObject(cur) && typeof key === 'string') return getProperty(cur, key);
  return undefined;
}

/** Follows keys; null as soon as one is missing (Bicep's `.?` short-circuits the whole chain). */
function tryPath(container: Value, keys: readonly Value[]): Value {
  let cur = container;
  for (const key of keys) {
    if (isUnknown(cur) || cur === null) return cur;
    if (isUnknown(key)) return key;
    const next = step(cur, key);
    if (next === undefined) {
      // On a resource read through reference(), an undeclared property is set by Azure: unknown, not absent.
      if (typeof key === 'string' && isDeclaredBody(cur)) return new Unknown(`'${key}' is set by Azure when the resource is deployed`);
      return null;
    }
    cur = next;
  }
  return cur;
}

/** Array functions (most also take strings, as in ARM). */
export const arrayFunctions: FunctionDef[] = [
  fn({
    name: 'first',
    minArgs: 1,
    maxArgs: 1,
    eager: ([v]) => {
      const x = expectArrayOrString(v!);
      return typeof x === 'string' ? x.slice(0, 1) : (x[0] ?? null);
    },
  }),
  fn({
    name: 'last',
    minArgs: 1,
    maxArgs: 1,
    eager: ([v]) => {
      const x = expectArrayOrString(v!);
      return typeof x === 'string' ? x.slice(-1) : (x[x.length - 1] ?? null);
    },
  }),
  fn({
    name: 'flatten',
    minArgs: 1,
    maxArgs: 1,
    // One level only: [[1, [2]], [3]] gives [1, [2], 3].
    eager: ([v]) => {
      const list = expectArray(v!);
      const unknown = unknownItem(list);
      if (unknown) return unknown;
      checkArrayLength(list.reduce((n: number, item) => n + expectArray(item, 'every item').length, 0));
      return list.flatMap((item) => item as Value[]);
    },
  }),
  fn({ name: 'indexOf', minArgs: 2, maxArgs: 2, eager: ([c, item]) => indexIn(c!, item!, false) }),
  fn({ name: 'lastIndexOf', minArgs: 2, maxArgs: 2, eager: ([c, item]) => indexIn(c!, item!, true) }),
  fn({
    name: 'intersection',
    minArgs: 2,
    // The order (and the spelling of keys) is the first argument's; an item is kept once.
    eager: (args, ctx) => {
      if (args.every(Array.isArray)) return intersectArrays(args as Value[][], ctx.budget);
      if (args.every(isObject)) return intersectObjects(args as ObjectValue[]);
      throw new FunctionError('takes arrays, or objects, all of the same kind');
    },
  }),
  fn({ name: 'min', minArgs: 1, eager: (args) => extreme(args, Math.min) }),
  fn({ name: 'max', minArgs: 1, eager: (args) => extreme(args, Math.max) }),
  fn({
    name: 'range',
    minArgs: 2,
    maxArgs: 2,
    eager: ([s, c]) => {
      const start = expectInt(s!, 'the start');
      const count = expectInt(c!, 'the count');
      // ARM's limits: a count from 0 to 10,000, and the end within a 32-bit integer.
      if (count < 0 || count > 10_000) throw new FunctionError(`the count must be from 0 to 10000, not ${count}`);
      if (start + count > 2_147_483_647) throw new FunctionError('start + count must not exceed 2147483647');
      return Array.from({ length: count }, (_, i) => start + i);
    },
  }),
  fn({
    name: 'skip',
    minArgs: 2,
    maxArgs: 2,
    eager: ([v, n]) => {
      const x = expectArrayOrString(v!);
      return x.slice(clamp(expectInt(n!, 'the number to skip'), x.length));
    },
  }),
  fn({
    name: 'take',
    minArgs: 2,
    maxArgs: 2,
    eager: ([v, n]) => {
      const x = expectArrayOrString(v!);
      return x.slice(0, clamp(expectInt(n!, 'the number to take'), x.length));
    },
  }),
  fn({
    name: 'tryGet',
    minArgs: 2,
    // An unknown container stays unknown, but a null one gives null whatever the keys.
    acceptsUnknown: true,
    eager: ([container, ...keys]) => tryPath(container!, keys),
  }),
  fn({
    name: 'indexFromEnd',
    minArgs: 2,
    maxArgs: 2,
    eager: ([v, n]) => {
      const list = expectArray(v!);
      const i = expectInt(n!, 'the index from the end');
      const item = fromEnd(list, i);
      if (item === undefined) throw new FunctionError(`index ${i} from the end is out of range for an array of length ${list.length}`);
      return item;
    },
  }),
  fn({
    name: 'tryIndexFromEnd',
    minArgs: 2,
    // Bicep folds what follows `[?^n]` into the call: tryIndexFromEnd(a, n, 'key', …) = tryGet(a, {value: n, fromEnd: true}, 'key', …).
    acceptsUnknown: true,
    eager: ([v, n, ...keys]) => tryPath(v!, [isUnknown(n) ? n : { value: n!, fromEnd: true }, ...keys]),
  }),
];
