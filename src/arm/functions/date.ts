import type { FunctionDef } from '../expression/context.js';
import { FunctionError } from '../expression/evaluator.js';
import { Unknown } from '../../resources/value.js';
import { expectInt, expectString, fn } from './define.js';

// .NET's DateTime range: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.9999999Z.
const MIN_MS = -62_135_596_800_000;
const MAX_MS = 253_402_300_799_999;

function utc(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number | undefined {
  const date = new Date(Date.UTC(2000, mo - 1, d, h, mi, s, ms));
  date.setUTCFullYear(y); // Date.UTC reads years 0-99 as 1900-1999
  // Reject what Date would roll over (Feb 30, 25:00): the fields must come back as given.
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || date.getUTCHours() !== h || date.getUTCMinutes() !== mi || date.getUTCSeconds() !== s)
    return undefined;
  return date.getTime();
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Milliseconds from a fraction of a second written with any number of digits (truncated). */
const millis = (fraction: string | undefined) => (fraction ? Number(fraction.slice(0, 3).padEnd(3, '0')) : 0);

/** Minutes east of UTC in `Z`, `+02`, `+0200`, `-05:30`. */
function offsetMinutes(zone: string | undefined): number {
  if (!zone || /^(Z|GMT|UTC)$/i.test(zone)) return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
}

/**
 * Reads a date-time as ARM does (DateTime parsing, invariant culture, adjusted to UTC); one
 * without an offset is UTC. Accepted: ISO 8601 (`2020-04-07T14:53:14Z`, `2020-04-07 14:53:14Z`,
 * `2020-04-07`, offsets), the basic form utcNow() returns (`20190305T175318Z`), and what the
 * standard formats 'd', 'g', 'G' and 'r' print (`03/05/2019 17:53`, `Tue, 05 Mar 2019 17:53:18 GMT`).
 */
export function parseDateTime(text: string): number {
  const t = text.trim();
  const zone = '(Z|[+-]\\d{2}(?::?\\d{2})?)?';
  let ms: number | undefined;
  let m = new RegExp(`^(\\d{4})-(\\d{2})-(\\d{2})(?:[T ](\\d{2}):(\\d{2})(?::(\\d{2})(?:[.,](\\d+))?)?)? ?${zone}$`, 'i').exec(t);
  m ??= new RegExp(`^(\\d{4})(\\d{2})(\\d{2})(?:T(\\d{2})(\\d{2})(?:(\\d{2})(?:[.,](\\d+))?)?)?${zone}$`, 'i').exec(t);
  if (m) {
    const [, y, mo, d, h, mi, s, f, z] = m;
    const local = utc(Number(y), Number(mo), Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0), millis(f));
    if (local !== undefined) ms = local - offsetMinutes(z) * 60_000;
  } else if ((m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?(?: ?([AP]M))?)?$/i.exec(t))) {
    const [, mo, d, y, h, mi, s, ampm] = m;
    let hour = Number(h ?? 0);
    if (ampm && hour >= 1 && hour <= 12) hour = (hour % 12) + (ampm.toUpperCase() === 'PM' ? 12 : 0);
    else if (ampm) hour = -1;
    ms = utc(Number(y), Number(mo), Number(d), hour, Number(mi ?? 0), Number(s ?? 0));
  } else if ((m = /^(?:[A-Za-z]{3}, ?)?(\d{1,2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) (GMT|UTC|Z)$/.exec(t))) {
    const [, d, mon, y, h, mi, s] = m;
    const month = MONTHS.findIndex((x) => x.slice(0, 3).toLowerCase() === mon!.toLowerCase()) + 1;
    if (month) ms = utc(Number(y), month, Number(d), Number(h), Number(mi), Number(s));
  }
  if (ms === undefined || ms < MIN_MS || ms > MAX_MS) throw new FunctionError(`'${text}' is not a valid date-time (ISO 8601, such as 2020-04-07T14:53:14Z)`);
  return ms;
}

/** The invariant culture's standard date and time formats, as custom patterns. */
const STANDARD: Record<string, string> = {
  d: 'MM/dd/yyyy',
  D: 'dddd, dd MMMM yyyy',
  f: 'dddd, dd MMMM yyyy HH:mm',
  F: 'dddd, dd MMMM yyyy HH:mm:ss',
  g: 'MM/dd/yyyy HH:mm',
  G: 'MM/dd/yyyy HH:mm:ss',
  m: 'MMMM dd',
  M: 'MMMM dd',
  o: "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
  O: "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
  r: "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
  R: "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
  s: "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
  t: 'HH:mm',
  T: 'HH:mm:ss',
  u: "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
  U: 'dddd, dd MMMM yyyy HH:mm:ss',
  y: 'yyyy MMMM',
  Y: 'yyyy MMMM',
};

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * .NET date formatting (DateTime.ToString, invariant culture) of a UTC instant. A one-letter
 * format is a standard format (`u`, `d`, `o`, `s`, `r`, …; an unknown letter is an error, as in
 * .NET); anything longer is a custom pattern: yyyy, MM, MMM, MMMM, dd, ddd, dddd, HH, hh, mm, ss,
 * f…/F…, tt, K, z, quoted literals and `\` escapes. Other characters are copied (`T`, `Z`, `-`).
 */
export function formatDateTime(date: Date, format: string): string {
  if (format.length === 1) {
    const pattern = STANDARD[format];
    if (!pattern) throw new FunctionError(`the date format '${format}' is not a .NET standard format`);
    format = pattern;
  }
  const year = date.getUTCFullYear();
  const h = date.getUTCHours();
  const fraction = pad(date.getUTCMilliseconds(), 3).padEnd(7, '0');
  let out = '';
  for (let i = 0; i < format.length;) {
    let ch = format[i]!;
    if (ch === "'" || ch === '"') {
      const end = format.indexOf(ch, i + 1);
      out += format.slice(i + 1, end < 0 ? format.length : end);
      i = end < 0 ? format.length : end + 1;
      continue;
    }
    if (ch === '\\') {
      out += format[i + 1] ?? '';
      i += 2;
      continue;
    }
    if (ch === '%' && i + 1 < format.length) {
      ch = format[++i]!; // '%d': the custom specifier 'd' alone
    }
    let run = 1;
    while (format[i + run] === ch) run++;
    switch (ch) {
      case 'y':
        out += run <= 2 ? pad(year % 100, run) : pad(year, run);
        break;
      case 'M':
        out += run >= 4 ? MONTHS[date.getUTCMonth()]! : run === 3 ? MONTHS[date.getUTCMonth()]!.slice(0, 3) : pad(date.getUTCMonth() + 1, run);
        break;
      case 'd':
        out += run >= 4 ? DAYS[date.getUTCDay()]! : run === 3 ? DAYS[date.getUTCDay()]!.slice(0, 3) : pad(date.getUTCDate(), run);
        break;
      case 'H':
        out += pad(h, Math.min(run, 2));
        break;
      case 'h':
        out += pad(h % 12 || 12, Math.min(run, 2));
        break;
      case 'm':
        out += pad(date.getUTCMinutes(), Math.min(run, 2));
        break;
      case 's':
        out += pad(date.getUTCSeconds(), Math.min(run, 2));
        break;
      case 'f':
      case 'F': {
        if (run > 7) throw new FunctionError(`'${ch.repeat(run)}' asks for more than 7 fractional digits`);
        let digits = fraction.slice(0, run);
        if (ch === 'F') {
          digits = digits.replace(/0+$/, '');
          // As .NET does, an all-zero 'F' fraction also drops the '.' before it.
          if (!digits && out.endsWith('.')) out = out.slice(0, -1);
        }
        out += digits;
        break;
      }
      case 't':
        out += (h < 12 ? 'AM' : 'PM').slice(0, Math.min(run, 2));
        break;
      case 'g':
        out += 'A.D.';
        break;
      case 'K':
        out += 'Z'.repeat(run);
        break;
      case 'z':
        // A UTC DateTime shows the server's offset, which is UTC in Azure.
        out += run === 1 ? '+0' : run === 2 ? '+00' : '+00:00';
        break;
      default:
        out += ch.repeat(run);
    }
    i += run;
  }
  return out;
}

/** What ARM's date functions return: ISO 8601 in UTC, fractions only when there are any. */
const isoUtc = (ms: number) => formatDateTime(new Date(ms), "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'");

/**
 * Reads an ISO 8601 duration as .NET's XmlConvert.ToTimeSpan (xs:duration) does, which is why
 * Microsoft documents that dateTimeAdd ignores leap years: a year is 365 days and a month 30
 * days. Weeks are not part of xs:duration. Returns milliseconds.
 */
function durationMs(text: string): number {
  const m = /^(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.(\d+))?S)?)?$/.exec(text.trim());
  const t = text.trim();
  if (!m || /^-?P$/.test(t) || t.endsWith('T')) throw new FunctionError(`'${text}' is not a valid ISO 8601 duration (such as P1D, PT1H, -P9D)`);
  const n = (i: number) => Number(m[i] ?? 0);
  const ms = (((n(2) * 365 + n(3) * 30 + n(4)) * 24 + n(5)) * 60 + n(6)) * 60_000 + n(7) * 1000 + millis(m[8]);
  return m[1] ? -ms : ms;
}

function checkRange(ms: number): number {
  if (!(ms >= MIN_MS && ms <= MAX_MS)) throw new FunctionError('the result is outside the years 0001 to 9999');
  return ms;
}

/** Date functions. Without a clock, `utcNow()` is unknown: a scan never depends on when it runs. */
export const dateFunctions: FunctionDef[] = [
  fn({
    name: 'utcNow',
    minArgs: 0,
    maxArgs: 1,
    // The default format is yyyyMMddTHHmmssZ ('T' and 'Z' are literal characters in .NET patterns).
    eager: ([format], ctx) => {
      if (!ctx.deployment.now) return new Unknown('utcNow() is the time of deployment (set a clock with --now)');
      const now = new Date(parseDateTime(ctx.deployment.now));
      return formatDateTime(now, format === undefined ? 'yyyyMMddTHHmmssZ' : expectString(format, 'the format'));
    },
  }),
  fn({
    name: 'dateTimeAdd',
    minArgs: 2,
    maxArgs: 3,
    eager: ([base, duration, format]) => {
      const start = parseDateTime(expectString(base!, 'the base time'));
      const result = checkRange(start + durationMs(expectString(duration!, 'the duration')));
      return format === undefined ? isoUtc(result) : formatDateTime(new Date(result), expectString(format, 'the format'));
    },
  }),
  fn({
    name: 'dateTimeFromEpoch',
    minArgs: 1,
    maxArgs: 1,
    eager: ([seconds]) => isoUtc(checkRange(expectInt(seconds!, 'the epoch time') * 1000)),
  }),
  fn({
    name: 'dateTimeToEpoch',
    minArgs: 1,
    maxArgs: 1,
    // Whole seconds, rounded down as DateTimeOffset.ToUnixTimeSeconds does.
    eager: ([text]) => Math.floor(parseDateTime(expectString(text!, 'the date-time')) / 1000),
  }),
];
