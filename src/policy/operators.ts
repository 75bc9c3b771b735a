import { isObject, isUnknown, type Value } from '../resources/value.js';
import { PolicyEvaluationError } from './errors.js';
import { wildcardMatch } from '../wildcard.js';
import { fold } from '../case-fold.js';

/**
 * One condition operator of the policy language. The condition compiler looks operators up
 * here by lower-case name, so supporting a new one is one entry in `OPERATORS`.
 *
 * `test` only ever sees known values: the caller turns an unknown operand or field into an
 * unknown result before asking. `actual` is `undefined` when the field is absent. A value
 * the operator cannot compare throws PolicyEvaluationError: in Azure a failed evaluation is
 * an implicit deny.
 */
export interface Operator {
  name: string;
  /** Looks only at whether the field is there, so unknown parts inside its value do not matter. */
  presenceOnly?: boolean;
  /** A message when a literal operand cannot work (checked once, at compile time). */
  checkOperand?(operand: Value): string | undefined;
  test(actual: Value | undefined, operand: Value): boolean;
}

/**
 * Azure Policy's equality: strings ignore case, and a string is compared with a boolean or
 * a number by its meaning ("true" equals true, "80" equals 80), as the service does. An
 * absent field compares like null, so `equals false` does not hold for it.
 */
export function policyEquals(a: Value | undefined, b: Value | undefined): boolean {
  const x = a === undefined ? null : a;
  const y = b === undefined ? null : b;
  if (typeof x === 'string' && typeof y === 'string') return x === y || fold(x) === fold(y);
  if (typeof x === 'string' || typeof y === 'string') return coercedEquals(x, y);
  if (Array.isArray(x) && Array.isArray(y)) return x.length === y.length && x.every((v, i) => policyEquals(v, y[i]));
  if (isObject(x) && isObject(y)) {
    const kx = Object.keys(x);
    const ky = Object.keys(y);
    return (
      kx.length === ky.length &&
      kx.every((k) => {
        const match = ky.find((other) => fold(other) === fold(k));
        return match !== undefined && policyEquals(x[k], y[match]);
      })
    );
  }
  return x === y;
}

function coercedEquals(x: Value, y: Value): boolean {
  const [text, other] = typeof x === 'string' ? [x, y] : [y as string, x];
  if (typeof other === 'boolean') return text.toLowerCase() === String(other);
  if (typeof other === 'number') return text.trim() !== '' && Number(text) === other;
  return false;
}

/**
 * `like`: the documented wildcard is `*` (any run of characters); the match is whole-string and
 * ignores case. Matched without a regular expression, so a pattern with many stars cannot
 * backtrack for ever (see wildcard.ts).
 */
function like(actual: Value | undefined, pattern: Value): boolean {
  if (typeof actual !== 'string' || typeof pattern !== 'string') return false;
  return wildcardMatch(fold(pattern), fold(actual));
}

/**
 * `match`: `#` is a digit, `?` a letter, `.` any character, anything else itself; the whole
 * value must match. `match` minds case, `matchInsensitively` does not. The regular expression
 * built here has one fixed-width token per pattern character and no quantifier or alternation,
 * so it cannot backtrack: its cost is linear in the text whatever the pattern.
 */
function match(actual: Value | undefined, pattern: Value, insensitive: boolean): boolean {
  if (typeof actual !== 'string' || typeof pattern !== 'string') return false;
  return matchRegex(insensitive ? fold(pattern) : pattern).test(insensitive ? fold(actual) : actual);
}

const matchCache = new Map<string, RegExp>();
function matchRegex(pattern: string): RegExp {
  let re = matchCache.get(pattern);
  if (!re) {
    let body = '';
    for (const ch of pattern) {
      if (ch === '#') body += '\\p{Nd}';
      else if (ch === '?') body += '\\p{L}';
      else if (ch === '.') body += '.';
      else body += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
    re = new RegExp(`^${body}$`, 'su');
    if (matchCache.size > 5_000) matchCache.clear();
    matchCache.set(pattern, re);
  }
  return re;
}

/** A string contains a substring (ignoring case); an array contains an equal element. */
function contains(actual: Value | undefined, operand: Value): boolean {
  if (typeof actual === 'string' && typeof operand === 'string') return fold(actual).includes(fold(operand));
  if (Array.isArray(actual)) return actual.some((item) => policyEquals(item, operand));
  return false;
}

/** An object has the key, ignoring case. */
function containsKey(actual: Value | undefined, operand: Value): boolean {
  if (!isObject(actual)) return false;
  const key = fold(typeof operand === 'string' ? operand : String(operand));
  return Object.keys(actual).some((k) => fold(k) === key);
}

/**
 * `less`, `greater` and their `OrEquals`: numbers with numbers, dates with dates, strings with
 * strings (ignoring case). Azure throws when the types differ, which is an implicit deny; an
 * absent field is not less or greater than anything.
 */
function compare(name: string, actual: Value | undefined, operand: Value): number | undefined {
  if (actual === undefined || actual === null) return undefined;
  if (typeof actual === 'number' && typeof operand === 'number') return actual - operand;
  if (typeof actual === 'string' && typeof operand === 'string') {
    // The conditions take a "dateValue" (definition-structure-policy-rule): two date-times are
    // compared as instants, so offsets and fractions count, as they do once ARM's JSON reader
    // has turned such strings into dates.
    const da = isoInstant(actual);
    const db = da === undefined ? undefined : isoInstant(operand);
    if (da !== undefined && db !== undefined) return da < db ? -1 : da > db ? 1 : 0;
    const a = fold(actual);
    const b = fold(operand);
    return a < b ? -1 : a > b ? 1 : 0;
  }
  throw new PolicyEvaluationError(`'${name}' cannot compare ${describeOperand(actual)} with ${describeOperand(operand)}`);
}

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?(Z|[+-]\d{2}(?::?\d{2})?)?$/;
const TICKS_PER_MS = 10_000n;

/**
 * The instant an ISO 8601 date-time names, in 100 ns ticks since 1970 (the precision of the
 * seven fraction digits `utcNow()` writes), or undefined when the text is not one. The shape is
 * what a JSON reader takes for a date: `yyyy-MM-ddTHH:mm:ss`, an optional fraction, and `Z`, an
 * offset (`+02:00`, `+0200`, `+02`) or nothing (read as UTC, the service's time zone). A
 * date alone (`2024-01-01`) stays text, and so do impossible dates (`2024-02-30T…`).
 */
export function isoInstant(text: string): bigint | undefined {
  if (text.length < 19 || text.length > 40) return undefined;
  const m = ISO_DATE_TIME.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (year < 1 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  // setUTCFullYear, not Date.UTC, which reads years 0-99 as 1900-1999.
  const check = new Date(0);
  check.setUTCFullYear(year, month - 1, day);
  check.setUTCHours(hour, minute, second, 0);
  // 30 February rolls into March; a date that rolled over is not a date.
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return undefined;
  const ms = check.getTime();
  let ticks = BigInt(ms) * TICKS_PER_MS + BigInt((m[7] ?? '').padEnd(7, '0'));
  const zone = m[8];
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1n : 1n;
    const digits = zone.slice(1).replace(':', '');
    const hours = BigInt(digits.slice(0, 2));
    const minutes = BigInt(digits.slice(2, 4) || '0');
    if (hours > 14n || minutes > 59n) return undefined;
    // 10:00+02:00 is 08:00Z: subtract the offset.
    ticks -= sign * (hours * 60n + minutes) * 60_000n * TICKS_PER_MS;
  }
  return ticks;
}

function ordered(name: string, holds: (c: number) => boolean): Operator {
  return {
    name,
    checkOperand: (e) => (typeof e === 'number' || typeof e === 'string' ? undefined : `expects a number or a string, got ${describeOperand(e)}`),
    test: (a, e) => {
      const c = compare(name, a, e);
      return c !== undefined && holds(c);
    },
  };
}

function list(name: string, operand: Value): Value[] {
  if (!Array.isArray(operand)) throw new PolicyEvaluationError(`'${name}' expects an array, got ${describeOperand(operand)}`);
  return operand;
}

function mustBeArray(operand: Value): string | undefined {
  return Array.isArray(operand) ? undefined : `expects an array, got ${describeOperand(operand)}`;
}

function mustBeString(operand: Value): string | undefined {
  return typeof operand === 'string' ? undefined : `expects a string, got ${describeOperand(operand)}`;
}

/** `exists` takes true or false (the built-ins also write "true"/"false"). */
export function existsOperand(operand: Value): boolean | undefined {
  if (typeof operand === 'boolean') return operand;
  if (typeof operand === 'string' && /^(true|false)$/i.test(operand)) return operand.toLowerCase() === 'true';
  return undefined;
}

export function describeOperand(v: Value | undefined): string {
  if (v === undefined) return 'an absent value';
  if (isUnknown(v)) return 'an unknown value';
  return JSON.stringify(v);
}

const not =
  (f: (a: Value | undefined, e: Value) => boolean) =>
  (a: Value | undefined, e: Value): boolean =>
    !f(a, e);

const TABLE: Operator[] = [
  { name: 'equals', test: (a, e) => policyEquals(a, e) },
  { name: 'notEquals', test: (a, e) => !policyEquals(a, e) },
  { name: 'in', checkOperand: mustBeArray, test: (a, e) => list('in', e).some((x) => policyEquals(a, x)) },
  { name: 'notIn', checkOperand: mustBeArray, test: (a, e) => !list('notIn', e).some((x) => policyEquals(a, x)) },
  { name: 'like', checkOperand: mustBeString, test: like },
  { name: 'notLike', checkOperand: mustBeString, test: not(like) },
  { name: 'match', checkOperand: mustBeString, test: (a, e) => match(a, e, false) },
  { name: 'notMatch', checkOperand: mustBeString, test: (a, e) => !match(a, e, false) },
  { name: 'matchInsensitively', checkOperand: mustBeString, test: (a, e) => match(a, e, true) },
  { name: 'notMatchInsensitively', checkOperand: mustBeString, test: (a, e) => !match(a, e, true) },
  { name: 'contains', test: contains },
  { name: 'notContains', test: not(contains) },
  { name: 'containsKey', test: containsKey },
  { name: 'notContainsKey', test: not(containsKey) },
  ordered('less', (c) => c < 0),
  ordered('lessOrEquals', (c) => c <= 0),
  ordered('greater', (c) => c > 0),
  ordered('greaterOrEquals', (c) => c >= 0),
  {
    name: 'exists',
    presenceOnly: true,
    checkOperand: (e) => (existsOperand(e) === undefined ? `expects true or false, got ${describeOperand(e)}` : undefined),
    // A property set to null is not there, as far as Azure Policy is concerned.
    test: (a, e) => {
      const want = existsOperand(e);
      if (want === undefined) throw new PolicyEvaluationError(`'exists' expects true or false, got ${describeOperand(e)}`);
      return (a !== undefined && a !== null) === want;
    },
  },
];

/** Keyed by lower-case name: the policy language ignores the case of its keywords. */
export const OPERATORS: ReadonlyMap<string, Operator> = new Map(TABLE.map((op) => [op.name.toLowerCase(), op]));
