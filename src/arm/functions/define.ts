import type { FunctionDef } from '../expression/context.js';
import { FunctionError, describe } from '../expression/evaluator.js';
import { isObject, type ObjectValue, type Value } from '../../resources/value.js';
import { MAX_STRING_LENGTH, MAX_VALUE_DEPTH, SizeError, checkStringLength } from '../expression/budget.js';

export function fn(def: FunctionDef): FunctionDef {
  return def;
}

export function expectString(v: Value, what = 'argument'): string {
  if (typeof v !== 'string') throw new FunctionError(`${what} must be a string, not ${describe(v)}`);
  return v;
}

export function expectInt(v: Value, what = 'argument'): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new FunctionError(`${what} must be an integer, not ${describe(v)}`);
  return v;
}

export function expectBool(v: Value, what = 'argument'): boolean {
  if (typeof v !== 'boolean') throw new FunctionError(`${what} must be a boolean, not ${describe(v)}`);
  return v;
}

export function expectArray(v: Value, what = 'the input'): Value[] {
  if (!Array.isArray(v)) throw new FunctionError(`${what} must be an array, not ${describe(v)}`);
  return v;
}

export function expectObject(v: Value, what = 'argument'): ObjectValue {
  if (!isObject(v)) throw new FunctionError(`${what} must be an object, not ${describe(v)}`);
  return v;
}

/**
 * How ARM turns a value into text inside `concat`, `format`, `string` and interpolation:
 * booleans are `True`/`False` (.NET's spelling), null is empty, objects and arrays are JSON.
 */
export function toArmString(v: Value, jsonQuote: 'double' | 'single' = 'double'): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return String(v);
  if (v === null) return '';
  // JSON.stringify recurses and builds the whole text: size and depth are checked first.
  checkStringLength(jsonLengthAtLeast(v, MAX_STRING_LENGTH + 1), 'the JSON text of the value');
  const json = JSON.stringify(v);
  return jsonQuote === 'single' ? json.replace(/"/g, "'") : json;
}

/**
 * A lower bound of the length of `v`'s JSON text, walking no further than `limit` characters
 * (a value can share one large string many times over, so it is never walked whole). Iterative,
 * and a value nested deeper than MAX_VALUE_DEPTH is a SizeError, so that what walks it
 * recursively afterwards (JSON.stringify, comparison) cannot overflow the stack.
 */
export function jsonLengthAtLeast(v: Value, limit: number): number {
  let total = 0;
  const stack: [Value, number][] = [[v, 0]];
  while (stack.length && total < limit) {
    const [x, depth] = stack.pop()!;
    if (typeof x === 'string') total += x.length + 2;
    else if (x === null || typeof x !== 'object') total += 5;
    else {
      if (depth >= MAX_VALUE_DEPTH) throw new SizeError(`the value nests more than ${MAX_VALUE_DEPTH} levels deep`);
      if (Array.isArray(x)) {
        total += 1 + x.length;
        for (const item of x) stack.push([item, depth + 1]);
      } else {
        total += 1;
        for (const key of Object.keys(x)) {
          total += key.length + 4;
          stack.push([(x as ObjectValue)[key]!, depth + 1]);
        }
      }
    }
  }
  return total;
}
