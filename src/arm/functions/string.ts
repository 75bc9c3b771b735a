import { FunctionError, describe } from '../expression/evaluator.js';
import type { FunctionDef } from '../expression/context.js';
import { isObject, isUnknown, type Unknown, type Value } from '../../resources/value.js';
import { expectInt, expectString, fn, toArmString } from './define.js';
import { checkArrayLength, checkStringLength } from '../expression/budget.js';
import { armGuid, uniqueString } from './hash.js';

/**
 * The first Unknown anywhere inside a value. A string built from an array or object that holds
 * one (`string(createArray(newGuid()))`) is itself unknown, never the text `<unknown: …>`.
 */
export function findUnknown(v: Value): Unknown | undefined {
  if (isUnknown(v)) return v;
  if (Array.isArray(v)) {
    for (const x of v) {
      const u = findUnknown(x);
      if (u) return u;
    }
  } else if (isObject(v)) {
    for (const x of Object.values(v)) {
      const u = findUnknown(x);
      if (u) return u;
    }
  }
  return undefined;
}

// .NET's char.IsWhiteSpace: JavaScript's \s plus U+0085 (NEL), minus U+FEFF (BOM).
const WS = '[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const TRIM = new RegExp(`^${WS}+|${WS}+$`, 'g');
const WHITESPACE = new RegExp(WS);

/**
 * ARM's toLower/toUpper are .NET's ToLowerInvariant/ToUpperInvariant: one-to-one (simple) case
 * mappings, no context. JavaScript applies full mappings ('ß' → 'SS', 'İ' → 'i̇', final 'ς'), so
 * outside ASCII each character is mapped alone and kept when JavaScript would expand it.
 */
function invariantCase(s: string, upper: boolean): string {
  // eslint-disable-next-line no-control-regex -- the ASCII range starts at U+0000
  if (/^[\x00-\x7f]*$/.test(s)) return upper ? s.toUpperCase() : s.toLowerCase();
  let out = '';
  for (const ch of s) {
    if (!upper && ch === '\u0130') {
      out += 'i'; // İ: Unicode's simple lower-case mapping, which .NET uses
      continue;
    }
    const mapped = upper ? ch.toUpperCase() : ch.toLowerCase();
    out += [...mapped].length === 1 ? mapped : ch;
  }
  return out;
}

/**
 * .NET's String.Split(string[] separators, None), which ARM's `split` is: the string is scanned
 * from the start and, at each position, the first separator (in array order) that matches there
 * splits it. Empty separators are ignored; with none left, white space separates.
 */
function splitLikeDotNet(text: string, separators: string[]): string[] {
  const seps = separators.filter((s) => s.length > 0);
  if (!seps.length) return text.split(WHITESPACE);
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length;) {
    const sep = seps.find((s) => text.startsWith(s, i));
    if (sep === undefined) {
      i++;
      continue;
    }
    parts.push(text.slice(start, i));
    i += sep.length;
    start = i;
  }
  parts.push(text.slice(start));
  return parts;
}

/** Joins strings after checking that the result stays within MAX_STRING_LENGTH. */
function joinChecked(parts: string[], separator: string): string {
  let length = parts.length > 0 ? separator.length * (parts.length - 1) : 0;
  for (const p of parts) length += p.length;
  checkStringLength(length);
  return parts.join(separator);
}

/** String functions of the template language. */
export const stringFunctions: FunctionDef[] = [
  fn({
    name: 'concat',
    minArgs: 0,
    // concat joins strings, or concatenates arrays; ARM decides by the first argument.
    eager: (args) => {
      if (Array.isArray(args[0])) {
        let length = 0;
        for (const a of args) {
          if (a === null) continue;
          if (!Array.isArray(a)) throw new FunctionError('cannot mix arrays and other values');
          length += a.length;
        }
        checkArrayLength(length);
        // A loop, not push(...a): spreading a large array into a call overflows the stack.
        const out: Value[] = new Array(length);
        let at = 0;
        for (const a of args) if (a !== null) for (const x of a as Value[]) out[at++] = x;
        return out;
      }
      const unknown = args.map(findUnknown).find(Boolean);
      return (
        unknown ??
        joinChecked(
          args.map((a) => toArmString(a)),
          '',
        )
      );
    },
  }),
  fn({
    name: 'format',
    minArgs: 1,
    eager: (args) => {
      const unknown = args.map(findUnknown).find(Boolean);
      return unknown ?? formatString(expectString(args[0]!, 'the format string'), args.slice(1));
    },
  }),
  fn({ name: 'toLower', minArgs: 1, maxArgs: 1, eager: ([s]) => invariantCase(expectString(s!), false) }),
  fn({ name: 'toUpper', minArgs: 1, maxArgs: 1, eager: ([s]) => invariantCase(expectString(s!), true) }),
  // Objects and arrays become compact JSON with double quotes (the documented `{"valueA":10,…}`).
  fn({ name: 'string', minArgs: 1, maxArgs: 1, eager: ([v]) => findUnknown(v!) ?? toArmString(v!) }),
  fn({ name: 'trim', minArgs: 1, maxArgs: 1, eager: ([s]) => expectString(s!).replace(TRIM, '') }),
  fn({
    name: 'replace',
    minArgs: 3,
    maxArgs: 3,
    // .NET String.Replace: every occurrence, case-sensitive; an empty old value is an error.
    eager: ([s, from, to]) => {
      const text = expectString(s!, 'the original string');
      const old = expectString(from!, 'the old string');
      const replacement = expectString(to!, 'the new string');
      if (!old) throw new FunctionError('the string to replace cannot be empty');
      if (replacement.length > old.length) {
        // The result's length is known from the number of occurrences: checked before building.
        let count = 0;
        for (let i = text.indexOf(old); i >= 0; i = text.indexOf(old, i + old.length)) count++;
        checkStringLength(text.length + count * (replacement.length - old.length));
      }
      return text.split(old).join(replacement);
    },
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
    // startIndex defaults to 0, length to the rest of the string; out of range is Azure's error.
    eager: ([s, start, length]) => {
      const str = expectString(s!, 'the string to parse');
      const from = start === undefined ? 0 : expectInt(start, 'startIndex');
      const len = length === undefined ? str.length - from : expectInt(length, 'length');
      if (from < 0 || len < 0 || from + len > str.length) {
        throw new FunctionError(`the index and length must refer to a location within the string: index ${from}, length ${len}, string length ${str.length}`);
      }
      return str.slice(from, from + len);
    },
  }),
  fn({
    name: 'split',
    minArgs: 2,
    maxArgs: 2,
    eager: ([s, d]) => {
      const str = expectString(s!, 'the input string');
      const unknown = Array.isArray(d) ? d.find(isUnknown) : undefined;
      if (unknown) return unknown;
      const delims = Array.isArray(d) ? d.map((x) => expectString(x, 'every delimiter')) : [expectString(d!, 'the delimiter')];
      return splitLikeDotNet(str, delims);
    },
  }),
  fn({
    name: 'join',
    minArgs: 2,
    maxArgs: 2,
    // Items print as in concat: `join(createArray('abc', 123, true), '/')` is `abc/123/True` in Azure.
    eager: ([list, delimiter]) => {
      if (!Array.isArray(list)) throw new FunctionError(`the input must be an array, not ${describe(list!)}`);
      const sep = expectString(delimiter!, 'the delimiter');
      return (
        findUnknown(list) ??
        joinChecked(
          list.map((v) => toArmString(v)),
          sep,
        )
      );
    },
  }),
  fn({
    name: 'padLeft',
    minArgs: 2,
    maxArgs: 3,
    // .NET String.PadLeft: a value already as long as totalLength is returned unchanged.
    eager: ([value, total, padChar]) => {
      const text = typeof value === 'number' ? String(value) : expectString(value!, 'the value to pad (a string or an integer)');
      const width = expectInt(total!, 'the total length');
      if (width < 0) throw new FunctionError(`the total length cannot be negative (${width})`);
      if (width > 16_384) throw new FunctionError(`the total length ${width} is over ARM's limit of 16384`);
      const pad = padChar === undefined ? ' ' : expectString(padChar, 'the padding character');
      if (pad.length !== 1) throw new FunctionError(`the padding must be exactly one character, not '${pad}'`);
      return text.padStart(width, pad);
    },
  }),
  fn({ name: 'uniqueString', minArgs: 1, eager: (args) => uniqueString(args.map((a) => expectString(a))) }),
  fn({ name: 'guid', minArgs: 1, eager: (args) => armGuid(args.map((a) => expectString(a))) }),
];

/**
 * .NET composite formatting (String.Format, invariant culture) as ARM's `format` uses it:
 * `{0}`, `{1,-10}` alignment, `{{`/`}}` escapes, and numeric format strings on numbers
 * (`{0:N0}`, `{0:D5}`, `{0:X}`, `{0:000}`, `{0:#,##0.00}`). As in .NET, strings and booleans
 * ignore a format string. Objects and arrays print as compact JSON with single quotes.
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
      const m = /^(\d+) *(?:, *(-?\d+) *)?(?::(.*))?$/s.exec(template.slice(i + 1, close));
      if (!m) throw new FunctionError(`bad placeholder '${template.slice(i, close + 1)}'`);
      const index = Number(m[1]);
      if (index >= args.length) throw new FunctionError(`placeholder {${index}} has no argument (${args.length} given)`);
      const arg = args[index]!;
      let text: string;
      if (typeof arg === 'number' && m[3])
        text = formatNumber(arg, m[3]); // '{0:}' is the default format
      else if (isObject(arg) || Array.isArray(arg)) text = toArmString(arg, 'single');
      else text = toArmString(arg);
      if (m[2] !== undefined) {
        const width = Number(m[2]);
        checkStringLength(Math.abs(width), `the alignment ${m[2]}`);
        text = width < 0 ? text.padEnd(-width) : text.padStart(width);
      }
      checkStringLength(out.length + text.length);
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

/** Inserts the invariant thousands separator into a string of digits. */
const group = (digits: string) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** `n` rounded to `decimals` (half away from zero), optionally grouped; the sign is the caller's. */
function fixed(n: number, decimals: number, grouped: boolean): string {
  if (decimals > 100) throw new FunctionError(`a precision of ${decimals} digits is not supported`);
  const [int, frac] = Math.abs(n).toFixed(decimals).split('.') as [string, string | undefined];
  return (grouped ? group(int) : int) + (frac ? `.${frac}` : '');
}

/** .NET scientific notation: `1.234560E+006` ('E' format), `1.23E+04` ('G'); no decimals given = shortest. */
function scientific(n: number, decimals: number | undefined, expDigits: number, lower: boolean, trimZeros: boolean): string {
  const [mantissa, exp] = Math.abs(n).toExponential(decimals).split('e') as [string, string];
  const m = trimZeros && mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa;
  const e = Number(exp);
  return `${n < 0 ? '-' : ''}${m}${lower ? 'e' : 'E'}${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(expDigits, '0')}`;
}

const exponentOf = (n: number, digits?: number) =>
  Number(
    Math.abs(n)
      .toExponential(digits === undefined ? undefined : digits - 1)
      .split('e')[1],
  );

/**
 * .NET's 'G' (general): fixed-point when -5 < exponent < precision, scientific otherwise.
 * Without a precision, integers (Int64 in ARM) print whole and doubles as their shortest
 * round-trip text, switching to scientific from 1E+15 and at 1E-05 (.NET Core 3+).
 */
function general(n: number, precision: number | undefined, lower: boolean): string {
  if (n === 0) return '0';
  if (!precision) {
    if (Number.isInteger(n) && Math.abs(n) < 2 ** 63) return String(n);
    const e = exponentOf(n);
    return e >= 15 || e <= -5 ? scientific(n, undefined, 2, lower, true) : String(n);
  }
  const e = exponentOf(n, precision);
  if (e >= precision || e <= -5) return scientific(n, precision - 1, 2, lower, true);
  const text = n.toPrecision(precision);
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/**
 * .NET numeric format strings, invariant culture. Standard ones are a letter and an optional
 * precision (D, X, N, F, P, C, E, G, R); anything else is a custom format (`000`, `#,##0.00`).
 */
function formatNumber(value: number, spec: string): string {
  const std = /^([A-Za-z])(\d*)$/.exec(spec);
  if (!std) return formatCustom(value, spec);
  const kind = std[1]!;
  const precision = std[2] === '' ? undefined : Number(std[2]);
  // .NET allows precisions up to 999,999,999; D and X pad with zeros that far, the others are
  // bounded by JavaScript's number formatting (100 digits), beyond which we report, not throw.
  if (precision !== undefined) {
    const upper = kind.toUpperCase();
    if (upper === 'D' || upper === 'X') checkStringLength(precision, `the precision ${precision}`);
    else if (precision > 100) throw new FunctionError(`a precision of ${precision} digits is not supported (at most 100)`);
  }
  const sign = value < 0 ? '-' : '';
  const needInteger = () => {
    if (!Number.isInteger(value)) throw new FunctionError(`the format ':${spec}' needs an integer, not ${value}`);
  };
  switch (kind.toUpperCase()) {
    case 'D':
      needInteger();
      return sign + String(Math.abs(value)).padStart(precision ?? 0, '0');
    case 'X': {
      needInteger();
      // ARM integers are 64-bit: a negative one prints as its two's complement, as Int64 does.
      const hex = BigInt.asUintN(64, BigInt(value))
        .toString(16)
        .padStart(precision ?? 0, '0');
      return kind === 'X' ? hex.toUpperCase() : hex;
    }
    case 'N':
      return sign + fixed(value, precision ?? 2, true);
    case 'F':
      return sign + fixed(value, precision ?? 2, false);
    case 'P':
      return `${sign}${fixed(value * 100, precision ?? 2, true)} %`;
    case 'C': {
      // The invariant culture's currency sign is '¤'; negative amounts go in parentheses.
      const amount = `¤${fixed(value, precision ?? 2, true)}`;
      return value < 0 ? `(${amount})` : amount;
    }
    case 'E':
      return scientific(value, precision ?? 6, 3, kind === 'e', false);
    case 'G':
      return general(value, precision, kind === 'g');
    case 'R':
      return general(value, undefined, kind === 'r');
    default:
      throw new FunctionError(`the format specifier ':${spec}' is not a valid .NET numeric format`);
  }
}

type CustomToken = { kind: 'digit'; zero: boolean } | { kind: 'point' } | { kind: 'comma' } | { kind: 'percent' } | { kind: 'text'; text: string };

/** Reads one section of a custom numeric format; quoted text and `\x` escapes are literal. */
function tokenizeCustom(section: string): CustomToken[] {
  const tokens: CustomToken[] = [];
  for (let i = 0; i < section.length; i++) {
    const c = section[i]!;
    if (c === '0' || c === '#') tokens.push({ kind: 'digit', zero: c === '0' });
    else if (c === '.') tokens.push({ kind: 'point' });
    else if (c === ',') tokens.push({ kind: 'comma' });
    else if (c === '%') tokens.push({ kind: 'percent' });
    else if (c === '\\') tokens.push({ kind: 'text', text: section[++i] ?? '' });
    else if (c === "'" || c === '"') {
      const end = section.indexOf(c, i + 1);
      tokens.push({ kind: 'text', text: section.slice(i + 1, end < 0 ? undefined : end) });
      i = end < 0 ? section.length : end;
    } else if ((c === 'E' || c === 'e') && /^[+-]?0/.test(section.slice(i + 1))) {
      throw new FunctionError(`scientific notation in the custom format '${section}' is not supported`);
    } else tokens.push({ kind: 'text', text: c });
  }
  return tokens;
}

/** Splits a custom format into its `positive;negative;zero` sections, respecting quotes. */
function customSections(format: string): string[] {
  const sections: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '\\') {
      current += c + (format[++i] ?? '');
      continue;
    } else if (c === ';') {
      sections.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  sections.push(current);
  return sections;
}

/**
 * .NET custom numeric formats: `0` (digit or zero), `#` (digit if any), `.`, `,` (grouping
 * between digits, scaling by 1000 before the point), `%`, literals, and `;` sections.
 */
function formatCustom(value: number, format: string): string {
  const sections = customSections(format);
  let section = sections[0]!;
  // A negative value in a format with a negative section prints without a sign.
  let sign = value < 0 ? '-' : '';
  if (value < 0 && sections.length > 1 && sections[1] !== '') {
    section = sections[1]!;
    sign = '';
  } else if (value === 0 && sections.length > 2 && sections[2] !== '') section = sections[2]!;

  const tokens = tokenizeCustom(section);
  const pointAt = tokens.findIndex((t) => t.kind === 'point');
  const intEnd = pointAt < 0 ? tokens.length : pointAt;
  const intDigits = tokens.slice(0, intEnd).filter((t) => t.kind === 'digit');
  const fracDigits = tokens.slice(intEnd).filter((t) => t.kind === 'digit');
  const firstZero = intDigits.findIndex((t) => t.kind === 'digit' && t.zero);
  const minInt = firstZero < 0 ? 0 : intDigits.length - firstZero;
  const maxFrac = fracDigits.length;
  let minFrac = 0;
  fracDigits.forEach((t, i) => {
    if (t.kind === 'digit' && t.zero) minFrac = i + 1;
  });
  // Commas right before the (explicit or implicit) point scale; commas between digits group.
  let scale = 0;
  for (let i = intEnd - 1; i >= 0 && tokens[i]!.kind === 'comma'; i--) scale++;
  const lastIntDigit = tokens
    .slice(0, intEnd)
    .map((t) => t.kind)
    .lastIndexOf('digit');
  const firstIntDigit = tokens.findIndex((t) => t.kind === 'digit');
  const grouped = tokens.some((t, i) => t.kind === 'comma' && i > firstIntDigit && i < lastIntDigit && firstIntDigit >= 0);
  const percents = tokens.filter((t) => t.kind === 'percent').length;

  const n = (Math.abs(value) * 100 ** percents) / 1000 ** scale;
  const [intText, fracText = ''] = fixed(n, maxFrac, false).split('.') as [string, string?];
  const whole = intText.replace(/^0+/, '').padStart(minInt, '0');
  let frac = fracText;
  while (frac.length > minFrac && frac.endsWith('0')) frac = frac.slice(0, -1);
  if (!/[1-9]/.test(whole + frac)) sign = '';

  let out = '';
  let intSeen = 0;
  let fracSeen = 0;
  const emitDigit = (i: number) => {
    out += whole[i]!;
    const after = whole.length - 1 - i;
    if (grouped && after > 0 && after % 3 === 0) out += ',';
  };
  tokens.forEach((t, i) => {
    if (t.kind === 'digit' && i < intEnd) {
      // Digits beyond the placeholders all print at the first one.
      const offset = whole.length - intDigits.length;
      if (intSeen === 0) for (let k = 0; k < offset; k++) emitDigit(k);
      const at = offset + intSeen++;
      if (at >= 0) emitDigit(at);
    } else if (t.kind === 'digit') {
      if (fracSeen < frac.length) out += frac[fracSeen];
      fracSeen++;
    } else if (t.kind === 'point') {
      // With no integer placeholders ('.00'), the integer digits print at the point.
      if (i === pointAt && !intDigits.length) out += whole;
      if (i === pointAt && frac.length) out += '.';
    } else if (t.kind === 'percent') out += '%';
    else if (t.kind === 'text') out += t.text;
  });
  return sign + out;
}
