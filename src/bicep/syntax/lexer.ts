/**
 * The Bicep lexer, written from the language documentation (docs/grammar.md of Azure/bicep)
 * and checked token for token against the official compiler's dumps
 * (test/bicep/parser-conformance.test.ts).
 *
 * Whitespace, comments and `#disable-next-line` directives are trivia: they are not tokens, but
 * comments and directives are kept (with their offsets) for suppression comments. Line breaks are
 * tokens because Bicep declarations, object properties and array items end at a line break.
 */

export type TokenKind =
  | 'Identifier'
  | 'Integer'
  | 'TrueKeyword'
  | 'FalseKeyword'
  | 'NullKeyword'
  | 'StringComplete'
  | 'StringLeftPiece'
  | 'StringMiddlePiece'
  | 'StringRightPiece'
  | 'NewLine'
  | 'EndOfFile'
  | 'Unrecognized'
  | 'LeftBrace'
  | 'RightBrace'
  | 'LeftParen'
  | 'RightParen'
  | 'LeftSquare'
  | 'RightSquare'
  | 'At'
  | 'Comma'
  | 'Dot'
  | 'Ellipsis'
  | 'Colon'
  | 'DoubleColon'
  | 'Semicolon'
  | 'Question'
  | 'DoubleQuestion'
  | 'Assignment'
  | 'Equals'
  | 'EqualsInsensitive'
  | 'Arrow'
  | 'Exclamation'
  | 'NotEquals'
  | 'NotEqualsInsensitive'
  | 'LeftChevron'
  | 'LessThanOrEqual'
  | 'RightChevron'
  | 'GreaterThanOrEqual'
  | 'Plus'
  | 'Minus'
  | 'Asterisk'
  | 'Slash'
  | 'Modulo'
  | 'Hat'
  | 'Pipe'
  | 'LogicalAnd'
  | 'LogicalOr';

export interface Token {
  readonly kind: TokenKind;
  /** UTF-16 offsets into the source text, end exclusive. */
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export interface Comment {
  start: number;
  end: number;
  /** The comment's text without `//` or the `/* *\/` delimiters. */
  text: string;
  /** `#disable-next-line …` directives are kept here too (text without the `#`). */
  directive?: boolean;
}

export interface LexDiagnostic {
  start: number;
  end: number;
  message: string;
}

export interface LexResult {
  tokens: Token[];
  comments: Comment[];
  diagnostics: LexDiagnostic[];
}

const PUNCTUATION: Record<string, TokenKind> = {
  '...': 'Ellipsis',
  '::': 'DoubleColon',
  '??': 'DoubleQuestion',
  '==': 'Equals',
  '=~': 'EqualsInsensitive',
  '=>': 'Arrow',
  '!=': 'NotEquals',
  '!~': 'NotEqualsInsensitive',
  '<=': 'LessThanOrEqual',
  '>=': 'GreaterThanOrEqual',
  '&&': 'LogicalAnd',
  '||': 'LogicalOr',
  '(': 'LeftParen',
  ')': 'RightParen',
  '[': 'LeftSquare',
  ']': 'RightSquare',
  '@': 'At',
  ',': 'Comma',
  '.': 'Dot',
  ':': 'Colon',
  ';': 'Semicolon',
  '?': 'Question',
  '=': 'Assignment',
  '!': 'Exclamation',
  '<': 'LeftChevron',
  '>': 'RightChevron',
  '+': 'Plus',
  '-': 'Minus',
  '*': 'Asterisk',
  '/': 'Slash',
  '%': 'Modulo',
  '^': 'Hat',
  '|': 'Pipe',
};

// The same table by character code, for the lexer's hot loop: flat arrays indexed by code (a
// two-character operator by both codes, 7 bits each), filled so that every read is a packed array
// load. A record keyed by the pair's number was a dictionary lookup per operator.
const SINGLE_KIND: (TokenKind | undefined)[] = new Array(128).fill(undefined);
const SINGLE_TEXT: string[] = new Array(128).fill('');
const PAIR_KIND: (TokenKind | undefined)[] = new Array(128 * 128).fill(undefined);
const PAIR_TEXT: string[] = new Array(128 * 128).fill('');
for (const [text, kind] of Object.entries(PUNCTUATION)) {
  if (text.length === 1) {
    SINGLE_KIND[text.charCodeAt(0)] = kind;
    SINGLE_TEXT[text.charCodeAt(0)] = text;
  } else if (text.length === 2) {
    PAIR_KIND[(text.charCodeAt(0) << 7) | text.charCodeAt(1)] = kind;
    PAIR_TEXT[(text.charCodeAt(0) << 7) | text.charCodeAt(1)] = text;
  }
}

/** Character classes of ASCII codes: 1 a letter or `_` (starts an identifier), 2 a digit. */
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) CLASS[c] = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 ? 1 : c >= 48 && c <= 57 ? 2 : 0;

/** `true`, `false` and `null` by their text; compared only for words of four or five letters (no hashing of every identifier). */
function keywordKind(word: string): TokenKind {
  if (word.length === 4) return word === 'true' ? 'TrueKeyword' : word === 'null' ? 'NullKeyword' : 'Identifier';
  return word.length === 5 && word === 'false' ? 'FalseKeyword' : 'Identifier';
}

/**
 * The usual line breaks as shared strings: a NewLine token's text would otherwise be a new string
 * for every `\r\n` (a third of a file's tokens are line breaks).
 */
const LINE_BREAKS = new Map<string, string>(['\n', '\r\n', '\n\n', '\r\n\r\n', '\n\n\n', '\r\n\r\n\r\n', '\r'].map((s) => [s, s]));
const LF = 10;
const CR = 13;

const isIdentStart = (c: number) => c < 128 && CLASS[c] === 1;
const isIdentPart = (c: number) => c < 128 && CLASS[c] !== 0;
const isDigit = (c: number) => c < 128 && CLASS[c] === 2;
const isNewLine = (c: number) => c === 10 || c === 13;

/** An open interpolated string: the kind of string and the `{` depth inside its current hole. */
interface Template {
  /** 0 for a single-quoted string, else the number of `$` that open a hole in a `'''` string. */
  dollars: number;
  multiline: boolean;
  depth: number;
}

/**
 * Every token is built here, from one object literal: one shape (the parser's reads stay
 * monomorphic) and one allocation site. V8 pretenures a literal's allocation site whose objects
 * survive (--trace-pretenuring shows it for the parser's sites), never a class constructor's; tokens
 * live as long as the syntax tree.
 */
function token(kind: TokenKind, start: number, end: number, text: string): Token {
  return { kind, start, end, text };
}

export function lex(text: string): LexResult {
  const tokens: Token[] = [];
  const comments: Comment[] = [];
  const diagnostics: LexDiagnostic[] = [];
  const templates: Template[] = [];
  const n = text.length;
  let pos = 0;

  const push = (kind: TokenKind, start: number) => tokens.push(token(kind, start, pos, text.slice(start, pos)));
  // Punctuation has one text per kind: no new string for each (half the tokens of a file).
  const pushFixed = (kind: TokenKind, start: number, fixed: string) => tokens.push(token(kind, start, pos, fixed));

  /**
   * Reads the rest of a single-quoted string piece from `pos` (just after `'` or `}`). Returns
   * whether it ended with `${` (an interpolation hole follows).
   */
  const singleLinePiece = (start: number): boolean => {
    while (pos < n) {
      const c = text.charCodeAt(pos);
      if (c === 39) {
        pos++;
        return false;
      }
      if (c === 92) {
        pos += pos + 1 < n && !isNewLine(text.charCodeAt(pos + 1)) ? 2 : 1;
        continue;
      }
      if (c === 36 && text.charCodeAt(pos + 1) === 123) {
        pos += 2;
        return true;
      }
      if (isNewLine(c)) break;
      pos++;
    }
    diagnostics.push({ start, end: pos, message: 'the string is not terminated (a single-quoted string ends on its line)' });
    return false;
  };

  /** The same for a `'''` string; `dollars` is 0 for a verbatim multi-line string. */
  const multiLinePiece = (start: number, dollars: number): boolean => {
    while (pos < n) {
      if (text.startsWith("'''", pos)) {
        pos += 3;
        // Quotes right before the closing ''' belong to the string.
        while (text.charCodeAt(pos) === 39) pos++;
        return false;
      }
      if (dollars > 0 && text.charCodeAt(pos) === 36) {
        let run = 0;
        while (text.charCodeAt(pos + run) === 36) run++;
        if (run >= dollars && text.charCodeAt(pos + run) === 123) {
          pos += run + 1;
          return true;
        }
        pos += run;
        continue;
      }
      pos++;
    }
    diagnostics.push({ start, end: pos, message: "the multi-line string is not terminated (missing ''')" });
    return false;
  };

  while (pos < n) {
    const start = pos;
    const c = text.charCodeAt(pos);
    if (c === 32 || c === 9 || c === 0xfeff || c === 0xa0) {
      // Indentation comes in runs.
      pos++;
      while (pos < n && (text.charCodeAt(pos) === 32 || text.charCodeAt(pos) === 9)) pos++;
      continue;
    }
    if (isNewLine(c)) {
      while (pos < n && isNewLine(text.charCodeAt(pos))) pos++;
      const length = pos - start;
      // One `\n` or `\r\n` is by far the most common: no slice at all.
      const shared =
        length === 1 && c === LF
          ? '\n'
          : length === 2 && c === CR && text.charCodeAt(start + 1) === LF
            ? '\r\n'
            : length <= 6
              ? LINE_BREAKS.get(text.slice(start, pos))
              : undefined;
      if (shared !== undefined) pushFixed('NewLine', start, shared);
      else push('NewLine', start);
      continue;
    }
    if (c === 47 && text.charCodeAt(pos + 1) === 47) {
      while (pos < n && !isNewLine(text.charCodeAt(pos))) pos++;
      comments.push({ start, end: pos, text: text.slice(start + 2, pos) });
      continue;
    }
    if (c === 47 && text.charCodeAt(pos + 1) === 42) {
      const close = text.indexOf('*/', pos + 2);
      pos = close < 0 ? n : close + 2;
      if (close < 0) diagnostics.push({ start, end: pos, message: 'the comment is not terminated (missing */)' });
      comments.push({ start, end: pos, text: text.slice(start + 2, close < 0 ? n : close) });
      continue;
    }
    if (c === 35 && /^#(disable-next-line|disable-diagnostics|restore-diagnostics)\b/.test(text.slice(pos, pos + 30))) {
      while (pos < n && !isNewLine(text.charCodeAt(pos))) pos++;
      comments.push({ start, end: pos, text: text.slice(start + 1, pos), directive: true });
      continue;
    }
    if (c === 39) {
      if (text.startsWith("'''", pos)) {
        pos += 3;
        multiLinePiece(start, 0);
        push('StringComplete', start);
      } else {
        pos++;
        const hole = singleLinePiece(start);
        push(hole ? 'StringLeftPiece' : 'StringComplete', start);
        if (hole) templates.push({ dollars: 0, multiline: false, depth: 0 });
      }
      continue;
    }
    if (c === 36) {
      let run = 0;
      while (text.charCodeAt(pos + run) === 36) run++;
      if (text.startsWith("'''", pos + run)) {
        pos += run + 3;
        const hole = multiLinePiece(start, run);
        push(hole ? 'StringLeftPiece' : 'StringComplete', start);
        if (hole) templates.push({ dollars: run, multiline: true, depth: 0 });
        continue;
      }
    }
    if (c === 123) {
      pos++;
      const top = templates[templates.length - 1];
      if (top) top.depth++;
      pushFixed('LeftBrace', start, '{');
      continue;
    }
    if (c === 125) {
      pos++;
      const top = templates[templates.length - 1];
      if (top && top.depth === 0) {
        const hole = top.multiline ? multiLinePiece(start, top.dollars) : singleLinePiece(start);
        if (!hole) templates.pop();
        push(hole ? 'StringMiddlePiece' : 'StringRightPiece', start);
        continue;
      }
      if (top) top.depth--;
      pushFixed('RightBrace', start, '}');
      continue;
    }
    if (isDigit(c)) {
      while (pos < n && isDigit(text.charCodeAt(pos))) pos++;
      push('Integer', start);
      continue;
    }
    if (isIdentStart(c)) {
      while (pos < n && isIdentPart(text.charCodeAt(pos))) pos++;
      const word = text.slice(start, pos);
      tokens.push(token(keywordKind(word), start, pos, word));
      continue;
    }
    // Punctuation: the longest operator wins (`...`, then two characters, then one).
    const single = c < 128 ? SINGLE_KIND[c] : undefined;
    if (single !== undefined) {
      const second = text.charCodeAt(pos + 1);
      if (c === 46 && second === 46 && text.charCodeAt(pos + 2) === 46) {
        pos += 3;
        pushFixed('Ellipsis', start, '...');
        continue;
      }
      const pair = second < 128 ? PAIR_KIND[(c << 7) | second] : undefined;
      if (pair !== undefined) {
        pos += 2;
        pushFixed(pair, start, PAIR_TEXT[(c << 7) | second]!);
      } else {
        pos += 1;
        pushFixed(single, start, SINGLE_TEXT[c]!);
      }
      continue;
    }
    if (c === 38 && text.charCodeAt(pos + 1) === 38) {
      pos += 2;
      push('LogicalAnd', start);
      continue;
    }
    pos++;
    // A surrogate pair is one character to the user.
    if (c >= 0xd800 && c <= 0xdbff && pos < n) pos++;
    // A run of the same stray character is one token and one diagnostic: a megabyte of `\`
    // would otherwise be a million of each (and seconds of parser recovery).
    else while (pos < n && text.charCodeAt(pos) === c) pos++;
    push('Unrecognized', start);
    diagnostics.push({
      start,
      end: pos,
      message: `unexpected character '${String.fromCodePoint(text.codePointAt(start)!)}'${pos - start > 2 ? ` (${(pos - start).toLocaleString('en-US')} times)` : ''}`,
    });
  }
  tokens.push(token('EndOfFile', n, n, ''));
  return { tokens, comments, diagnostics };
}

/**
 * The literal text of one string piece, escapes applied. `dollars` is how many `$` open a hole
 * in a multi-line string; the parser knows it, and whether the string is multi-line, from the
 * string's first piece (see multilineOpening).
 */
export function pieceValue(token: Token, multiline: boolean, dollars: number): string {
  let t = token.text;
  const closes = token.kind === 'StringComplete' || token.kind === 'StringRightPiece';
  if (!multiline) {
    t = t.slice(1);
    t = closes ? (t.endsWith("'") ? t.slice(0, -1) : t) : t.slice(0, -2);
    return unescape(t);
  }
  if (token.kind === 'StringComplete' || token.kind === 'StringLeftPiece') {
    t = t.slice(t.indexOf("'''") + 3);
    // A line break right after the opening quotes is not part of the value.
    if (t.startsWith('\r\n')) t = t.slice(2);
    else if (t.startsWith('\n')) t = t.slice(1);
  } else {
    t = t.slice(1);
  }
  return closes ? (t.endsWith("'''") ? t.slice(0, -3) : t) : t.slice(0, t.length - dollars - 1);
}

/** Whether a string token opens a multi-line string, and how many `$` open its holes. */
export function multilineOpening(token: Token): { multiline: boolean; dollars: number } {
  const t = token.text;
  let dollars = 0;
  while (t.charCodeAt(dollars) === 36) dollars++;
  return t.startsWith("'''", dollars) ? { multiline: true, dollars } : SINGLE_LINE;
}
const SINGLE_LINE = Object.freeze({ multiline: false, dollars: 0 });

function unescape(body: string): string {
  if (!body.includes('\\')) return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = body[++i];
    switch (next) {
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case '\\':
        out += '\\';
        break;
      case "'":
        out += "'";
        break;
      case '$':
        out += '$';
        break;
      case 'u': {
        const m = /^\{([0-9a-fA-F]{1,6})\}/.exec(body.slice(i + 1));
        if (m) {
          out += String.fromCodePoint(parseInt(m[1]!, 16));
          i += m[0].length;
        } else out += '\\u';
        break;
      }
      default:
        out += '\\' + (next ?? '');
    }
  }
  return out;
}
