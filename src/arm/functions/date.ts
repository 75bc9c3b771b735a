import type { FunctionDef } from '../expression/context.js';
import { FunctionError } from '../expression/evaluator.js';
import { Unknown } from '../../resources/value.js';
import { expectInt, expectString, fn } from './define.js';

/** Parses an ISO 8601 date-time; one without an offset is UTC, as ARM reads it. */
function parseDateTime(text: string): Date {
  const t = text.trim();
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(t);
  // A date alone is parsed as UTC by Date.parse; a date-time without an offset needs the 'Z'.
  const ms = Date.parse(!hasZone && /[T ]\d/.test(t) ? `${t.replace(' ', 'T')}Z` : t);
  if (Number.isNaN(ms)) throw new FunctionError(`'${text}' is not an ISO 8601 date-time`);
  return new Date(ms);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * .NET date formatting, invariant culture, UTC: the standard formats templates use (`u`, `d`,
 * `o`, `s`, `r`) and custom patterns (yyyy, yy, MM, M, dd, d, HH, H, hh, h, mm, m, ss, s, f…,
 * tt, quoted literals). An unsupported standard format is an error, not a guess.
 */
export function formatDateTime(date: Date, format: string): string {
  const STANDARD: Record<string, string> = { d: 'MM/dd/yyyy', u: "yyyy-MM-dd HH:mm:ss'Z'", s: "yyyy-MM-dd'T'HH:mm:ss", o: "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", O: "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", r: "ddd, dd MMM yyyy HH:mm:ss 'GMT'", R: "ddd, dd MMM yyyy HH:mm:ss 'GMT'", g: 'MM/dd/yyyy HH:mm', G: 'MM/dd/yyyy HH:mm:ss', t: 'HH:mm', T: 'HH:mm:ss' };
  if (format.length === 1) {
    const pattern = STANDARD[format];
    if (!pattern) throw new FunctionError(`the date format '${format}' is not supported`);
    format = pattern;
  }
  const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  let out = '';
  for (let i = 0; i < format.length; ) {
    const ch = format[i]!;
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
    let run = 1;
    while (format[i + run] === ch) run++;
    const h = date.getUTCHours();
    switch (ch) {
      case 'y':
        out += run <= 2 ? pad(date.getUTCFullYear() % 100, run) : pad(date.getUTCFullYear(), run);
        break;
      case 'M':
        out += run >= 3 ? MONTHS[date.getUTCMonth()]! : pad(date.getUTCMonth() + 1, run);
        break;
      case 'd':
        out += run >= 3 ? DAYS[date.getUTCDay()]! : pad(date.getUTCDate(), run);
        break;
      case 'H':
        out += pad(h, run);
        break;
      case 'h':
        out += pad(h % 12 || 12, run);
        break;
      case 'm':
        out += pad(date.getUTCMinutes(), run);
        break;
      case 's':
        out += pad(date.getUTCSeconds(), run);
        break;
      case 'f':
      case 'F':
        out += pad(date.getUTCMilliseconds(), 3).padEnd(run, '0').slice(0, run);
        break;
      case 't':
        out += (h < 12 ? 'AM' : 'PM').slice(0, run);
        break;
      case 'K':
      case 'z':
        out += run === 1 && ch === 'z' ? '+0' : '+00:00';
        break;
      default:
        out += ch.repeat(run);
    }
    i += run;
  }
  return out;
}

/** `2023-04-01T01:00:38Z`: what ARM's date functions return by default (fractions only when there are any). */
function isoSeconds(date: Date): string {
  const ms = date.getUTCMilliseconds();
  return formatDateTime(date, ms ? "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'" : "yyyy-MM-dd'T'HH:mm:ss'Z'");
}

/** Adds an ISO 8601 duration (`P1Y2M3DT4H5M6S`, `-P1D`, `PT1H`, `P2W`); months add as .NET's AddMonths (day clamped). */
function addDuration(date: Date, duration: string): Date {
  const m = /^(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(duration.trim());
  if (!m || duration.trim().toUpperCase().replace('-', '') === 'P' || /T$/i.test(duration.trim())) throw new FunctionError(`'${duration}' is not an ISO 8601 duration such as P1D or PT1H`);
  const sign = m[1] ? -1 : 1;
  const n = (i: number) => Number(m[i] ?? 0) * sign;
  const out = new Date(date.getTime());
  const months = n(2) * 12 + n(3);
  if (months) {
    const day = out.getUTCDate();
    out.setUTCDate(1);
    out.setUTCMonth(out.getUTCMonth() + months);
    const last = new Date(Date.UTC(out.getUTCFullYear(), out.getUTCMonth() + 1, 0)).getUTCDate();
    out.setUTCDate(Math.min(day, last));
  }
  const ms = ((n(4) * 7 + n(5)) * 86400 + n(6) * 3600 + n(7) * 60 + n(8)) * 1000;
  return new Date(out.getTime() + ms);
}

/** Date functions. Without a clock, `utcNow()` is unknown: a scan never depends on when it runs. */
export const dateFunctions: FunctionDef[] = [
  fn({
    name: 'utcNow',
    minArgs: 0,
    maxArgs: 1,
    eager: ([format], ctx) => {
      if (!ctx.deployment.now) return new Unknown('utcNow() is the time of deployment (set a clock with --now)');
      return formatDateTime(new Date(ctx.deployment.now), format === undefined ? "yyyyMMdd'T'HHmmss'Z'" : expectString(format, 'the format'));
    },
  }),
  fn({
    name: 'dateTimeAdd',
    minArgs: 2,
    maxArgs: 3,
    eager: ([base, duration, format]) => {
      const result = addDuration(parseDateTime(expectString(base!, 'the base time')), expectString(duration!, 'the duration'));
      return format === undefined ? isoSeconds(result) : formatDateTime(result, expectString(format, 'the format'));
    },
  }),
  fn({
    name: 'dateTimeFromEpoch',
    minArgs: 1,
    maxArgs: 1,
    eager: ([seconds]) => isoSeconds(new Date(expectInt(seconds!, 'the epoch time') * 1000)),
  }),
  fn({ name: 'dateTimeToEpoch', minArgs: 1, maxArgs: 1, eager: ([text]) => Math.floor(parseDateTime(expectString(text!, 'the date-time')).getTime() / 1000) }),
];
