import type { FunctionDef, Lazy } from '../expression/context.js';
import { isUnknown, type Value } from '../../resources/value.js';
import { expectBool, fn } from './define.js';
import { deepEquals } from './comparison.js';

/**
 * Logical functions. `if`, `and`, `or` and `coalesce` are lazy as in ARM: only the branch
 * taken is evaluated, so `if(cond, parameters('x'), 'y')` works when x has no value.
 */
export const logicalFunctions: FunctionDef[] = [
  fn({
    name: 'if',
    minArgs: 3,
    maxArgs: 3,
    lazy: ([cond, then, otherwise]) => {
      const c = cond!();
      if (isUnknown(c)) return c;
      return expectBool(c, 'the condition') ? then!() : otherwise!();
    },
  }),
  fn({ name: 'and', minArgs: 1, lazy: (args) => shortCircuit(args, false) }),
  fn({ name: 'or', minArgs: 1, lazy: (args) => shortCircuit(args, true) }),
  fn({ name: 'not', minArgs: 1, maxArgs: 1, eager: ([v]) => !expectBool(v!) }),
  fn({ name: 'true', minArgs: 0, maxArgs: 0, eager: () => true }),
  fn({ name: 'false', minArgs: 0, maxArgs: 0, eager: () => false }),
  fn({
    name: 'coalesce',
    minArgs: 1,
    lazy: (args) => {
      for (const a of args) {
        const v = a();
        if (v !== null) return v;
      }
      return null;
    },
  }),
  fn({ name: 'equals', minArgs: 2, maxArgs: 2, eager: ([a, b]) => deepEquals(a!, b!) }),
];

/**
 * `and` stops at the first false, `or` at the first true; an unknown argument only decides
 * the result when no argument short-circuits (`and(unknown, false)` is false).
 */
function shortCircuit(args: Lazy[], stopOn: boolean): Value {
  let unknown: Value | undefined;
  for (const a of args) {
    const v = a();
    if (isUnknown(v)) unknown ??= v;
    else if (expectBool(v) === stopOn) return stopOn;
  }
  return unknown ?? !stopOn;
}
