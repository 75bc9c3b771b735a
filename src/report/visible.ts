/**
 * Text from the scanned files (resource names, file names, parameter values quoted in messages)
 * reaches terminals, CI logs and review pages. Characters that would act instead of showing are
 * shown as escapes: C0 controls (ESC starts terminal escape sequences that recolour, retitle or
 * hide text; CR returns to the line start and overprints), DEL, C1 controls (CSI U+009B is ESC [
 * for many terminals) and the Unicode bidirectional controls that reorder how a line reads
 * ("Trojan Source", CVE-2021-42574). Line feeds are shown too unless the caller lays out lines.
 */
const ACTIVE = /[\u0000-\u0008\u000A-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g;
const ACTIVE_BUT_LF = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g;
const ACTIVE_BUT_CR_LF = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * What stays of line breaks: `escape` shows them (`\n`, `\r`); `lf` keeps line feeds, for text
 * whose lines the caller lays out; `crlf` keeps both, for formats that encode a CR harmlessly
 * (XML's `&#13;`, HTML, which folds it).
 */
export type LineBreaks = 'escape' | 'lf' | 'crlf';

/** `text` with active characters as `\x1b`, `\r`, `\u202e` …; tabs are kept (they only move the cursor right). */
export function visible(text: string, lineBreaks: LineBreaks = 'escape'): string {
  return text.replace(lineBreaks === 'escape' ? ACTIVE : lineBreaks === 'lf' ? ACTIVE_BUT_LF : ACTIVE_BUT_CR_LF, escapeOne);
}

function escapeOne(c: string): string {
  const code = c.charCodeAt(0);
  return NAMED[c] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
}

/**
 * A copy of a report's data with every string made `visible`, for the terminal report, which
 * prints strings in many places: one pass here cannot miss one. Line feeds stay in `message`
 * (a policy's non-compliance message may have several lines, laid out by the reporter) and are
 * shown as `\n` everywhere else. Only plain objects and arrays are copied.
 */
export function visibleStrings<T>(value: T): T {
  return copy(value, undefined, new Map()) as T;
}

function copy(value: unknown, key: string | undefined, seen: Map<object, unknown>): unknown {
  if (typeof value === 'string') return visible(value, key === 'message' ? 'lf' : 'escape');
  if (typeof value !== 'object' || value === null) return value;
  const done = seen.get(value);
  if (done !== undefined) return done;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const item of value) out.push(copy(item, key, seen));
    return out;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = proto === null ? (Object.create(null) as Record<string, unknown>) : {};
  seen.set(value, out);
  const record = value as Record<string, unknown>;
  for (const k of Object.keys(record)) {
    const v = copy(record[k], k, seen);
    // A key `__proto__` (from a template) stays a key: assigned, it would set the prototype.
    // Every other key is assigned (defining each one was most of the copy's time).
    if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    else out[k] = v;
  }
  return out;
}

/** Lone surrogates (a JSON `\ud800` escape can make one) as U+FFFD: encodeURI and encodeURIComponent throw on them. */
export function wellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}
