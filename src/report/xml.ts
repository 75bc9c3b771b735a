import { visible } from './visible.js';

/**
 * XML 1.0 text escaping: the five special characters, CR as a character reference (a parser
 * would turn a literal CR into LF). Control characters (which XML 1.0 forbids, or for C1
 * discourages) and bidi controls are shown as escapes (`\x1b`), as the other reports show them;
 * what XML 1.0 still forbids (lone surrogates, U+FFFE and U+FFFF) is dropped.
 */
export function xmlEscape(text: string): string {
  return visible(text, 'crlf')
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/[&<>"'\r]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;' })[c]!);
}

/** Attribute values: as text, and tab and LF as character references, which a parser keeps (literal ones become spaces). */
export function xmlAttr(text: string): string {
  return xmlEscape(text).replace(/[\t\n]/g, (c) => (c === '\t' ? '&#9;' : '&#10;'));
}
