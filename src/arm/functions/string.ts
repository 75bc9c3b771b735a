import { FunctionError, describe } from '../expression/evaluator.js';
import type { FunctionDef } from '../expression/context.js';
import { isObject, type Value } from '../../resources/value.js';
import { expectInt, expectString, fn, toArmString } from './define.js';
import { armGuid, uniqueString } from './hash.js';

/** String functions of the template language. */
export const stringFunctions: FunctionDef[] = [
  fn({
    name: 'concat',
    minArgs: 0,
    // concat joins strings, or concatenates arrays; ARM decides by the first argument.
    eager: (args) => {
      if (Array.isArray(args[0])) {
        const out: Value[] = [];
        for (const a of args) {
          if (a === null) continue;
          if (!Array.isArray(a)) throw new FunctionError('cannot mix arrays and other values');
          out.push(...a);
        }
        return out;
      }
      return args.map((a) => toArmString(a)).join('');
    },
  }),
  fn({ name: 'format', minArgs: 1, eager: (args) => formatString(expectString(args[0]!, 'the format string'), args.slice(1)) }),
  fn({ name: 'toLower', minArgs: 1, maxArgs: 1, eager: ([s]) => expectString(s!).toLowerCase() }),
  fn({ name: 'toUpper', minArgs: 1, maxArgs: 1, eager: ([s]) => expectString(s!).toUpperCase() }),
  fn({ name: 'string', minArgs: 1, maxArgs: 1, eager: ([v]) => toArmString(v!) }),
  fn({ name: 'trim', minArgs: 1, maxArgs: 1, eager: ([s]) => expectString(s!).trim() }),
  fn({
    name: 'replace',
    minArgs: 3,
    maxArgs: 3,
    eager: ([s, from, to]) => expectString(s!).split(expectString(from!)).join(expectString(to!)),
  }),
  fn({
    name: 'startsWith',
    minArgs: 2,
    maxArgs: 2,
    eager: ([s, p]) => expectString(s!).toLowerCase().startsWith(expectString(p!).toLowerCase()),
  }),
  fn({
    name: 'endsWith',
    minArgs: 2,
    maxArgs: 2,
    eager: ([s, p]) => expectString(s!).toLowerCase().endsWith(expectString(p!).toLowerCase()),
  }),
  fn({
    name: 'substring',
    minArgs: 1,
    maxArgs: 3,
    // startIndex defaults to 0, length to the rest of the string.
    eager: ([s, start, length]) => {
      const str = expectString(s!);
      const from = start === undefined ? 0 : expectInt(start, 'startIndex');
      const len = length === undefined ? str.length - from : expectInt(length, 'length');
      if (from < 0 || len < 0 || from + len > str.length) throw new FunctionError(`the range ${from}..${from + len} is outside the string of length ${str.length}`);
      return str.slice(from, from + len);
    },
  }),
  fn({
    name: 'split',
    minArgs: 2,
    maxArgs: 2,
    eager: ([s, d]) => {
      const str = expectString(s!);
      const delims = Array.isArray(d) ? d.map((x) => expectString(x, 'delimiter')) : [expectString(d!, 'delimiter')];
      let parts = [str];
      for (const delim of delims) parts = parts.flatMap((p) => p.split(delim));
      return parts;
    },
  }),
  fn({
    name: 'join',
    minArgs: 2,
    maxArgs: 2,
    eager: ([list, delimiter]) => {
      if (!Array.isArray(list)) throw new FunctionError(`the input must be an array, not ${describe(list!)}`);
      return list.map((v) => toArmString(v)).join(expectString(delimiter!, 'the delimiter'));
    },
  }),
  fn({
    name: 'padLeft',
    minArgs: 2,
    maxArgs: 3,
    eager: ([value, total, padChar]) => {
      const text = typeof value === 'number' ? String(value) : expectString(value!, 'the value');
      const width = expectInt(total!, 'the total length');
      if (width > 16_384) throw new FunctionError(`the total length ${width} is over ARM's limit of 16384`);
      const pad = padChar === undefined ? ' ' : expectString(padChar, 'the padding character');
      if (pad.length !== 1) throw new FunctionError('the padding must be exactly one character');
      return text.padStart(width, pad);
    },
  }),
  fn({ name: 'uniqueString', minArgs: 1, eager: (args) => uniqueString(args.map((a) => expectString(a))) }),
  fn({ name: 'guid', minArgs: 1, eager: (args) => armGuid(args.map((a) => expectString(a))) }),
];

/**
 * .NET composite formatting as ARM's `format` uses it: `{0}`, `{1,-10}` alignment, `{{`/`}}`
 * escapes, numeric specifiers (`{0:N2}`, `{0:D5}`, `{0:X}`, `{0:F1}`, `{0:P0}`). Objects print as
 * compact JSON with single quotes. An unsupported specifier is an error, never a silent guess.
 */
export function formatString(template: string, args: Value[]): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const ch = template[i]!;
    if (ch === '{') {
      if (template[i + 1] === '{') {
        out += '{';
        i++;
        continue;
      }
      const close = template.indexOf('}', i);
      if (close < 0) throw new FunctionError(`unclosed '{' in the format string`);
      const m = /^\s*(\d+)\s*(?:,\s*(-?\d+))?\s*(?::(.*))?$/.exec(template.slice(i + 1, close));
      if (!m) throw new FunctionError(`bad placeholder '${template.slice(i, close + 1)}'`);
      const index = Number(m[1]);
      if (index >= args.length) throw new FunctionError(`placeholder {${index}} has no argument (${args.length} given)`);
      const arg = args[index]!;
      let text = m[3] ? formatNumber(arg, m[3]) : isObject(arg) || Array.isArray(arg) ? toArmString(arg, 'single') : toArmString(arg);
      if (m[2] !== undefined) {
        const width = Number(m[2]);
        text = width < 0 ? text.padEnd(-width) : text.padStart(width);
      }
      out += text;
      i = close;
    } else if (ch === '}') {
      if (template[i + 1] === '}') i++;
      else throw new FunctionError(`unmatched '}' in the format string`);
      out += '}';
    } else {
      out += ch;
    }
  }
  return out;
}

/** .NET standard numeric format strings, invariant culture (`,` thousands, `.` decimals). */
function formatNumber(value: Value, spec: string): string {
  if (typeof value !== 'number') throw new FunctionError(`the format ':${spec}' needs a number, not ${describe(value)}`);
  const m = /^([DdXxNnFfPpGg])(\d{0,2})$/.exec(spec);
  if (!m) throw new FunctionError(`the format specifier ':${spec}' is not supported`);
  const kind = m[1]!;
  const digits = m[2] === '' ? undefined : Number(m[2]);
  const grouped = (n: number, decimals: number) => n.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  switch (kind.toUpperCase()) {
    case 'D': {
      if (!Number.isInteger(value)) throw new FunctionError(`the format ':${spec}' needs an integer`);
      const body = String(Math.abs(value)).padStart(digits ?? 0, '0');
      return value < 0 ? `-${body}` : body;
    }
    case 'X': {
      if (!Number.isInteger(value) || value < 0) throw new FunctionError(`the format ':${spec}' needs a non-negative integer`);
      const hex = value.toString(16).padStart(digits ?? 0, '0');
      return kind === 'X' ? hex.toUpperCase() : hex;
    }
    case 'N':
      return grouped(value, digits ?? 2);
    case 'F':
      return value.toFixed(digits ?? 2);
    case 'P':
      return `${grouped(value * 100, digits ?? 2)} %`;
    default:
      return String(value);
  }
}
