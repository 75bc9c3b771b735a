import { FunctionError } from '../expression/evaluator.js';
import type { FunctionDef } from '../expression/context.js';
import { isObject, type Value } from '../../resources/value.js';
import { expectInt, expectString, fn, toArmString } from './define.js';
import { armGuid, uniqueString } from './hash.js';

/** String functions of the template language. */
export const stringFunctions: FunctionDef[] = [
  fn({
    name: 'concat',
    minArgs: 1,
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
    minArgs: 2,
    maxArgs: 3,
    eager: ([s, start, length]) => {
      const str = expectString(s!);
      const from = expectInt(start!, 'startIndex');
      const len = length === undefined ? str.length - from : expectInt(length, 'length');
      if (from < 0 || len < 0 || from + len > str.length) throw new FunctionError(`the range ${from}..${from + len} is outside the string of length ${str.length}`);
      return str.substr(from, len);
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
  fn({ name: 'uniqueString', minArgs: 1, eager: (args) => uniqueString(args.map((a) => expectString(a))) }),
  fn({ name: 'guid', minArgs: 1, eager: (args) => armGuid(args.map((a) => expectString(a))) }),
];

/**
 * .NET composite formatting as ARM's `format` uses it: `{0}`, `{1,-10}` alignment, `{{`/`}}`
 * escapes. Objects print as compact JSON with single quotes. Numeric format specifiers come
 * with the full function library; an unsupported one is an error, never a silent guess.
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
      if (m[3] !== undefined && m[3] !== '') throw new FunctionError(`format specifier ':${m[3]}' is not supported yet`);
      const arg = args[index]!;
      let text = isObject(arg) || Array.isArray(arg) ? toArmString(arg, 'single') : toArmString(arg);
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
