import type { FixValue } from '../findings/fix-intent.js';

/** How a file is written, so that added text looks like the rest: JSON or Bicep, line ending, indentation. */
export interface TextStyle {
  bicep: boolean;
  eol: string;
  /** The leading white space of the line the edit is on. */
  indent: string;
  /** One level of indentation in this file. */
  unit: string;
  /** Containers are written on one line (an edit inside a one-line object). */
  oneLine?: boolean;
}

/** The style at `offset`: the file's line ending and indentation unit, and the indentation of that line. */
export function styleAt(text: string, offset: number, bicep: boolean): TextStyle {
  const lineStart = Math.max(text.lastIndexOf('\n', offset - 1) + 1, 0);
  const indent = /^[ \t]*/.exec(text.slice(lineStart, offset))![0];
  return { bicep, indent, ...fileStyle(text) };
}

/**
 * The file's line ending and indentation unit, for the last file asked about: a file's findings
 * come together and each fix asks, and both read the whole text.
 */
let lastStyle: { text: string; eol: string; unit: string } | undefined;
function fileStyle(text: string): { eol: string; unit: string } {
  if (lastStyle?.text !== text) lastStyle = { text, eol: text.includes('\r\n') ? '\r\n' : '\n', unit: indentUnit(text) };
  return { eol: lastStyle.eol, unit: lastStyle.unit };
}

/**
 * The smallest indentation a line of the file uses (a tab when lines start with tabs); two spaces
 * by default. Of the first 500 indented lines: a line counts when it starts (after any line
 * terminator JavaScript knows) with spaces and tabs followed by a character that is not white
 * space. Read character by character: a multi-line regular expression allocated a match per line,
 * ~3% of what a scan of the corpora allocated.
 */
export function indentUnit(text: string): string {
  let best = 0;
  let counted = 0;
  // Most files end their lines with \n or \r\n only: then indexOf finds the next line (a loop
  // over every character, interpreted until V8 optimizes it, cost more than the regular expression).
  const newlinesOnly = !OTHER_LINE_ENDS.test(text);
  for (let start = 0; start < text.length && counted < 500; start = newlinesOnly ? afterNewline(text, start) : nextLineStart(text, start)) {
    let i = start;
    let tab = false;
    for (let c = text.charCodeAt(i); c === 32 || c === 9; c = text.charCodeAt(++i)) tab ||= c === 9 && i === start;
    if (i === start || i >= text.length || WHITE_SPACE.test(text[i]!)) continue;
    counted++;
    if (tab) return '\t';
    if (best === 0 || i - start < best) best = i - start;
  }
  return best > 0 && best <= 8 ? ' '.repeat(best) : '  ';
}

/** A line terminator other than \n (a \r before a \n ends the line at the \n all the same). */
const OTHER_LINE_ENDS = /\r(?!\n)|[\u2028\u2029]/;

function afterNewline(text: string, from: number): number {
  const i = text.indexOf('\n', from);
  return i < 0 ? text.length : i + 1;
}

/** Where the line after the one at `from` starts (after \n, \r, U+2028 or U+2029), or the text's length. */
function nextLineStart(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) return i + 1;
  }
  return text.length;
}

/** What `\s` matches, asked of one character (only at the end of a line's indentation). */
const WHITE_SPACE = /\s/;

const BICEP_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A string as Bicep writes it: single quotes, with `\`, `'` and `${` escaped. */
function bicepString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\$\{/g, '\\${').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}'`;
}

function scalar(v: FixValue, bicep: boolean): string | undefined {
  if (v === null || typeof v !== 'object') return typeof v === 'string' && bicep ? bicepString(v) : JSON.stringify(v);
  return undefined;
}

/** A value in the file's syntax; `indent` is the indentation of the line it starts on. */
export function renderValue(v: FixValue, style: TextStyle, indent: string): string {
  const plain = scalar(v, style.bicep);
  if (plain !== undefined) return plain;
  const inner = indent + style.unit;
  const sep = style.bicep ? '' : ',';
  if (Array.isArray(v)) {
    const items = v.map((x) => renderValue(x, style, inner));
    if (items.length === 0) return '[]';
    // A list of one scalar stays on one line (`["https"]`); Bicep writes longer lists one item a line.
    if (style.oneLine || (items.length === 1 && scalar(v[0]!, style.bicep) !== undefined) || (!style.bicep && v.every((x) => scalar(x, false) !== undefined)))
      return `[${items.join(', ')}]`;
    return `[${style.eol}${items.map((i) => `${inner}${i}`).join(`${sep}${style.eol}`)}${style.eol}${indent}]`;
  }
  const entries = Object.entries(v as Record<string, FixValue>);
  if (entries.length === 0) return '{}';
  const props = entries.map(([k, x]) => renderProperty(k, x, style, inner));
  if (style.oneLine) return `{ ${props.join(', ')} }`;
  return `{${style.eol}${props.map((p) => `${inner}${p}`).join(`${sep}${style.eol}`)}${style.eol}${indent}}`;
}

/** `"key": value` (JSON) or `key: value` (Bicep, the key quoted when it is not an identifier). */
export function renderProperty(key: string, v: FixValue, style: TextStyle, indent: string): string {
  const k = style.bicep ? (BICEP_IDENTIFIER.test(key) ? key : bicepString(key)) : JSON.stringify(key);
  return `${k}: ${renderValue(v, style, indent)}`;
}
