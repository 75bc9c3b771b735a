import type { FunctionDef, Lazy } from '../expression/context.js';
import { SizeError } from '../expression/budget.js';
import { EvaluationError, FunctionError } from '../expression/evaluator.js';
import { isObject, isUnknown, type Unknown, type Value } from '../../resources/value.js';
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
      if (isUnknown(c)) return eitherBranch(c, then!, otherwise!);
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

/**
 * `if` whose condition is known only at deployment: the value is one branch or the other, so it is
 * what both agree on, part by part, and unknown where they differ. The compiler hoists a ternary
 * over a whole module parameter (`if(c, createObject('value', a), createObject('value', b))`): the
 * parameter is then `{ value: … }` rather than wholly unknown, as the .bicep reads. Branches of
 * different shapes, or one that fails (ARM would not evaluate the branch it does not take), leave
 * it unknown.
 */
function eitherBranch(condition: Unknown, then: Lazy, otherwise: Lazy): Value {
  const a = speculative(then);
  if (a === undefined || isUnknown(a)) return condition;
  const b = speculative(otherwise);
  if (b === undefined || isUnknown(b)) return condition;
  return agreed(a, b, condition, 0);
}

/** A branch's value, or undefined when evaluating it fails (a limit of the scan itself still stops it). */
function speculative(branch: Lazy): Value | undefined {
  try {
    return branch();
  } catch (err) {
    if (err instanceof EvaluationError || err instanceof FunctionError || err instanceof SizeError) return undefined;
    throw err;
  }
}

function agreed(a: Value, b: Value, unknown: Unknown, depth: number): Value {
  if (isUnknown(a)) return a;
  if (isUnknown(b)) return b;
  if (deepEquals(a, b)) return a;
  if (depth >= 32) return unknown;
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) return a.map((x, i) => agreed(x, b[i]!, unknown, depth + 1));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length || !keys.every((k) => Object.hasOwn(b, k))) return unknown;
    const out: { [key: string]: Value } = {};
    for (const k of keys) out[k] = agreed(a[k]!, b[k]!, unknown, depth + 1);
    return out;
  }
  return unknown;
}
