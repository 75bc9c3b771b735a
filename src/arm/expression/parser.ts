import type { Expr } from './ast.js';
import { MAX_EXPRESSION_DEPTH } from './budget.js';

/**
 * Parser for ARM template expressions. Offsets in the tree and in errors are relative to
 * the whole JSON string value (so the `[` is offset 0), which lets callers turn them into
 * file positions.
 */
export class ExpressionSyntaxError extends Error {
  constructor(
    message: string,
    /** Offset within the string value where the problem is. */
    readonly offset: number,
  ) {
    super(message);
    this.name = 'ExpressionSyntaxError';
  }
}

/** Azure rejects longer expressions; so do we, before doing any work on them. */
export const MAX_EXPRESSION_LENGTH = 24_576;

/**
 * Tells whether a JSON string is an expression. `[[` escapes a literal `[`, and a string must
 * both start with `[` and end with `]` to be evaluated.
 */
export function isExpression(text: string): boolean {
  return text.length >= 2 && text.charCodeAt(0) === 91 /* [ */ && text.charCodeAt(1) !== 91 && text.charCodeAt(text.length - 1) === 93; /* ] */
}

/** The literal value of a string that is not an expression (`[[x]` -> `[x]`). */
export function unescapeLiteral(text: string): string {
  return text.startsWith('[[') ? text.slice(1) : text;
}

export function parseExpression(text: string): Expr {
  if (text.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionSyntaxError(`expression is ${text.length} characters long; the limit is ${MAX_EXPRESSION_LENGTH}`, 0);
  }
  const p = new Parser(text, 1, text.length - 1);
  p.skipSpace();
  const expr = p.parseExpr();
  p.skipSpace();
  if (p.pos !== p.end) p.fail(`unexpected '${text[p.pos]}'`);
  return expr;
}

class Parser {
  /** Calls, indexes and property reads open around the current position (the recursion depth). */
  private depth = 0;

  constructor(
    readonly text: string,
    public pos: number,
    readonly end: number,
  ) {}

  fail(message: string, at = this.pos): never {
    throw new ExpressionSyntaxError(message, at);
  }

  skipSpace(): void {
    while (this.pos < this.end && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  peek(): string | undefined {
    return this.pos < this.end ? this.text[this.pos] : undefined;
  }

  expect(ch: string): void {
    this.skipSpace();
    if (this.peek() !== ch)
      this.fail(this.peek() === undefined ? `expected '${ch}' before the end of the expression` : `expected '${ch}' but found '${this.peek()}'`);
    this.pos++;
  }

  parseExpr(): Expr {
    this.skipSpace();
    // Checked before recursing: the tree is walked recursively by the evaluator too.
    if (++this.depth > MAX_EXPRESSION_DEPTH) this.fail(`the expression nests more than ${MAX_EXPRESSION_DEPTH} levels deep`);
    try {
      return this.parsePostfix();
    } finally {
      this.depth--;
    }
  }

  private parsePostfix(): Expr {
    let expr = this.parsePrimary();
    // Member access and indexing may follow any primary: f().a.b[0]['c']. Each one wraps the tree
    // one level deeper (a.b.c.… is as deep as it is long), so each counts as a level.
    const outer = this.depth;
    try {
      for (;;) {
        this.skipSpace();
        const ch = this.peek();
        if (ch === '.' || ch === '[') {
          if (++this.depth > MAX_EXPRESSION_DEPTH) this.fail(`the expression nests more than ${MAX_EXPRESSION_DEPTH} levels deep`);
        }
        if (ch === '.') {
          this.pos++;
          this.skipSpace();
          const start = this.pos;
          const name = this.readIdentifier();
          if (!name) this.fail('expected a property name after "."', start);
          expr = { kind: 'property', object: expr, name, start: expr.start, end: this.pos };
        } else if (ch === '[') {
          this.pos++;
          const index = this.parseExpr();
          this.expect(']');
          expr = { kind: 'index', object: expr, index, start: expr.start, end: this.pos };
        } else {
          return expr;
        }
      }
    } finally {
      this.depth = outer;
    }
  }

  parsePrimary(): Expr {
    const start = this.pos;
    const ch = this.peek();
    if (ch === undefined) this.fail('expected an expression');
    if (ch === "'") return this.parseString();
    if (ch === '-' || ch === '+' || (ch >= '0' && ch <= '9')) return this.parseNumber();
    const name = this.readIdentifier();
    if (!name) this.fail(`unexpected '${ch}'`);
    this.skipSpace();
    if (this.peek() !== '(') {
      const lower = name.toLowerCase();
      if (lower === 'true' || lower === 'false') return { kind: 'literal', value: lower === 'true', start, end: this.pos };
      if (lower === 'null') return { kind: 'literal', value: null, start, end: this.pos };
      this.fail(`'${name}' must be followed by '(' (only function calls, strings, numbers, true, false and null are allowed)`, start);
    }
    this.pos++;
    const args: Expr[] = [];
    this.skipSpace();
    if (this.peek() === ')') {
      this.pos++;
    } else {
      for (;;) {
        args.push(this.parseExpr());
        this.skipSpace();
        const next = this.peek();
        if (next === ',') {
          this.pos++;
          continue;
        }
        if (next === ')') {
          this.pos++;
          break;
        }
        this.fail(next === undefined ? `missing ')' to close '${name}('` : `expected ',' or ')' but found '${next}'`);
      }
    }
    return { kind: 'call', name, args, start, end: this.pos };
  }

  readIdentifier(): string {
    const start = this.pos;
    // Function names may be namespaced (`ns.fn`, user-defined functions); '.' is taken here only
    // when followed by an identifier character and the identifier is then called.
    while (this.pos < this.end && /[A-Za-z0-9_$]/.test(this.text[this.pos]!)) this.pos++;
    if (this.pos > start && this.text[this.pos] === '.') {
      const save = this.pos;
      this.pos++;
      const rest = this.readIdentifierPart();
      let after = this.pos;
      while (after < this.end && /\s/.test(this.text[after]!)) after++;
      if (rest && this.text[after] === '(') return this.text.slice(start, this.pos);
      this.pos = save;
    }
    return this.text.slice(start, this.pos);
  }

  private readIdentifierPart(): string {
    const start = this.pos;
    while (this.pos < this.end && /[A-Za-z0-9_$]/.test(this.text[this.pos]!)) this.pos++;
    return this.text.slice(start, this.pos);
  }

  parseString(): Expr {
    const start = this.pos;
    this.pos++;
    let value = '';
    for (;;) {
      if (this.pos >= this.end) this.fail('unterminated string literal', start);
      const ch = this.text[this.pos]!;
      if (ch === "'") {
        if (this.text[this.pos + 1] === "'" && this.pos + 1 < this.end) {
          value += "'";
          this.pos += 2;
          continue;
        }
        this.pos++;
        return { kind: 'string', value, start, end: this.pos };
      }
      value += ch;
      this.pos++;
    }
  }

  parseNumber(): Expr {
    const start = this.pos;
    if (this.peek() === '-' || this.peek() === '+') this.pos++;
    const digitsStart = this.pos;
    while (this.pos < this.end && /[0-9]/.test(this.text[this.pos]!)) this.pos++;
    if (this.pos === digitsStart) this.fail('expected digits', start);
    if (this.peek() === '.') this.fail('only integer numbers are allowed in expressions', start);
    const value = Number(this.text.slice(start, this.pos));
    return { kind: 'number', value, start, end: this.pos };
  }
}
