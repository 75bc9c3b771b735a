import type { Budget } from '../expression/budget.js';
import { FunctionError } from '../expression/evaluator.js';
import type { FunctionDef } from '../expression/context.js';
import { isObject, type Value } from '../../resources/value.js';
import { fn } from './define.js';

/**
 * ARM's `equals`: type-strict (`equals(1, '1')` is false), strings compared exactly,
 * objects by keys ignoring case and values recursively, arrays element by element.
 */
export function deepEquals(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEquals(x, b[i]!));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    const lowerB = new Map(kb.map((k) => [k.toLowerCase(), k]));
    return ka.every((k) => {
      const match = lowerB.get(k.toLowerCase());
      return match !== undefined && deepEquals(a[k]!, b[match]!);
    });
  }
  return false;
}

/**
 * A set of values under deepEquals. Scalars (the usual items of `union` and `intersection`) are
 * hashed; only arrays and objects are compared one by one. A plain list searched with deepEquals
 * per item made `union` of two 10,000-item arrays take 10^8 comparisons.
 */
export class ValueSet {
  private readonly scalars = new Set<Value>();
  private readonly composites: Value[] = [];

  /** With a budget, each comparison of arrays or objects is a step of the unit's work. */
  constructor(private readonly budget?: Budget) {}

  has(v: Value): boolean {
    if (v === null || typeof v !== 'object') return this.scalars.has(v);
    const budget = this.budget;
    return this.composites.some((x) => {
      // Arrays of objects are still compared pairwise: counted, so that a large one stops at the
      // unit's limits instead of running for hours inside one call.
      budget?.step();
      return deepEquals(x, v);
    });
  }

  add(v: Value): void {
    if (v !== null && typeof v === 'object') this.composites.push(v);
    else this.scalars.add(v);
  }
}

function compare(a: Value, b: Value): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  throw new FunctionError('both arguments must be integers or both strings');
}

export const comparisonFunctions: FunctionDef[] = [
  fn({ name: 'less', minArgs: 2, maxArgs: 2, eager: ([a, b]) => compare(a!, b!) < 0 }),
  fn({ name: 'lessOrEquals', minArgs: 2, maxArgs: 2, eager: ([a, b]) => compare(a!, b!) <= 0 }),
  fn({ name: 'greater', minArgs: 2, maxArgs: 2, eager: ([a, b]) => compare(a!, b!) > 0 }),
  fn({ name: 'greaterOrEquals', minArgs: 2, maxArgs: 2, eager: ([a, b]) => compare(a!, b!) >= 0 }),
];
