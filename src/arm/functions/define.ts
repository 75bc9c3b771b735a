import type { FunctionDef } from '../expression/context.js';
import { FunctionError, describe } from '../expression/evaluator.js';
import { isObject, type ObjectValue, type Value } from '../../resources/value.js';

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
  const json = JSON.stringify(v);
  return jsonQuote === 'single' ? json.replace(/"/g, "'") : json;
}
