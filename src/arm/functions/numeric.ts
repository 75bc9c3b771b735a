import type { FunctionDef } from '../expression/context.js';
import { FunctionError, describe } from '../expression/evaluator.js';
import type { Value } from '../../resources/value.js';
import { expectInt, fn } from './define.js';

/** ARM integers are 64-bit; JavaScript numbers are exact to 2^53. Beyond that: an error, never a wrong number. */
function checked(n: number): number {
  if (!Number.isSafeInteger(n)) throw new FunctionError(`integer overflow: the result ${n} is outside the exact range Tollgate evaluates (±2^53)`);
  return n;
}

const binary = (name: string, op: (a: number, b: number) => number): FunctionDef =>
  fn({ name, minArgs: 2, maxArgs: 2, eager: ([a, b]) => checked(op(expectInt(a!, 'the first operand'), expectInt(b!, 'the second operand'))) });

/** Numeric functions: integer arithmetic as ARM does it (division truncates toward zero). */
export const numericFunctions: FunctionDef[] = [
  binary('add', (a, b) => a + b),
  binary('sub', (a, b) => a - b),
  binary('mul', (a, b) => a * b),
  binary('div', (a, b) => {
    if (b === 0) throw new FunctionError('division by zero');
    return Math.trunc(a / b);
  }),
  binary('mod', (a, b) => {
    if (b === 0) throw new FunctionError('division by zero');
    // The remainder takes the sign of the dividend, as in C#: mod(-7, 3) = -1.
    return a % b;
  }),
  fn({
    name: 'int',
    minArgs: 1,
    maxArgs: 1,
    eager: ([v]) => {
      if (typeof v === 'number') return checked(Math.trunc(v));
      if (typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v)) return checked(Number(v.trim()));
      throw new FunctionError(`cannot convert ${describe(v!)} to an integer`);
    },
  }),
  fn({
    name: 'float',
    minArgs: 1,
    maxArgs: 1,
    eager: ([v]): Value => {
      if (typeof v === 'number') return v;
      if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
      throw new FunctionError(`cannot convert ${describe(v!)} to a number`);
    },
  }),
];
