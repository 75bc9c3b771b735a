import { FunctionError, describe } from '../expression/evaluator.js';
import type { FunctionDef } from '../expression/context.js';
import { getProperty, isObject, isUnknown, type ObjectValue, type Value, setOwn } from '../../resources/value.js';
import { expectString, fn } from './define.js';
import { deepEquals } from './comparison.js';

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
    eager: (args) => {
      if (args.every(Array.isArray)) {
        const out: Value[] = [];
        for (const a of args as Value[][]) for (const x of a) if (!out.some((y) => deepEquals(x, y))) out.push(x);
        return out;
      }
      if (args.every(isObject)) return (args as ObjectValue[]).reduce((acc, o) => mergeObjects(acc, o), {} as ObjectValue);
      throw new FunctionError('arguments must be all arrays or all objects');
    },
  }),
  fn({ name: 'json', minArgs: 1, maxArgs: 1, eager: ([s]) => parseJsonArg(expectString(s!)) }),
  fn({ name: 'null', minArgs: 0, maxArgs: 0, eager: () => null }),
];

/** `union` on objects: later keys win, nested objects merge (arrays are replaced). */
function mergeObjects(a: ObjectValue, b: ObjectValue): ObjectValue {
  const out: ObjectValue = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const existing = Object.keys(out).find((x) => x.toLowerCase() === k.toLowerCase());
    const prev = existing === undefined ? undefined : out[existing];
    if (existing !== undefined) delete out[existing];
    // setOwn: a `__proto__` key is data, never the object's prototype.
    setOwn(out, existing ?? k, isObject(prev) && isObject(v) ? mergeObjects(prev, v) : v);
  }
  return out;
}

function parseJsonArg(text: string): Value {
  try {
    return JSON.parse(text) as Value;
  } catch {
    throw new FunctionError('the argument is not valid JSON');
  }
}
