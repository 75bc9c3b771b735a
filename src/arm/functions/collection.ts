import { checkArrayLength } from '../expression/budget.js';
import { FunctionError, describe } from '../expression/evaluator.js';
import type { FunctionDef } from '../expression/context.js';
import { getProperty, isObject, isUnknown, type ObjectValue, type Value, setOwn } from '../../resources/value.js';
import { expectString, fn } from './define.js';
import { ValueSet, deepEquals } from './comparison.js';
import { readArmJson } from './arm-json.js';

/** The array and object functions the first templates need; the rest come with the full library. */
export const collectionFunctions: FunctionDef[] = [
  // An unknown item or value stays inside the array or object: the rest is still known (as in a
  // JSON literal with one unknown property), which is what rules need to judge the other fields.
  fn({ name: 'createArray', minArgs: 0, acceptsUnknown: true, eager: (args) => args }),
  fn({ name: 'array', minArgs: 1, maxArgs: 1, eager: ([v]) => (Array.isArray(v) ? v : [v!]) }),
  fn({
    name: 'createObject',
    minArgs: 0,
    acceptsUnknown: true,
    eager: (args) => {
      if (args.length % 2 !== 0) throw new FunctionError('takes key/value pairs');
      const out: ObjectValue = {};
      for (let i = 0; i < args.length; i += 2) {
        if (isUnknown(args[i]!)) return args[i]!;
        setOwn(out, expectString(args[i]!, 'a key'), args[i + 1]!);
      }
      return out;
    },
  }),
  fn({
    name: 'empty',
    minArgs: 1,
    maxArgs: 1,
    eager: ([v]) => {
      if (v === null) return true;
      if (typeof v === 'string' || Array.isArray(v)) return v.length === 0;
      if (isObject(v)) return Object.keys(v).length === 0;
      throw new FunctionError(`cannot test ${describe(v!)} for emptiness`);
    },
  }),
  fn({
    name: 'length',
    minArgs: 1,
    maxArgs: 1,
    eager: ([v]) => {
      if (typeof v === 'string' || Array.isArray(v)) return v.length;
      if (isObject(v)) return Object.keys(v).length;
      throw new FunctionError(`cannot take the length of ${describe(v!)}`);
    },
  }),
  fn({
    name: 'contains',
    minArgs: 2,
    maxArgs: 2,
    // Case-sensitive for strings and array items, type-strict; object keys ignore case.
    eager: ([container, item]) => {
      if (typeof container === 'string') return container.includes(expectString(item!, 'the item'));
      if (Array.isArray(container)) return container.some((x) => deepEquals(x, item!));
      if (isObject(container)) return getProperty(container, expectString(item!, 'the key')) !== undefined;
      throw new FunctionError(`cannot search in ${describe(container!)}`);
    },
  }),
  fn({
    name: 'union',
    minArgs: 1,
    eager: (args, ctx) => {
      if (args.every(Array.isArray)) {
        checkArrayLength((args as Value[][]).reduce((n, a) => n + a.length, 0));
        const out: Value[] = [];
        const seen = new ValueSet(ctx.budget);
        for (const a of args as Value[][]) {
          for (const x of a) {
            if (seen.has(x)) continue;
            seen.add(x);
            out.push(x);
          }
        }
        return out;
      }
      if (args.every(isObject)) return (args as ObjectValue[]).reduce((acc, o) => mergeObjects(acc, o), {} as ObjectValue);
      throw new FunctionError('arguments must be all arrays or all objects');
    },
  }),
  fn({ name: 'json', minArgs: 1, maxArgs: 1, eager: ([s]) => readArmJson(expectString(s!), 'the argument') }),
  fn({ name: 'null', minArgs: 0, maxArgs: 0, eager: () => null }),
];

/** `union` on objects: later keys win, nested objects merge (arrays are replaced). */
function mergeObjects(a: ObjectValue, b: ObjectValue): ObjectValue {
  const out: ObjectValue = { ...a };
  // The first spelling of each key, by its lower case: a search of the keys per key was quadratic.
  const spelled = new Map<string, string>();
  for (const k of Object.keys(out)) if (!spelled.has(k.toLowerCase())) spelled.set(k.toLowerCase(), k);
  for (const [k, v] of Object.entries(b)) {
    const existing = spelled.get(k.toLowerCase());
    if (existing === undefined) spelled.set(k.toLowerCase(), k);
    const prev = existing === undefined ? undefined : out[existing];
    if (existing !== undefined) delete out[existing];
    // setOwn: a key `__proto__` is data, not the prototype (plain assignment would drop it).
    setOwn(out, existing ?? k, isObject(prev) && isObject(v) ? mergeObjects(prev, v) : v);
  }
  return out;
}
