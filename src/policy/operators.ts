import { isObject, type Value } from '../resources/value.js';
import type { Truth } from './condition.js';

/**
 * The condition operators. Azure Policy compares strings ignoring case; a field that is not
 * present (`undefined`) equals nothing, so `equals` is false and `notEquals` true for it.
 * Adding an operator is one entry here.
 */
export interface Operator {
  name: string;
  test(actual: Value | undefined, expected: Value): Truth;
}

function same(a: Value | undefined, b: Value): boolean {
  if (a === undefined) return false;
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]!));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => {
      const match = kb.find((x) => x.toLowerCase() === k.toLowerCase());
      return match !== undefined && same(a[k], b[match]!);
    });
  }
  return a === b;
}

function asList(expected: Value): Value[] {
  if (!Array.isArray(expected)) throw new Error("'in' and 'notIn' take an array");
  return expected;
}

/** `like`: `*` matches any run of characters, case-insensitive, whole string. */
function like(actual: Value | undefined, pattern: Value): boolean {
  if (typeof actual !== 'string' || typeof pattern !== 'string') return false;
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'is');
  return re.test(actual);
}

function contains(actual: Value | undefined, expected: Value): boolean {
  if (typeof actual === 'string' && typeof expected === 'string') return actual.toLowerCase().includes(expected.toLowerCase());
  if (Array.isArray(actual)) return actual.some((x) => same(x, expected));
  return false;
}

function exists(actual: Value | undefined, expected: Value): boolean {
  const want = typeof expected === 'string' ? expected.toLowerCase() === 'true' : expected === true;
  const present = actual !== undefined;
  return present === want;
}

const list: Operator[] = [
  { name: 'equals', test: (a, e) => same(a, e) },
  { name: 'notEquals', test: (a, e) => !same(a, e) },
  { name: 'in', test: (a, e) => asList(e).some((x) => same(a, x)) },
  { name: 'notIn', test: (a, e) => !asList(e).some((x) => same(a, x)) },
  { name: 'like', test: (a, e) => like(a, e) },
  { name: 'notLike', test: (a, e) => !like(a, e) },
  { name: 'contains', test: (a, e) => contains(a, e) },
  { name: 'notContains', test: (a, e) => !contains(a, e) },
  { name: 'exists', test: (a, e) => exists(a, e) },
];

/** Keyed by lower-case name: policy-language keys are case-insensitive. */
export const OPERATORS: ReadonlyMap<string, Operator> = new Map(list.map((o) => [o.name.toLowerCase(), o]));
