/**
 * The Bicep parser: recursive descent over the lexer's tokens, following the pseudo-grammar of
 * docs/grammar.md (Azure/bicep) and docs/params-file-grammar.md, producing the same concrete
 * tree as the official compiler (test/bicep/parser-conformance.test.ts compares them).
 *
 * Error recovery: an unexpected token becomes a diagnostic and a SkippedTriviaSyntax node that
 * swallows the rest of the construct up to the line break (or the closing bracket), so one
 * mistake costs one declaration, never the rest of the file.
 */
import { lex, multilineOpening, pieceValue, type Comment, type Token, type TokenKind } from './lexer.js';
import type * as T from './tree.js';
import { isToken, type Child, type SyntaxNode } from './tree.js';

export interface ParseDiagnostic {
  start: number;
  end: number;
  message: string;
}

export interface ParseResult {
  program: T.Program;
  comments: Comment[];
  diagnostics: ParseDiagnostic[];
}

export interface ParseOptions {
  /** `.bicepparam` files: `using`, `extends` and `param name = value` assignments. */
  params?: boolean;
}

/**
 * A construct that does not parse; caught by error recovery, never shown. Built without a stack
 * trace: a file with many errors throws one per broken construct, and capturing the stack made
 * parsing such a file several times slower than parsing a clean one.
 */
class Failure extends Error {
  constructor() {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super('syntax error');
    Error.stackTraceLimit = limit;
  }
}

interface Chain {
  /** The level the chain's nodes are at, and the deepest level reached before the chain. */
  level: number;
  deepest: number;
  /** The height of the chain's tree so far. */
  height: number;
}
/** The empty list of every node that has none (no node's lists are changed after parsing). */
const NONE: never[] = [];
Object.freeze(NONE);

/** The deepest level reached before a chain (what chainStart saves). */
type ChainStart = number;

// Binary operators and their precedence (higher binds tighter); all associate to the left.
/** Binary operators' precedence (higher binds tighter), undefined for any other token. A switch: a record read by a token's kind was a keyed lookup per expression. */
function precedenceOf(kind: TokenKind): number | undefined {
  switch (kind) {
    case 'Asterisk':
    case 'Slash':
    case 'Modulo':
      return 100;
    case 'Plus':
    case 'Minus':
      return 90;
    case 'RightChevron':
    case 'GreaterThanOrEqual':
    case 'LeftChevron':
    case 'LessThanOrEqual':
      return 80;
    case 'Equals':
    case 'NotEquals':
    case 'EqualsInsensitive':
    case 'NotEqualsInsensitive':
      return 70;
    case 'LogicalAnd':
      return 50;
    case 'LogicalOr':
      return 40;
    case 'DoubleQuestion':
      return 30;
    default:
      return undefined;
  }
}

const CLOSERS = new Set<TokenKind>(['RightBrace', 'RightSquare', 'RightParen']);

/**
 * How deep expressions, types and nested resources may nest. Past it the construct is a
 * diagnostic and skipped: the parser, the lowering and the ARM evaluator all recurse over the
 * tree, and a stack overflow must never be how a deep file ends. No real file comes near it; a
 * file nested just under it still lowers and expands (test/bicep/robustness.test.ts).
 */
export const MAX_NESTING = 256;

/**
 * A declaration that fails after its first line is parsed again from that line (so it does not
 * swallow the next declarations), and every enclosing list that a failure unwinds to wraps what
 * it had read into a skipped node. Both are bounded by the size of the file, but a file of
 * unclosed brackets would pay them once per line (quadratic: 20,000 lines took minutes). Past
 * this much recovery work (in tokens) a failed declaration is skipped whole instead of parsed
 * again, which keeps the parser linear; ordinary files never come near it.
 */
const RECOVERY_BUDGET_BASE = 100_000;
const RECOVERY_BUDGET_PER_TOKEN = 8;

export function parseBicep(text: string, options: ParseOptions = {}): ParseResult {
  const lexed = lex(text);
  const parser = new Parser(lexed.tokens, options);
  const program = parser.program();
  const diagnostics = capped(dedupe([...lexed.diagnostics, ...parser.diagnostics].sort((a, b) => a.start - b.start)));
  return { program, comments: lexed.comments, diagnostics };
}

/** How many syntax errors of one file are reported; the rest are counted in one last diagnostic. */
export const MAX_SYNTAX_DIAGNOSTICS = 1_000;

/**
 * Garbage can make one diagnostic per token: millions for a large file, which no one reads and
 * which overflow the stack where they are spread into a call. The first ones are what helps.
 */
function capped(sorted: ParseDiagnostic[]): ParseDiagnostic[] {
  if (sorted.length <= MAX_SYNTAX_DIAGNOSTICS) return sorted;
  const kept = sorted.slice(0, MAX_SYNTAX_DIAGNOSTICS);
  const next = sorted[MAX_SYNTAX_DIAGNOSTICS]!;
  kept.push({
    start: next.start,
    end: next.end,
    message: `${(sorted.length - MAX_SYNTAX_DIAGNOSTICS).toLocaleString('en-US')} more syntax errors from here on are not shown (the first ${MAX_SYNTAX_DIAGNOSTICS.toLocaleString('en-US')} are)`,
  });
  return kept;
}

/** A declaration parsed again after a failure may report the same problem twice (sorted input). */
function dedupe(sorted: ParseDiagnostic[]): ParseDiagnostic[] {
  const out: ParseDiagnostic[] = [];
  const seen = new Set<string>();
  for (const d of sorted) {
    const key = `${d.start}:${d.end}:${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}

/**
 * A node's span is that of its children, or the empty span at `at` when it has none. Each node is
 * one object literal at its call site with its span computed there (kind first, then its span and
 * children, then its own fields): one object and one shape per call site. Building the fields apart
 * and copying them in (Object.assign, spreads) took a third of the parse and doubled its garbage;
 * filling in the span afterwards in a shared helper wrote to every node shape from one place (a
 * megamorphic store per field). Sites whose first and last children are named read their spans
 * directly.
 */
function startOf(children: readonly Child[], at: number): number {
  return children.length > 0 ? children[0]!.start : at;
}
function endOf(children: readonly Child[], at: number): number {
  return children.length > 0 ? children[children.length - 1]!.end : at;
}

/** The same, filled in after the literal: for the rare nodes whose children are parsed inside the literal. */
function spanned<N extends SyntaxNode>(n: N, at?: number): N {
  n.start = startOf(n.children, at ?? 0);
  n.end = endOf(n.children, n.start);
  return n;
}

/** For each token index, the index of the first token of its line. */
function lineStartsOf(tokens: readonly Token[]): Int32Array {
  const lineStarts = new Int32Array(tokens.length);
  let start = 0;
  for (let k = 0; k < tokens.length; k++) {
    lineStarts[k] = start;
    if (tokens[k]!.kind === 'NewLine') start = k + 1;
  }
  return lineStarts;
}

class Parser {
  readonly diagnostics: ParseDiagnostic[] = [];
  private i = 0;
  /**
   * The closing token each open bracket waits for, innermost last (an interpolation hole waits
   * for the rest of its string). Inside brackets a closing bracket also ends a broken construct;
   * one that no open bracket waits for is stray and skipped.
   */
  private readonly open: TokenKind[] = [];
  /** How deep the tree being built is here (see MAX_NESTING). */
  private level = 0;
  /** The deepest `level` reached since a postfix or operator chain started (its tree height). */
  private deepest = 0;
  /** Tokens read again or wrapped again by error recovery so far (see RECOVERY_BUDGET_BASE). */
  private recoveryWork = 0;
  private readonly recoveryBudget: number;
  /** For each token index, the index of the first token of its line; made at the first syntax error. */
  private lineStarts?: Int32Array;

  constructor(
    private readonly tokens: Token[],
    private readonly options: ParseOptions,
  ) {
    this.recoveryBudget = RECOVERY_BUDGET_BASE + RECOVERY_BUDGET_PER_TOKEN * tokens.length;
  }

  private get depth(): number {
    return this.open.length;
  }

  /** Whether an open bracket waits for this closing token (it then ends what is inside). */
  private closes(kind: TokenKind): boolean {
    return CLOSERS.has(kind) && this.open.includes(kind);
  }

  /** One level deeper into the tree; past MAX_NESTING the construct fails (and is skipped by recovery). */
  private enter(): void {
    if (++this.level > this.deepest) this.deepest = this.level;
    if (this.level > MAX_NESTING) this.tooDeep();
  }
  private leave(): void {
    this.level--;
  }
  private tooDeep(): never {
    const t = this.peek();
    this.diagnostics.push({ start: t.start, end: Math.max(t.end, t.start + 1), message: `this nests more than ${MAX_NESTING} levels deep` });
    throw new Failure();
  }

  /*
   * Chains (`a.b.c…`, `x[0][0]…`, `1 + 2 + …`, `int[][]…`) are built in a loop, yet each postfix or
   * operator wraps everything before it: the tree is as deep as the chain is long. A chain's node
   * is always at the level where the chain started; its other parts (an index, a right operand)
   * are parsed one level below it, and the chain's height is checked against MAX_NESTING.
   */
  private chainStart(): ChainStart {
    const deepest = this.deepest;
    this.deepest = this.level;
    return deepest;
  }
  /**
   * Before a postfix or operator: the parts it adds are parsed below the chain's level. The
   * chain's record is made at its first step (most expressions have none).
   */
  private chainStep(c: Chain | undefined, start: ChainStart): Chain {
    c ??= { level: this.level, deepest: start, height: this.deepest - this.level + 1 }; // the base
    this.level = c.level;
    this.deepest = c.level;
    return c;
  }
  /** After it: the new node is one taller than its tallest part. */
  private chainGrow(c: Chain): void {
    c.height = 1 + Math.max(c.height, this.deepest - c.level);
    if (c.level + c.height - 1 > MAX_NESTING) this.tooDeep();
  }
  private chainEnd(c: Chain | undefined, start: ChainStart): void {
    if (!c) {
      this.deepest = Math.max(start, this.deepest);
      return;
    }
    this.level = c.level;
    this.deepest = Math.max(c.deepest, c.level + c.height - 1);
  }

  /** Parser state that a failure unwinds past without restoring it itself. */
  private checkpoint(): { open: number; level: number; deepest: number } {
    return { open: this.open.length, level: this.level, deepest: this.deepest };
  }
  private restore(c: { open: number; level: number; deepest: number }): void {
    this.open.length = c.open;
    this.level = c.level;
    this.deepest = Math.max(c.deepest, this.deepest);
  }

  /**
   * Called when one turn of a list loop consumed nothing. The token is then a closing bracket:
   * one that an enclosing bracket waits for ends this list (its own closer is missing); a stray
   * one is skipped with a diagnostic. Returns whether the list ends. Every list loop calls it,
   * so no loop can turn without consuming input.
   */
  private stalled(children: Child[]): boolean {
    const t = this.peek();
    if (t.kind === 'EndOfFile' || this.closes(t.kind)) return true;
    this.diagnostics.push({ start: t.start, end: Math.max(t.end, t.start + 1), message: `unexpected '${t.text}'` });
    children.push(spanned<T.Skipped>({ kind: 'SkippedTriviaSyntax', start: 0, end: 0, children: [this.next()] }));
    return false;
  }

  private peek(k = 0): Token {
    // The stream always ends with EndOfFile; looking past it gives EndOfFile again.
    return this.tokens[this.i + k] ?? this.tokens[this.tokens.length - 1]!;
  }
  private at(kind: TokenKind): boolean {
    return this.peek().kind === kind;
  }
  private atKeyword(word: string): boolean {
    const t = this.peek();
    return t.kind === 'Identifier' && t.text === word;
  }
  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'EndOfFile') this.i++;
    return t;
  }
  private expect(kind: TokenKind, what: string): Token {
    if (this.at(kind)) return this.next();
    return this.fail(what);
  }
  private fail(what: string): never {
    const t = this.peek();
    this.diagnostics.push({
      start: t.start,
      end: Math.max(t.end, t.start + 1),
      message: `expected ${what}${t.kind === 'EndOfFile' ? ' before the end of the file' : t.kind === 'NewLine' ? ' before the end of the line' : ` but found '${t.text}'`}`,
    });
    throw new Failure();
  }

  /** Swallows tokens up to the end of the line (or an enclosing closing bracket) into one node. */
  private skipped(children: Child[] = []): T.Skipped {
    const at = this.peek().start;
    const stack: TokenKind[] = [];
    while (!this.at('EndOfFile')) {
      const t = this.peek();
      if (stack.length === 0 && t.kind === 'NewLine') break;
      if (stack.length === 0 && this.depth > 0 && (CLOSERS.has(t.kind) || t.kind === 'Comma')) break;
      if (t.kind === 'LeftBrace' || t.kind === 'LeftParen' || t.kind === 'LeftSquare') stack.push(t.kind);
      else if (CLOSERS.has(t.kind)) stack.pop();
      else if (t.kind === 'NewLine' && stack.length > 0 && this.depth === 0) {
        // An unclosed bracket on a broken line: stop at the line end anyway.
        break;
      }
      children.push(this.next());
    }
    // Always make progress: a stray closing bracket or comma is skipped on its own (but not a
    // bracket an enclosing one waits for: the enclosing list ends there).
    if (children.length === 0 && !this.at('NewLine') && !this.at('EndOfFile') && !this.closes(this.peek().kind)) children.push(this.next());
    return { kind: 'SkippedTriviaSyntax', start: startOf(children, at), end: endOf(children, at), children } satisfies T.Skipped;
  }

  /** Runs a parse step; on failure records what was consumed plus the rest of the line as skipped. */
  private recover<N extends SyntaxNode>(step: (this: Parser) => N): N | T.Skipped {
    // The state restored on failure, in locals, and the step a method called on this parser:
    // nothing allocated for the (usual) step that parses.
    const from = this.i;
    const open = this.open.length;
    const level = this.level;
    const deepest = this.deepest;
    try {
      return step.call(this);
    } catch (err) {
      if (!(err instanceof Failure)) throw err;
      this.open.length = open;
      this.level = level;
      this.deepest = Math.max(deepest, this.deepest);
      this.recoveryWork += this.i - from;
      return this.skipped(this.tokens.slice(from, this.i));
    }
  }

  // ---- program and declarations ----

  program(): T.Program {
    const children: Child[] = [];
    const statements: T.Statement[] = [];
    while (!this.at('EndOfFile')) {
      if (this.at('NewLine')) {
        children.push(this.next());
        continue;
      }
      const from = this.i;
      const state = this.checkpoint();
      const reported = this.diagnostics.length;
      try {
        const decl = this.declaration();
        children.push(decl);
        statements.push(decl);
        if (!this.at('NewLine') && !this.at('EndOfFile')) {
          this.fail('a new line after the declaration');
        }
      } catch (err) {
        if (!(err instanceof Failure)) throw err;
        this.restore(state);
        const consumed = this.tokens.slice(from, this.i);
        // A declaration broken on its first line must not swallow the next one: when the
        // failure came after a line break, resume at that line break (within the re-read budget).
        const lineBreak = consumed.findIndex((t) => t.kind === 'NewLine');
        const rereading = this.i - (from + lineBreak);
        if (lineBreak > 0 && rereading > 0 && this.recoveryWork + rereading <= this.recoveryBudget) {
          this.recoveryWork += rereading;
          const resumeAt = consumed[lineBreak]!.start;
          // What was reported past the line break is found again when those lines are parsed
          // again; the failure itself (the last report) stays, it says why the line is skipped.
          const failure = this.diagnostics[this.diagnostics.length - 1];
          const kept = this.diagnostics.slice(reported).filter((d) => d.start <= resumeAt || d === failure);
          this.diagnostics.length = reported;
          this.diagnostics.push(...kept);
          this.i = from + lineBreak;
          this.reportedLine = -1;
          children.push(spanned<T.Skipped>({ kind: 'SkippedTriviaSyntax', start: 0, end: 0, children: consumed.slice(0, lineBreak) }));
        } else children.push(this.skipped(consumed));
      }
      // Never turn without consuming input (a declaration that consumed nothing and left nothing to skip).
      if (this.i === from && !this.at('EndOfFile') && !this.at('NewLine'))
        children.push(spanned<T.Skipped>({ kind: 'SkippedTriviaSyntax', start: 0, end: 0, children: [this.next()] }));
    }
    children.push(this.next());
    const program = { kind: 'ProgramSyntax', start: startOf(children, 0), end: endOf(children, 0), children, statements } satisfies T.Program;
    program.start = 0;
    return program;
  }

  private decorators(children: Child[]): T.Decorator[] {
    const out: T.Decorator[] = [];
    while (this.at('At')) {
      const at = this.next();
      const call = this.recover(this.memberExpression);
      const d = { kind: 'DecoratorSyntax', start: at.start, end: call.end, children: [at, call], call: call as T.Expr } satisfies T.Decorator;
      out.push(d);
      children.push(d);
      // Usually one line break; a directive line between a decorator and its declaration makes two.
      while (this.at('NewLine')) children.push(this.next());
    }
    return out;
  }

  private declaration(): T.Statement {
    const children: Child[] = [];
    const decorators = this.decorators(children);
    const t = this.peek();
    const word = t.kind === 'Identifier' ? t.text : '';
    const ident = (): T.Identifier => this.identifierOr();
    switch (word) {
      case 'targetScope': {
        children.push(this.next(), this.expectOr('Assignment', "'='"));
        const value = this.valueOr();
        children.push(value);
        return { kind: 'TargetScopeSyntax', start: startOf(children, 0), end: endOf(children, 0), children, decorators, value } satisfies T.TargetScope;
      }
      case 'metadata': {
        children.push(this.next());
        const name = ident();
        children.push(name, this.expectOr('Assignment', "'='"));
        const value = this.valueOr();
        children.push(value);
        return {
          kind: 'MetadataDeclarationSyntax',
          start: startOf(children, 0),
          end: endOf(children, 0),
          children,
          decorators,
          name: name.name,
          value,
        } satisfies T.MetadataDeclaration;
      }
      case 'param': {
        children.push(this.next());
        const name = ident();
        children.push(name);
        if (this.options.params) {
          children.push(this.expectOr('Assignment', "'='"));
          const value = this.valueOr();
          children.push(value);
          return {
            kind: 'ParameterAssignmentSyntax',
            start: startOf(children, 0),
            end: endOf(children, 0),
            children,
            decorators,
            name: name.name,
            value,
          } satisfies T.ParameterAssignment;
        }
        let type: T.TypeNode | undefined;
        if (this.atKeyword('resource')) {
          const kw = this.next();
          const s = this.interpString();
          type = { kind: 'ResourceTypeSyntax', start: kw.start, end: s.end, children: [kw, s] } satisfies SyntaxNode;
        } else type = this.startsType() ? this.typeExpression() : this.placeholder('a type');
        children.push(type);
        let defaultValue: T.Expr | undefined;
        if (this.at('Assignment')) {
          const eq = this.next();
          defaultValue = this.expression();
          children.push({ kind: 'ParameterDefaultValueSyntax', start: eq.start, end: defaultValue.end, children: [eq, defaultValue] } satisfies SyntaxNode);
        }
        return {
          kind: 'ParameterDeclarationSyntax',
          start: startOf(children, 0),
          end: endOf(children, 0),
          children,
          decorators,
          name: name.name,
          nameNode: name,
          type,
          defaultValue,
        } satisfies T.ParameterDeclaration;
      }
      case 'var': {
        children.push(this.next());
        const name = ident();
        children.push(name);
        let type: T.TypeNode | undefined;
        if (!this.at('Assignment') && this.startsType()) {
          type = this.typeExpression();
          children.push(type);
        }
        children.push(this.expectOr('Assignment', "'='"));
        const value = this.valueOr();
        children.push(value);
        return {
          kind: 'VariableDeclarationSyntax',
          start: startOf(children, 0),
          end: endOf(children, 0),
          children,
          decorators,
          name: name.name,
          nameNode: name,
          type,
          value,
        } satisfies T.VariableDeclaration;
      }
      case 'resource':
      case 'module':
      case 'test': {
        children.push(this.next());
        const name = ident();
        children.push(name);
        // A missing type or path is a placeholder in the tree and absent from the declaration's fields.
        const typeString = this.at('StringComplete') || this.at('StringLeftPiece') ? this.interpString() : undefined;
        children.push(typeString ?? this.placeholder(word === 'module' ? 'the module path' : 'the resource type string'));
        let existing = false;
        if (word === 'resource' && this.atKeyword('existing')) {
          children.push(this.next());
          existing = true;
        }
        children.push(this.expectOr('Assignment', "'='"));
        this.newLinesInto(children);
        const value = this.declarationBody();
        children.push(value);
        if (word === 'module')
          return {
            kind: 'ModuleDeclarationSyntax',
            start: startOf(children, 0),
            end: endOf(children, 0),
            children,
            decorators,
            name: name.name,
            nameNode: name,
            path: typeString,
            value,
          } satisfies T.ModuleDeclaration;
        if (word === 'test')
          return { kind: 'TestDeclarationSyntax', start: startOf(children, 0), end: endOf(children, 0), children, decorators } satisfies T.OtherDeclaration;
        return {
          kind: 'ResourceDeclarationSyntax',
          start: startOf(children, 0),
          end: endOf(children, 0),
          children,
          decorators,
          name: name.name,
          nameNode: name,
          typeString,
          existing,
          value,
        } satisfies T.ResourceDeclaration;
      }
      case 'output': {
        children.push(this.next());
        const name = ident();
        children.push(name);
        let type: T.TypeNode | undefined;
        let resourceType: T.StringNode | undefined;
        if (this.atKeyword('resource')) {
          children.push(this.next());
          resourceType = this.interpString();
          children.push(resourceType);
        } else {
          type = this.startsType() ? this.typeExpression() : this.placeholder('a type');
          children.push(type);
        }
        children.push(this.expectOr('Assignment', "'='"));
        const value = this.valueOr();
        children.push(value);
        return {
          kind: 'OutputDeclarationSyntax',
          start: startOf(children, 0),
          end: endOf(children, 0),
          children,
          decorators,
          name: name.name,
          nameNode: name,
          type,
          resourceType,
          value,
        } satisfies T.OutputDeclaration;
      }
      case 'type': {
        children.push(this.next());
        const name = ident();
        children.push(name, this.expectOr('Assignment', "'='"));
        const value = this.typeExpression();
        children.push(value);
        return {
          kind: 'TypeDeclarationSyntax',
          start: startOf(children, 0),
          end: endOf(children, 0),
          children,
          decorators,
          name: name.name,
          value,
        } satisfies T.TypeDeclaration;
      }
      case 'func': {
        children.push(this.next());
        const name = ident();
        children.push(name);
        const lambda = this.typedLambda();
        children.push(lambda);
        return {
          kind: 'FunctionDeclarationSyntax',
          start: startOf(children, 0),
          end: endOf(children, 0),
          children,
          decorators,
          name: name.name,
          lambda,
        } satisfies T.FunctionDeclaration;
      }
      case 'assert': {
        children.push(this.next());
        children.push(ident(), this.expectOr('Assignment', "'='"), this.expression());
        return { kind: 'AssertDeclarationSyntax', start: startOf(children, 0), end: endOf(children, 0), children, decorators } satisfies T.OtherDeclaration;
      }
      case 'import':
        return this.importDeclaration(children, decorators);
      case 'extension':
      case 'provider':
        return this.extensionDeclaration(children, decorators);
      case 'using':
      case 'extends': {
        children.push(this.next());
        let path: T.StringNode | undefined;
        if (this.atKeyword('none')) children.push(this.next());
        else {
          path = this.interpString();
          children.push(path);
        }
        if (word === 'using') {
          // `using 'main.bicep' with { … }` (deployment configuration) keeps its clause.
          if (this.atKeyword('with')) {
            const w = this.next();
            children.push(spanned<SyntaxNode>({ kind: 'UsingWithClauseSyntax', start: 0, end: 0, children: [w, this.object()] }));
          }
          return {
            kind: 'UsingDeclarationSyntax',
            start: startOf(children, 0),
            end: endOf(children, 0),
            children,
            decorators,
            path,
          } satisfies T.UsingDeclaration;
        }
        return {
          kind: 'ExtendsDeclarationSyntax',
          start: startOf(children, 0),
          end: endOf(children, 0),
          children,
          decorators,
          path,
        } satisfies T.ExtendsDeclaration;
      }
    }
    if (decorators.length > 0 && (this.at('NewLine') || this.at('EndOfFile'))) {
      return { kind: 'MissingDeclarationSyntax', start: startOf(children, 0), end: endOf(children, 0), children, decorators } satisfies T.OtherDeclaration;
    }
    return this.fail('a declaration (param, var, resource, module, output, type, func, import, metadata, targetScope)');
  }

  private importDeclaration(children: Child[], decorators: T.Decorator[]): T.ImportDeclaration {
    children.push(this.next());
    let symbols: { name: string; alias: string }[] | undefined;
    let wildcardAlias: string | undefined;
    if (this.at('Asterisk')) {
      const star = this.next();
      const alias = this.aliasClause();
      wildcardAlias = alias.name;
      children.push({ kind: 'WildcardImportSyntax', start: star.start, end: alias.node.end, children: [star, alias.node] } satisfies SyntaxNode);
    } else {
      const list: Child[] = [this.expect('LeftBrace', "'{'")];
      symbols = [];
      this.open.push('RightBrace');
      while (!this.at('RightBrace') && !this.at('EndOfFile')) {
        if (this.at('NewLine') || this.at('Comma')) {
          list.push(this.next());
          continue;
        }
        if (CLOSERS.has(this.peek().kind)) {
          if (this.stalled(list)) break;
          continue;
        }
        const original = this.at('Identifier') ? this.identifier() : this.interpString();
        const item: Child[] = [original];
        const name = original.kind === 'IdentifierSyntax' ? (original as T.Identifier).name : ((original as T.StringNode).segments[0] ?? '');
        let alias = name;
        if (this.atKeyword('as')) {
          const a = this.aliasClause();
          alias = a.name;
          item.push(a.node);
        }
        symbols.push({ name, alias });
        list.push({ kind: 'ImportedSymbolsListItemSyntax', start: startOf(item, 0), end: endOf(item, 0), children: item } satisfies SyntaxNode);
      }
      this.open.pop();
      list.push(this.expect('RightBrace', "'}'"));
      children.push({ kind: 'ImportedSymbolsListSyntax', start: startOf(list, 0), end: endOf(list, 0), children: list } satisfies SyntaxNode);
    }
    let from: T.StringNode | undefined;
    if (this.atKeyword('from')) {
      const kw = this.next();
      from = this.interpString();
      children.push({ kind: 'CompileTimeImportFromClauseSyntax', start: kw.start, end: from.end, children: [kw, from] } satisfies SyntaxNode);
    }
    return {
      kind: 'CompileTimeImportDeclarationSyntax',
      start: startOf(children, 0),
      end: endOf(children, 0),
      children,
      decorators,
      symbols,
      wildcardAlias,
      from,
    } satisfies T.ImportDeclaration;
  }

  private aliasClause(): { name: string; node: SyntaxNode } {
    const as = this.next();
    const id = this.identifier();
    return { name: id.name, node: { kind: 'AliasAsClauseSyntax', start: as.start, end: id.end, children: [as, id] } satisfies SyntaxNode };
  }

  private extensionDeclaration(children: Child[], decorators: T.Decorator[]): T.ExtensionDeclaration {
    children.push(this.next());
    children.push(this.at('Identifier') ? this.identifier() : this.interpString());
    // The official tree holds an empty placeholder for each clause that is absent.
    const absent = () => ({ kind: 'SkippedTriviaSyntax', start: this.peek().start, end: this.peek().start, children: [] }) satisfies T.Skipped;
    if (this.atKeyword('with')) {
      const w = this.next();
      children.push(spanned<SyntaxNode>({ kind: 'ExtensionWithClauseSyntax', start: 0, end: 0, children: [w, this.object()] }));
    } else children.push(absent());
    children.push(this.atKeyword('as') ? this.aliasClause().node : absent());
    return { kind: 'ExtensionDeclarationSyntax', start: startOf(children, 0), end: endOf(children, 0), children, decorators } satisfies T.ExtensionDeclaration;
  }

  /** The value of a resource or module: an object, `if (…) {…}` or a `[for …]` loop. */
  private declarationBody(): T.Expr {
    // Nested resources recurse here without passing through expression().
    this.enter();
    let body: T.Expr;
    if (this.atKeyword('if')) body = this.ifCondition();
    else if (this.at('LeftSquare')) body = this.forOrArray();
    else if (this.at('LeftBrace')) body = this.object();
    else body = this.placeholder("'{', 'if' or '[for'");
    this.leave();
    return body;
  }

  // ---- recovery inside a declaration (the compiler's shape) ----
  // A missing part of a declaration becomes an empty SkippedTriviaSyntax where it should be; an
  // unexpected token swallows the rest of the line into one. Only the first problem of a line
  // is reported: the rest follows from it.

  /** Whether the current line is over (or the enclosing bracket closes). */
  private atLineEnd(): boolean {
    const k = this.peek().kind;
    return k === 'NewLine' || k === 'EndOfFile' || (this.depth > 0 && CLOSERS.has(k));
  }

  private placeholder(what: string): T.Skipped {
    const t = this.peek();
    if (this.reportedLine !== this.currentLine()) {
      this.reportedLine = this.currentLine();
      this.diagnostics.push({
        start: t.start,
        end: Math.max(t.end, t.start + 1),
        message: `expected ${what}${t.kind === 'EndOfFile' ? ' before the end of the file' : t.kind === 'NewLine' ? ' before the end of the line' : ` but found '${t.text}'`}`,
      });
    }
    if (this.atLineEnd()) return { kind: 'SkippedTriviaSyntax', start: t.start, end: t.start, children: [] } satisfies T.Skipped;
    return this.skipped();
  }

  private reportedLine = -1;
  /** The index of the first token of the current token's line: enough to tell lines apart. */
  private currentLine(): number {
    const lineStarts = (this.lineStarts ??= lineStartsOf(this.tokens));
    return lineStarts[Math.min(this.i, lineStarts.length - 1)]!;
  }

  private expectOr(kind: TokenKind, what: string): Child {
    return this.at(kind) ? this.next() : this.placeholder(what);
  }

  private identifierOr(): T.Identifier {
    const t = this.peek();
    if (t.kind === 'Identifier' || t.kind === 'TrueKeyword' || t.kind === 'FalseKeyword' || t.kind === 'NullKeyword') return this.identifier();
    const skipped = this.placeholder('an identifier');
    return { kind: 'IdentifierSyntax', start: skipped.start, end: skipped.end, children: [skipped], name: '' } satisfies T.Identifier;
  }

  private valueOr(): T.Expr {
    return this.atLineEnd() ? this.missing() : this.expression();
  }

  /** Whether a type expression can start here. */
  private startsType(): boolean {
    switch (this.peek().kind) {
      case 'Identifier':
      case 'StringComplete':
      case 'StringLeftPiece':
      case 'Integer':
      case 'TrueKeyword':
      case 'FalseKeyword':
      case 'NullKeyword':
      case 'LeftBrace':
      case 'LeftSquare':
      case 'LeftParen':
      case 'Minus':
      case 'Exclamation':
      case 'Pipe':
        return true;
      default:
        // A union written over lines, each member on its own line after `|` (`param p` then `| 'A'`).
        return this.continuesWith('Pipe');
    }
  }

  private ifCondition(): T.IfCondition {
    const kw = this.next();
    const cond = this.parenthesized();
    const body = this.at('LeftBrace') ? this.object() : (this.fail("'{'") as never);
    return { kind: 'IfConditionSyntax', start: kw.start, end: body.end, children: [kw, cond, body], condition: cond.inner, body } satisfies T.IfCondition;
  }

  private identifier(): T.Identifier {
    const t = this.peek();
    if (t.kind === 'Identifier' || t.kind === 'TrueKeyword' || t.kind === 'FalseKeyword' || t.kind === 'NullKeyword') {
      this.next();
      return { kind: 'IdentifierSyntax', start: t.start, end: t.end, children: [t], name: t.text } satisfies T.Identifier;
    }
    return this.fail('an identifier');
  }

  // ---- expressions ----

  expression(): T.Expr {
    this.enter();
    const e = this.ternary();
    this.leave();
    return e;
  }

  private ternary(): T.Expr {
    const cond = this.binary(0);
    // A ternary may break its line before or after `?` and `:`.
    if (!this.at('Question') && !this.continuesWith('Question')) return cond;
    const children: Child[] = [cond];
    this.newLinesInto(children);
    children.push(this.next());
    this.newLinesInto(children);
    const whenTrue = this.expression();
    children.push(whenTrue);
    this.newLinesInto(children);
    children.push(this.expect('Colon', "':'"));
    this.newLinesInto(children);
    const whenFalse = this.expression();
    children.push(whenFalse);
    return {
      kind: 'TernaryOperationSyntax',
      start: startOf(children, 0),
      end: endOf(children, 0),
      children,
      condition: cond,
      whenTrue,
      whenFalse,
    } satisfies T.TernaryOperation;
  }

  /** Whether the next token after one or more line breaks is `kind`. */
  private continuesWith(kind: TokenKind): boolean {
    if (!this.at('NewLine')) return false;
    let k = 1;
    while (this.peek(k).kind === 'NewLine') k++;
    return this.peek(k).kind === kind;
  }

  private newLinesInto(children: Child[]): void {
    while (this.at('NewLine')) children.push(this.next());
  }

  private binary(minPrecedence: number): T.Expr {
    const start = this.chainStart();
    let chain: Chain | undefined;
    let left = this.unary();
    for (;;) {
      const op = this.peek();
      const precedence = precedenceOf(op.kind);
      if (precedence === undefined || precedence <= minPrecedence) break;
      chain = this.chainStep(chain, start);
      this.next();
      this.enter();
      const right = this.at('NewLine') || this.at('EndOfFile') ? this.missing() : this.binary(precedence);
      this.leave();
      left = {
        kind: 'BinaryOperationSyntax',
        start: left.start,
        end: right.end,
        children: [left, op, right],
        operator: op.text,
        left,
        right,
      } satisfies T.BinaryOperation;
      this.chainGrow(chain);
    }
    this.chainEnd(chain, start);
    return left;
  }

  private missing(): T.Skipped {
    const t = this.peek();
    if (this.reportedLine !== this.currentLine()) {
      this.reportedLine = this.currentLine();
      this.diagnostics.push({ start: t.start, end: t.start + 1, message: 'expected an expression' });
    }
    return { kind: 'SkippedTriviaSyntax', start: t.start, end: t.start, children: [] } satisfies T.Skipped;
  }

  private unary(): T.Expr {
    const t = this.peek();
    if (t.kind === 'Exclamation' || t.kind === 'Minus' || t.kind === 'Plus') {
      this.enter();
      this.next();
      const operand = this.unary();
      this.leave();
      return { kind: 'UnaryOperationSyntax', start: t.start, end: operand.end, children: [t, operand], operator: t.text, operand } satisfies T.UnaryOperation;
    }
    return this.memberExpression();
  }

  private memberExpression(): T.Expr {
    const start = this.chainStart();
    let chain: Chain | undefined;
    let base = this.primary();
    for (;;) {
      const t = this.peek();
      if (t.kind === 'LeftSquare' || t.kind === 'Dot' || t.kind === 'DoubleColon' || t.kind === 'Exclamation') chain = this.chainStep(chain, start);
      else break;
      if (t.kind === 'LeftSquare') {
        const children: Child[] = [base, this.next()];
        let safe = false;
        let fromEnd = false;
        if (this.at('Question')) {
          children.push(this.next());
          safe = true;
        }
        if (this.at('Hat')) {
          children.push(this.next());
          fromEnd = true;
        }
        this.open.push('RightSquare');
        const index = this.expression();
        this.open.pop();
        children.push(index, this.expect('RightSquare', "']'"));
        base = {
          kind: 'ArrayAccessSyntax',
          start: startOf(children, 0),
          end: endOf(children, 0),
          children,
          base,
          index,
          safe,
          fromEnd,
        } satisfies T.ArrayAccess;
      } else if (t.kind === 'Dot') {
        const children: Child[] = [base, this.next()];
        let safe = false;
        if (this.at('Question')) {
          children.push(this.next());
          safe = true;
        }
        const name = this.identifier();
        if (!safe && this.at('LeftParen')) {
          const args = this.argumentList(children, name);
          base = {
            kind: 'InstanceFunctionCallSyntax',
            start: startOf(children, 0),
            end: endOf(children, 0),
            children,
            base,
            name: name.name,
            args,
          } satisfies T.InstanceFunctionCall;
        } else {
          children.push(name);
          base = {
            kind: 'PropertyAccessSyntax',
            start: startOf(children, 0),
            end: endOf(children, 0),
            children,
            base,
            name: name.name,
            safe,
          } satisfies T.PropertyAccess;
        }
      } else if (t.kind === 'DoubleColon') {
        const colon = this.next();
        const name = this.identifier();
        base = {
          kind: 'ResourceAccessSyntax',
          start: base.start,
          end: name.end,
          children: [base, colon, name],
          base,
          name: name.name,
        } satisfies T.ResourceAccess;
      } else if (t.kind === 'Exclamation') {
        const bang = this.next();
        base = { kind: 'NonNullAssertionSyntax', start: base.start, end: bang.end, children: [base, bang], base } satisfies T.NonNullAssertion;
      } else break;
      this.chainGrow(chain);
    }
    this.chainEnd(chain, start);
    return base;
  }

  /** `(args)` after a function name: arguments, commas and line breaks go into `children`. */
  private argumentList(children: Child[], name: T.Identifier): T.Expr[] {
    children.push(name, this.next());
    const args: T.Expr[] = [];
    this.open.push('RightParen');
    while (!this.at('RightParen') && !this.at('EndOfFile')) {
      if (this.at('NewLine') || this.at('Comma')) {
        children.push(this.next());
        continue;
      }
      const before = this.i;
      const value = this.recover(this.expression);
      if (this.i === before) {
        if (this.stalled(children)) break;
        continue;
      }
      args.push(value as T.Expr);
      children.push({ kind: 'FunctionArgumentSyntax', start: value.start, end: value.end, children: [value] } satisfies SyntaxNode);
    }
    this.open.pop();
    children.push(this.expect('RightParen', "')'"));
    return args;
  }

  private primary(): T.Expr {
    const t = this.peek();
    switch (t.kind) {
      case 'Identifier': {
        if (this.peek(1).kind === 'Arrow') {
          const id = this.identifier();
          const local = { kind: 'LocalVariableSyntax', start: id.start, end: id.end, children: [id] } satisfies SyntaxNode;
          const children: Child[] = [local, this.next()];
          this.newLinesInto(children);
          const body = this.expression();
          children.push(body);
          return { kind: 'LambdaSyntax', start: startOf(children, 0), end: endOf(children, 0), children, parameters: [id.name], body } satisfies T.Lambda;
        }
        const id = this.identifier();
        if (this.at('LeftParen')) {
          const children: Child[] = [];
          const args = this.argumentList(children, id);
          return { kind: 'FunctionCallSyntax', start: startOf(children, 0), end: endOf(children, 0), children, name: id.name, args } satisfies T.FunctionCall;
        }
        return { kind: 'VariableAccessSyntax', start: id.start, end: id.end, children: [id], name: id.name } satisfies T.VariableAccess;
      }
      case 'Integer':
        this.next();
        return { kind: 'IntegerLiteralSyntax', start: t.start, end: t.end, children: [t], text: t.text } satisfies T.IntegerNode;
      case 'TrueKeyword':
      case 'FalseKeyword':
        this.next();
        return { kind: 'BooleanLiteralSyntax', start: t.start, end: t.end, children: [t], value: t.kind === 'TrueKeyword' } satisfies T.BooleanNode;
      case 'NullKeyword':
        this.next();
        return { kind: 'NullLiteralSyntax', start: t.start, end: t.end, children: [t] } satisfies T.NullNode;
      case 'StringComplete':
      case 'StringLeftPiece':
        return this.interpString();
      case 'LeftBrace':
        return this.object();
      case 'LeftSquare':
        return this.forOrArray();
      case 'LeftParen':
        return this.isLambdaAhead() ? this.lambdaWithBlock() : this.parenthesized();
      case 'NewLine':
      case 'EndOfFile':
        return this.missing();
      default:
        // A bracket an enclosing one waits for ends this (missing) expression; a stray one is skipped below.
        if (this.closes(t.kind)) return this.missing();
        this.diagnostics.push({ start: t.start, end: t.end, message: `unexpected '${t.text}': expected an expression` });
        return this.skipped();
    }
  }

  /** Whether `(` starts a lambda's parameter list: `(a, b) =>`. */
  private isLambdaAhead(): boolean {
    let k = 1;
    for (;;) {
      const t = this.peek(k);
      if (t.kind === 'RightParen') return this.peek(k + 1).kind === 'Arrow';
      if (t.kind !== 'Identifier' && t.kind !== 'Comma' && t.kind !== 'NewLine') return false;
      k++;
    }
  }

  private lambdaWithBlock(): T.Lambda {
    const block: Child[] = [this.next()];
    const parameters: string[] = [];
    while (!this.at('RightParen') && !this.at('EndOfFile')) {
      if (this.at('Comma') || this.at('NewLine')) {
        block.push(this.next());
        continue;
      }
      const id = this.identifier();
      parameters.push(id.name);
      block.push({ kind: 'LocalVariableSyntax', start: id.start, end: id.end, children: [id] } satisfies SyntaxNode);
    }
    block.push(this.expect('RightParen', "')'"));
    const vars = { kind: 'VariableBlockSyntax', start: startOf(block, 0), end: endOf(block, 0), children: block } satisfies SyntaxNode;
    const children: Child[] = [vars, this.expect('Arrow', "'=>'")];
    this.newLinesInto(children);
    const body = this.expression();
    children.push(body);
    return { kind: 'LambdaSyntax', start: startOf(children, 0), end: endOf(children, 0), children, parameters, body } satisfies T.Lambda;
  }

  private parenthesized(): T.Parenthesized {
    const open = this.expect('LeftParen', "'('");
    const children: Child[] = [open];
    this.open.push('RightParen');
    while (this.at('NewLine')) children.push(this.next());
    const inner = this.expression();
    children.push(inner);
    while (this.at('NewLine')) children.push(this.next());
    this.open.pop();
    children.push(this.expect('RightParen', "')'"));
    return { kind: 'ParenthesizedExpressionSyntax', start: startOf(children, 0), end: endOf(children, 0), children, inner } satisfies T.Parenthesized;
  }

  interpString(): T.StringNode {
    const first = this.peek();
    if (first.kind !== 'StringComplete' && first.kind !== 'StringLeftPiece') return this.fail('a string');
    this.next();
    const { multiline, dollars } = multilineOpening(first);
    const children: Child[] = [first];
    const segments = [pieceValue(first, multiline, dollars)];
    let holes: T.Expr[] = NONE;
    if (first.kind === 'StringLeftPiece') {
      holes = [];
      // The hole waits for the rest of its string, not for a bracket.
      this.open.push('StringRightPiece');
      for (;;) {
        const hole = this.expression();
        holes.push(hole);
        children.push(hole);
        const piece = this.peek();
        if (piece.kind !== 'StringMiddlePiece' && piece.kind !== 'StringRightPiece') {
          this.open.pop();
          return this.fail("'}' to close the interpolation");
        }
        this.next();
        children.push(piece);
        segments.push(pieceValue(piece, multiline, dollars));
        if (piece.kind === 'StringRightPiece') break;
      }
      this.open.pop();
    }
    return { kind: 'StringSyntax', start: startOf(children, 0), end: endOf(children, 0), children, segments, holes } satisfies T.StringNode;
  }

  object(): T.ObjectNode {
    const open = this.expect('LeftBrace', "'{'");
    if (this.at('RightBrace')) {
      // `{}`: its two tokens, and no list of its own (a stress test of 17,000 of them spent half its time collecting garbage).
      const close = this.next();
      return { kind: 'ObjectSyntax', start: open.start, end: close.end, children: [open, close], properties: NONE, resources: NONE };
    }
    const children: Child[] = [open];
    const properties: (T.ObjectProperty | T.Spread)[] = [];
    let nested: T.ResourceDeclaration[] | undefined;
    this.open.push('RightBrace');
    while (!this.at('RightBrace') && !this.at('EndOfFile')) {
      if (this.at('NewLine') || this.at('Comma')) {
        children.push(this.next());
        continue;
      }
      const before = this.i;
      if (this.at('At') || (this.atKeyword('resource') && this.peek(1).kind === 'Identifier')) {
        // A child resource declared inside its parent's body.
        const decl = this.recover(this.declaration);
        children.push(decl);
        if (decl.kind === 'ResourceDeclarationSyntax') (nested ??= []).push(decl as T.ResourceDeclaration);
      } else {
        const p = this.recover(this.objectProperty);
        if (this.i === before) {
          if (this.stalled(children)) break;
          continue;
        }
        if (p.kind !== 'SkippedTriviaSyntax') properties.push(p as T.ObjectProperty | T.Spread);
        children.push(p);
      }
      if (this.i === before && this.stalled(children)) break;
    }
    this.open.pop();
    children.push(this.expect('RightBrace', "'}'"));
    return {
      kind: 'ObjectSyntax',
      start: startOf(children, 0),
      end: endOf(children, 0),
      children,
      properties,
      resources: nested ?? NONE,
    } satisfies T.ObjectNode;
  }

  private objectProperty(): T.ObjectProperty | T.Spread {
    if (this.at('Ellipsis')) {
      const dots = this.next();
      const value = this.expression();
      return { kind: 'SpreadExpressionSyntax', start: dots.start, end: value.end, children: [dots, value], value } satisfies T.Spread;
    }
    const keyNode: SyntaxNode = this.at('StringComplete') || this.at('StringLeftPiece') ? this.interpString() : this.identifier();
    const key =
      keyNode.kind === 'IdentifierSyntax'
        ? (keyNode as T.Identifier).name
        : (keyNode as T.StringNode).holes.length === 0
          ? (keyNode as T.StringNode).segments[0]
          : undefined;
    const colon = this.expect('Colon', "':'");
    const value = this.expression();
    return {
      kind: 'ObjectPropertySyntax',
      start: keyNode.start,
      end: value.end,
      children: [keyNode, colon, value],
      key,
      keyNode,
      value,
    } satisfies T.ObjectProperty;
  }

  private forOrArray(): T.Expr {
    let k = 1;
    while (this.peek(k).kind === 'NewLine') k++;
    const t = this.peek(k);
    if (t.kind === 'Identifier' && t.text === 'for') return this.forExpression();
    return this.array();
  }

  private array(): T.ArrayNode {
    const children: Child[] = [this.next()];
    const items: (T.ArrayItem | T.Spread)[] = [];
    this.open.push('RightSquare');
    while (!this.at('RightSquare') && !this.at('EndOfFile')) {
      if (this.at('NewLine') || this.at('Comma')) {
        children.push(this.next());
        continue;
      }
      if (this.at('Ellipsis')) {
        const dots = this.next();
        const value = this.expression();
        const spread = { kind: 'SpreadExpressionSyntax', start: dots.start, end: value.end, children: [dots, value], value } satisfies T.Spread;
        items.push(spread);
        children.push(spread);
        continue;
      }
      const before = this.i;
      const value = this.recover(this.expression) as T.Expr;
      if (this.i === before) {
        if (this.stalled(children)) break;
        continue;
      }
      const item = { kind: 'ArrayItemSyntax', start: value.start, end: value.end, children: [value], value } satisfies T.ArrayItem;
      items.push(item);
      children.push(item);
    }
    this.open.pop();
    children.push(this.expect('RightSquare', "']'"));
    return { kind: 'ArraySyntax', start: startOf(children, 0), end: endOf(children, 0), children, items } satisfies T.ArrayNode;
  }

  private forExpression(): T.ForNode {
    const children: Child[] = [this.next()];
    this.open.push('RightSquare');
    while (this.at('NewLine')) children.push(this.next());
    children.push(this.next()); // `for`
    let item: string | undefined;
    let index: string | undefined;
    if (this.at('LeftParen')) {
      const block: Child[] = [this.next()];
      const names: string[] = [];
      while (!this.at('RightParen') && !this.at('EndOfFile')) {
        if (this.at('Comma')) {
          block.push(this.next());
          continue;
        }
        const id = this.identifier();
        names.push(id.name);
        block.push({ kind: 'LocalVariableSyntax', start: id.start, end: id.end, children: [id] } satisfies SyntaxNode);
      }
      block.push(this.expect('RightParen', "')'"));
      [item, index] = names;
      children.push({ kind: 'VariableBlockSyntax', start: startOf(block, 0), end: endOf(block, 0), children: block } satisfies SyntaxNode);
    } else {
      const id = this.identifier();
      item = id.name;
      children.push({ kind: 'LocalVariableSyntax', start: id.start, end: id.end, children: [id] } satisfies SyntaxNode);
    }
    if (!this.atKeyword('in')) this.fail("'in'");
    children.push(this.next());
    const iterable = this.expression();
    children.push(iterable, this.expect('Colon', "':'"));
    const body: T.Expr | T.IfCondition = this.atKeyword('if') ? this.ifCondition() : this.expression();
    children.push(body);
    while (this.at('NewLine')) children.push(this.next());
    this.open.pop();
    children.push(this.expect('RightSquare', "']'"));
    return { kind: 'ForSyntax', start: startOf(children, 0), end: endOf(children, 0), children, item, index, iterable, body } satisfies T.ForNode;
  }

  // ---- types ----

  typeExpression(): T.TypeNode {
    this.enter();
    const type = this.unionType();
    this.leave();
    return type;
  }

  private unionType(): T.TypeNode {
    // The line breaks before a leading `|` belong to the union (`storageAccountType:` then `| 'A'` lines).
    const leading: Child[] = [];
    if (this.continuesWith('Pipe')) this.newLinesInto(leading);
    const leadingPipe = this.at('Pipe') ? this.next() : undefined;
    const first = this.singularType();
    if (!leadingPipe && !this.at('Pipe') && !this.continuesWith('Pipe')) return first;
    const children: Child[] = leading;
    if (leadingPipe) children.push(leadingPipe);
    children.push({ kind: 'UnionTypeMemberSyntax', start: first.start, end: first.end, children: [first] } satisfies SyntaxNode);
    while (this.at('Pipe') || this.continuesWith('Pipe')) {
      while (this.at('NewLine')) children.push(this.next());
      children.push(this.next());
      while (this.at('NewLine')) children.push(this.next());
      children.push(spanned<SyntaxNode>({ kind: 'UnionTypeMemberSyntax', start: 0, end: 0, children: [this.singularType()] }));
    }
    return { kind: 'UnionTypeSyntax', start: startOf(children, 0), end: endOf(children, 0), children } satisfies SyntaxNode;
  }

  private singularType(): T.TypeNode {
    const start = this.chainStart();
    let chain: Chain | undefined;
    let type = this.primaryType();
    for (;;) {
      if (this.at('LeftSquare') || this.at('Question') || this.at('Exclamation') || this.at('Dot')) chain = this.chainStep(chain, start);
      else break;
      if (this.at('LeftSquare') && this.peek(1).kind === 'RightSquare') {
        const member = { kind: 'ArrayTypeMemberSyntax', start: type.start, end: type.end, children: [type] } satisfies SyntaxNode;
        type = spanned<SyntaxNode>({ kind: 'ArrayTypeSyntax', start: 0, end: 0, children: [member, this.next(), this.next()] });
      } else if (this.at('LeftSquare')) {
        const open = this.next();
        if (this.at('Asterisk'))
          type = spanned<SyntaxNode>({
            kind: 'TypeItemsAccessSyntax',
            start: 0,
            end: 0,
            children: [type, open, this.next(), this.expect('RightSquare', "']'")],
          });
        else {
          const index = this.expect('Integer', 'an index');
          type = spanned<SyntaxNode>({
            kind: 'TypeArrayAccessSyntax',
            start: 0,
            end: 0,
            children: [
              type,
              open,
              spanned<T.IntegerNode>({ kind: 'IntegerLiteralSyntax', start: 0, end: 0, children: [index], text: index.text }),
              this.expect('RightSquare', "']'"),
            ],
          });
        }
      } else if (this.at('Question')) {
        type = spanned<SyntaxNode>({ kind: 'NullableTypeSyntax', start: 0, end: 0, children: [type, this.next()] });
      } else if (this.at('Exclamation')) {
        type = spanned<SyntaxNode>({ kind: 'NonNullableTypeSyntax', start: 0, end: 0, children: [type, this.next()] });
      } else if (this.at('Dot')) {
        const dot = this.next();
        if (this.at('Asterisk'))
          type = spanned<SyntaxNode>({ kind: 'TypeAdditionalPropertiesAccessSyntax', start: 0, end: 0, children: [type, dot, this.next()] });
        else {
          const id = this.identifier();
          if (this.at('LeftChevron')) {
            const children: Child[] = [type, dot, id];
            this.typeArguments(children);
            type = {
              kind: 'InstanceParameterizedTypeInstantiationSyntax',
              start: startOf(children, 0),
              end: endOf(children, 0),
              children,
            } satisfies SyntaxNode;
          } else type = { kind: 'TypePropertyAccessSyntax', start: type.start, end: id.end, children: [type, dot, id] } satisfies SyntaxNode;
        }
      } else break;
      this.chainGrow(chain);
    }
    this.chainEnd(chain, start);
    return type;
  }

  private typeArguments(children: Child[]): void {
    children.push(this.next());
    while (!this.at('RightChevron') && !this.at('EndOfFile')) {
      if (this.at('Comma') || this.at('NewLine')) {
        children.push(this.next());
        continue;
      }
      children.push(spanned<SyntaxNode>({ kind: 'ParameterizedTypeArgumentSyntax', start: 0, end: 0, children: [this.typeExpression()] }));
    }
    children.push(this.expect('RightChevron', "'>'"));
  }

  private primaryType(): T.TypeNode {
    const t = this.peek();
    switch (t.kind) {
      case 'Identifier': {
        const id = this.identifier();
        if (this.at('LeftChevron')) {
          const children: Child[] = [id];
          this.typeArguments(children);
          return { kind: 'ParameterizedTypeInstantiationSyntax', start: startOf(children, 0), end: endOf(children, 0), children } satisfies SyntaxNode;
        }
        return { kind: 'TypeVariableAccessSyntax', start: id.start, end: id.end, children: [id] } satisfies SyntaxNode;
      }
      case 'StringComplete':
        this.next();
        return { kind: 'StringTypeLiteralSyntax', start: t.start, end: t.end, children: [t] } satisfies SyntaxNode;
      case 'StringLeftPiece':
        return this.interpString();
      case 'Integer':
        this.next();
        return { kind: 'IntegerTypeLiteralSyntax', start: t.start, end: t.end, children: [t] } satisfies SyntaxNode;
      case 'TrueKeyword':
      case 'FalseKeyword':
        this.next();
        return { kind: 'BooleanTypeLiteralSyntax', start: t.start, end: t.end, children: [t] } satisfies SyntaxNode;
      case 'NullKeyword':
        this.next();
        return { kind: 'NullTypeLiteralSyntax', start: t.start, end: t.end, children: [t] } satisfies SyntaxNode;
      case 'Minus':
      case 'Exclamation': {
        this.enter();
        this.next();
        const operand = this.primaryType();
        this.leave();
        return { kind: 'UnaryTypeOperationSyntax', start: t.start, end: operand.end, children: [t, operand] } satisfies SyntaxNode;
      }
      case 'LeftParen': {
        const open = this.next();
        const children: Child[] = [open];
        while (this.at('NewLine')) children.push(this.next());
        children.push(this.typeExpression());
        while (this.at('NewLine')) children.push(this.next());
        children.push(this.expect('RightParen', "')'"));
        return { kind: 'ParenthesizedTypeSyntax', start: startOf(children, 0), end: endOf(children, 0), children } satisfies SyntaxNode;
      }
      case 'LeftBrace':
        return this.objectType();
      case 'LeftSquare':
        return this.tupleType();
      default:
        return this.fail('a type');
    }
  }

  private objectType(): SyntaxNode {
    const children: Child[] = [this.next()];
    this.open.push('RightBrace');
    while (!this.at('RightBrace') && !this.at('EndOfFile')) {
      if (this.at('NewLine') || this.at('Comma')) {
        children.push(this.next());
        continue;
      }
      const before = this.i;
      const member = this.recover(() => {
        const parts: Child[] = [];
        this.decorators(parts);
        if (this.at('Asterisk')) {
          parts.push(this.next(), this.expect('Colon', "':'"), this.typeExpression());
          return { kind: 'ObjectTypeAdditionalPropertiesSyntax', start: startOf(parts, 0), end: endOf(parts, 0), children: parts } satisfies SyntaxNode;
        }
        parts.push(this.at('StringComplete') ? this.interpString() : this.identifier(), this.expect('Colon', "':'"), this.typeExpression());
        return { kind: 'ObjectTypePropertySyntax', start: startOf(parts, 0), end: endOf(parts, 0), children: parts } satisfies SyntaxNode;
      });
      if (this.i === before) {
        if (this.stalled(children)) break;
        continue;
      }
      children.push(member);
    }
    this.open.pop();
    children.push(this.expect('RightBrace', "'}'"));
    return { kind: 'ObjectTypeSyntax', start: startOf(children, 0), end: endOf(children, 0), children } satisfies SyntaxNode;
  }

  private tupleType(): SyntaxNode {
    const children: Child[] = [this.next()];
    this.open.push('RightSquare');
    while (!this.at('RightSquare') && !this.at('EndOfFile')) {
      if (this.at('NewLine') || this.at('Comma')) {
        children.push(this.next());
        continue;
      }
      if (CLOSERS.has(this.peek().kind)) {
        if (this.stalled(children)) break;
        continue;
      }
      const parts: Child[] = [];
      this.decorators(parts);
      parts.push(this.typeExpression());
      children.push({ kind: 'TupleTypeItemSyntax', start: startOf(parts, 0), end: endOf(parts, 0), children: parts } satisfies SyntaxNode);
    }
    this.open.pop();
    children.push(this.expect('RightSquare', "']'"));
    return { kind: 'TupleTypeSyntax', start: startOf(children, 0), end: endOf(children, 0), children } satisfies SyntaxNode;
  }

  /** `(a string, b int) string => body` of a user-defined function. */
  private typedLambda(): T.TypedLambda {
    const block: Child[] = [this.expect('LeftParen', "'('")];
    const parameters: { name: string; type: T.TypeNode }[] = [];
    while (!this.at('RightParen') && !this.at('EndOfFile')) {
      if (this.at('Comma') || this.at('NewLine')) {
        block.push(this.next());
        continue;
      }
      const id = this.identifier();
      const type = this.typeExpression();
      parameters.push({ name: id.name, type });
      block.push({ kind: 'TypedLocalVariableSyntax', start: id.start, end: type.end, children: [id, type] } satisfies SyntaxNode);
    }
    block.push(this.expect('RightParen', "')'"));
    const vars = { kind: 'TypedVariableBlockSyntax', start: startOf(block, 0), end: endOf(block, 0), children: block } satisfies SyntaxNode;
    const returnType = this.typeExpression();
    const children: Child[] = [vars, returnType, this.expect('Arrow', "'=>'")];
    this.newLinesInto(children);
    const body = this.expression();
    children.push(body);
    return { kind: 'TypedLambdaSyntax', start: startOf(children, 0), end: endOf(children, 0), children, parameters, returnType, body } satisfies T.TypedLambda;
  }
}

export { isToken };
