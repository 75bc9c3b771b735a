import type { FunctionDef } from '../expression/context.js';
import { FunctionError, describe } from '../expression/evaluator.js';
import { isObject, isUnknown, type ObjectValue, setOwn } from '../../resources/value.js';
import { expectObject, fn } from './define.js';

/** ARM orders keys with an ordinal, case-insensitive comparison (items, objectKeys). */
export function compareKeys(a: string, b: string): number {
  const la = a.toUpperCase();
  const lb = b.toUpperCase();
  return la < lb ? -1 : la > lb ? 1 : 0;
}

/** Object functions. */
export const objectFunctions: FunctionDef[] = [
  fn({
    name: 'items',
    minArgs: 1,
    maxArgs: 1,
    eager: ([o]) =>
      Object.keys(expectObject(o!, 'the input'))
        .sort(compareKeys)
        .map((key) => ({ key, value: (o as ObjectValue)[key]! })),
  }),
  fn({ name: 'objectKeys', minArgs: 1, maxArgs: 1, eager: ([o]) => Object.keys(expectObject(o!, 'the input')).sort(compareKeys) }),
  fn({
    name: 'shallowMerge',
    minArgs: 1,
    maxArgs: 1,
    // Top-level keys only: a later object's value replaces an earlier one's (keys compared ignoring case).
    eager: ([list]) => {
      if (!Array.isArray(list)) throw new FunctionError(`the input must be an array of objects, not ${describe(list!)}`);
      const out: ObjectValue = {};
      // The first spelling of each key, by its lower case: a search of the keys per key was quadratic.
      const spelled = new Map<string, string>();
      for (const item of list) {
        // An item only known at deployment leaves the merged object unknown.
        if (isUnknown(item)) return item;
        if (!isObject(item)) throw new FunctionError(`every item must be an object, not ${describe(item)}`);
        for (const [k, v] of Object.entries(item)) {
          const existing = spelled.get(k.toLowerCase());
          if (existing === undefined) spelled.set(k.toLowerCase(), k);
          // The first spelling of a key stays; the later value wins.
          setOwn(out, existing ?? k, v);
        }
      }
      return out;
    },
  }),
];
