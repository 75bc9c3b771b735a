import type { FunctionDef } from '../expression/context.js';
import { FunctionError, describe } from '../expression/evaluator.js';
import { getProperty, isDeclaredBody, isObject, isUnknown, Unknown, type ObjectValue, type Value } from '../../resources/value.js';
import { deepEquals } from './comparison.js';
import { expectArray, expectInt, expectString, fn } from './define.js';


function expectArrayOrString(v: Value, what = 'the input'): Value[] | string {
  if (!Array.isArray(v) && typeof v !== 'string') throw new FunctionError(`${what} must be an array or a string, not ${describe(v)}`);
  return v;
}

/** Clamp a count to [0, length], as `skip` and `take` do. */
const clamp = (n: number, length: number) => Math.max(0, Math.min(n, length));

function numbers(args: Value[]): number[] {
  const list = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
  if (!list.length) throw new FunctionError('needs at least one integer');
  return list.map((v) => expectInt(v, 'every value'));
}

/** Position of an item: strings ignore case (as ARM's indexOf on strings); array items compare exactly. */
function indexIn(container: Value, item: Value, last: boolean): number {
  if (typeof container === 'string') {
    const hay = container.toLowerCase();
    const needle = expectString(item, 'the text to find').toLowerCase();
    return last ? hay.lastIndexOf(needle) : hay.indexOf(needle);
  }
  const list = expectArray(container, 'the input');
  if (last) {
    for (let i = list.length - 1; i >= 0; i--) if (deepEquals(list[i]!, item)) return i;
    return -1;
  }
  return list.findIndex((x) => deepEquals(x, item));
}

function fromEnd(list: Value[], n: number): Value | undefined {
  return n >= 1 && n <= list.length ? list[list.length - n] : undefined;
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
    eager: ([v]) => expectArray(v!).flatMap((item) => expectArray(item, 'every item')),
  }),
  fn({ name: 'indexOf', minArgs: 2, maxArgs: 2, eager: ([c, item]) => indexIn(c!, item!, false) }),
  fn({ name: 'lastIndexOf', minArgs: 2, maxArgs: 2, eager: ([c, item]) => indexIn(c!, item!, true) }),
  fn({
    name: 'intersection',
    minArgs: 2,
    eager: (args) => {
      if (args.every(Array.isArray)) {
        const [first, ...rest] = args as Value[][];
        const out: Value[] = [];
        for (const item of first!) {
          if (out.some((x) => deepEquals(x, item))) continue;
          if (rest.every((list) => list.some((x) => deepEquals(x, item)))) out.push(item);
        }
        return out;
      }
      if (args.every(isObject)) {
        const [first, ...rest] = args as ObjectValue[];
        const out: ObjectValue = {};
        for (const [k, v] of Object.entries(first!)) {
          if (rest.every((o) => getProperty(o, k) !== undefined && deepEquals(getProperty(o, k)!, v))) out[k] = v;
        }
        return out;
      }
      throw new FunctionError('takes arrays, or objects, all of the same kind');
    },
  }),
  fn({ name: 'min', minArgs: 1, eager: (args) => Math.min(...numbers(args)) }),
  fn({ name: 'max', minArgs: 1, eager: (args) => Math.max(...numbers(args)) }),
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
    // An unknown container stays unknown; a missing key anywhere is null (Bicep's `.?`).
    acceptsUnknown: true,
    eager: ([container, ...keys]) => {
      let cur: Value = container!;
      for (const key of keys) {
        if (isUnknown(cur)) return cur;
        if (isUnknown(key)) return key;
        if (cur === null) return null;
        if (Array.isArray(cur)) {
          if (typeof key !== 'number') return null;
          cur = cur[key] ?? null;
        } else if (isObject(cur)) {
          if (typeof key !== 'string') return null;
          const next = getProperty(cur, key);
          // On a resource read through reference(), an undeclared property is set by Azure: unknown, not absent.
          if (next === undefined) return isDeclaredBody(cur) ? new Unknown(`'${key}' is set by Azure when the resource is deployed`) : null;
          cur = next;
        } else {
          return null;
        }
      }
      return cur;
    },
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
  fn({ name: 'tryIndexFromEnd', minArgs: 2, maxArgs: 2, eager: ([v, n]) => fromEnd(expectArray(v!), expectInt(n!, 'the index from the end')) ?? null }),
];
