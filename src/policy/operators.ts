import { isObject, isUnknown, type Value } from '../resources/value.js';

/**
 * One condition operator of the policy language. The condition compiler looks operators up
 * here by lower-case name, so supporting a new one is one entry in `OPERATORS`.
 *
 * `test` only ever sees known values: the caller turns an unknown operand or field into an
 * unknown result before asking. `actual` is `undefined` when the field is absent.
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
  if (typeof x === 'string' && typeof y === 'string') return x.toLowerCase() === y.toLowerCase();
  if (typeof x === 'string' || typeof y === 'string') return coercedEquals(x, y);
  if (Array.isArray(x) && Array.isArray(y)) return x.length === y.length && x.every((v, i) => policyEquals(v, y[i]));
  if (isObject(x) && isObject(y)) {
    const kx = Object.keys(x);
    const ky = Object.keys(y);
    return kx.length === ky.length && kx.every((k) => {
      const match = ky.find((other) => other.toLowerCase() === k.toLowerCase());
      return match !== undefined && policyEquals(x[k], y[match]);
    });
  }
  return x === y;
}

function coercedEquals(x: Value, y: Value): boolean {
  const [text, other] = typeof x === 'string' ? [x, y] : [y as string, x];
  if (typeof other === 'boolean') return text.toLowerCase() === String(other);
  if (typeof other === 'number') return text.trim() !== '' && Number(text) === other;
  return false;
}

/** `like`: the documented wildcard is `*` (any run of characters); the match is whole-string and ignores case. */
function like(actual: Value | undefined, pattern: Value): boolean {
  if (typeof actual !== 'string' || typeof pattern !== 'string') return false;
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 'is').test(actual);
}

/** A string contains a substring (ignoring case); an array contains an equal element. */
function contains(actual: Value | undefined, operand: Value): boolean {
  if (typeof actual === 'string' && typeof operand === 'string') return actual.toLowerCase().includes(operand.toLowerCase());
  if (Array.isArray(actual)) return actual.some((item) => policyEquals(item, operand));
  return false;
}

function list(operand: Value): Value[] {
  if (!Array.isArray(operand)) throw new TypeError(`expects an array, got ${describeOperand(operand)}`);
  return operand;
}

function mustBeArray(operand: Value): string | undefined {
  return Array.isArray(operand) ? undefined : `expects an array, got ${describeOperand(operand)}`;
}

/** `exists` takes true or false (the built-ins also write "true"/"false"). */
function existsOperand(operand: Value): boolean | undefined {
  if (typeof operand === 'boolean') return operand;
  if (typeof operand === 'string' && /^(true|false)$/i.test(operand)) return operand.toLowerCase() === 'true';
  return undefined;
}

function describeOperand(v: Value): string {
  if (isUnknown(v)) return 'an unknown value';
  return JSON.stringify(v);
}

const TABLE: Operator[] = [
  { name: 'equals', test: (a, e) => policyEquals(a, e) },
  { name: 'notEquals', test: (a, e) => !policyEquals(a, e) },
  { name: 'in', checkOperand: mustBeArray, test: (a, e) => list(e).some((x) => policyEquals(a, x)) },
  { name: 'notIn', checkOperand: mustBeArray, test: (a, e) => !list(e).some((x) => policyEquals(a, x)) },
  { name: 'like', test: like },
  { name: 'notLike', test: (a, e) => !like(a, e) },
  { name: 'contains', test: contains },
  { name: 'notContains', test: (a, e) => !contains(a, e) },
  {
    name: 'exists',
    presenceOnly: true,
    checkOperand: (e) => (existsOperand(e) === undefined ? `expects true or false, got ${describeOperand(e)}` : undefined),
    // A property set to null is not there, as far as Azure Policy is concerned.
    test: (a, e) => {
      const want = existsOperand(e);
      if (want === undefined) throw new TypeError(`expects true or false, got ${describeOperand(e)}`);
      return (a !== undefined && a !== null) === want;
    },
  },
];

/** Keyed by lower-case name: the policy language ignores the case of its keywords. */
export const OPERATORS: ReadonlyMap<string, Operator> = new Map(TABLE.map((op) => [op.name.toLowerCase(), op]));
