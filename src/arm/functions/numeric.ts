import type { FunctionDef } from '../expression/context.js';
import { FunctionError, describe } from '../expression/evaluator.js';
import type { Value } from '../../resources/value.js';
import { expectInt, fn } from './define.js';

/** ARM integers are 64-bit; JavaScript numbers are exact to 2^53. Beyond that: an error, never a wrong number. */
function checked(n: number): number {
  if (!Number.isSafeInteger(n)) throw new FunctionError(`integer overflow: the result ${n} is outside the exact range Tollgate evaluates (±2^53)`);
  // .NET integers have no negative zero: mul(-1, 0) and mod(-4, 2) are 0.
  return n === 0 ? 0 : n;
}

/** What .NET's integer and floating-point parsers accept: decimal digits, an optional sign, surrounding spaces. */
const INTEGER_TEXT = /^\s*[+-]?\d+\s*$/;
const FLOAT_TEXT = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

const binary = (name: string, op: (a: number, b: number) => number): FunctionDef =>
  fn({ name, minArgs: 2, maxArgs: 2, eager: ([a, b]) => checked(op(expectInt(a!, 'the first operand'), expectInt(b!, 'the second operand'))) });

/** Numeric functions: integer arithmetic as ARM does it (division truncates toward zero). */
export const numericFunctions: FunctionDef[] = [
  binary('add', (a, b) => a + b),
  binary('sub', (a, b) => a - b),
  binary('mul', (a, b) => a * b),
  binary('div', (a, b) => {
    if (b === 0) throw new FunctionError('division by zero');
    // Exact integer division, truncating toward zero as C# does: div(-7, 2) = -3.
    return Number(BigInt(a) / BigInt(b));
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
      if (typeof v === 'string' && INTEGER_TEXT.test(v)) return checked(Number(v.trim()));
      throw new FunctionError(`cannot convert ${describe(v!)} to an integer`);
    },
  }),
  fn({
    name: 'float',
    minArgs: 1,
    maxArgs: 1,
    eager: ([v]): Value => {
      if (typeof v === 'number') return v;
      // Too large for a double (1e999) is not a number JSON can carry.
      if (typeof v === 'string' && FLOAT_TEXT.test(v) && Number.isFinite(Number(v))) return Number(v.trim());
      throw new FunctionError(`cannot convert ${describe(v!)} to a number`);
    },
  }),
];
