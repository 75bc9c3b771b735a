import type * as T from '../syntax/tree.js';

/**
 * Bicep expressions as ARM expression text, the way the official compiler writes them:
 * interpolation -> format(), operators -> functions, `a.?b` -> tryGet(), lambdas -> lambda(),
 * for-expressions -> map()/filter() over lambdas. Names (parameters, variables, resources,
 * modules, loop and lambda variables) are resolved by the Resolver the declaration lowering
 * provides, so this module knows the language and nothing of the file.
 */
export interface Resolver {
  /** ARM text for a name, or undefined when the name is not declared. */
  name(name: string, at: T.SyntaxNode): string | undefined;
  /** `sym.prop` and `sym[i].prop` on resources and modules, or undefined when `base` is neither. */
  member(base: T.Expr, property: string, safe: boolean, lower: (e: T.Expr) => string): string | undefined;
  /** A call the lowering handles itself (user functions, load*(), imported names), or undefined. */
  call(name: string, namespace: T.Expr | undefined, args: T.Expr[], node: T.SyntaxNode, lower: (e: T.Expr) => string): string | undefined;
  /** A problem to report at a node (the expression still lowers, to `null()`). */
  report(node: T.SyntaxNode, message: string): void;
}

export const quote = (s: string): string => `'${s.replace(/'/g, "''")}'`;

const BINARY: Record<string, string> = {
  '+': 'add',
  '-': 'sub',
  '*': 'mul',
  '/': 'div',
  '%': 'mod',
  '<': 'less',
  '<=': 'lessOrEquals',
  '>': 'greater',
  '>=': 'greaterOrEquals',
  '==': 'equals',
  '&&': 'and',
  '||': 'or',
  '??': 'coalesce',
};

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Local names in scope (loop items, indexes, lambda parameters) and their ARM text. */
export type Locals = ReadonlyMap<string, string>;

export class ExpressionLowering {
  constructor(private readonly resolver: Resolver) {}

  text(e: T.Expr, locals: Locals): string {
    const lower = (x: T.Expr) => this.text(x, locals);
    switch (e.kind) {
      case 'StringSyntax':
        return formatString(e, lower);
      case 'IntegerLiteralSyntax':
        return e.text;
      case 'BooleanLiteralSyntax':
        return e.value ? 'true()' : 'false()';
      case 'NullLiteralSyntax':
        return 'null()';
      case 'VariableAccessSyntax': {
        const local = locals.get(e.name);
        if (local !== undefined) return local;
        const named = this.resolver.name(e.name, e);
        if (named !== undefined) return named;
        this.resolver.report(e, `'${e.name}' is not declared`);
        return 'null()';
      }
      case 'ParenthesizedExpressionSyntax':
        return lower(e.inner);
      case 'NonNullAssertionSyntax':
        return lower(e.base);
      case 'UnaryOperationSyntax':
        if (e.operator === '!') return `not(${lower(e.operand)})`;
        if (e.operator === '-') return e.operand.kind === 'IntegerLiteralSyntax' ? `-${e.operand.text}` : `sub(0, ${lower(e.operand)})`;
        return lower(e.operand);
      case 'BinaryOperationSyntax': {
        const l = lower(e.left);
        const r = lower(e.right);
        switch (e.operator) {
          case '!=':
            return `not(equals(${l}, ${r}))`;
          case '=~':
            return `equals(toLower(${l}), toLower(${r}))`;
          case '!~':
            return `not(equals(toLower(${l}), toLower(${r})))`;
        }
        const fn = BINARY[e.operator];
        if (!fn) {
          this.resolver.report(e, `operator '${e.operator}' is not supported`);
          return 'null()';
        }
        return `${fn}(${l}, ${r})`;
      }
      case 'TernaryOperationSyntax':
        return `if(${lower(e.condition)}, ${lower(e.whenTrue)}, ${lower(e.whenFalse)})`;
      case 'FunctionCallSyntax': {
        const handled = this.resolver.call(e.name, undefined, e.args, e, lower);
        if (handled !== undefined) return handled;
        return `${e.name}(${e.args.map(lower).join(', ')})`;
      }
      case 'InstanceFunctionCallSyntax': {
        const handled = this.resolver.call(e.name, e.base, e.args, e, lower);
        if (handled !== undefined) return handled;
        if (e.base.kind === 'VariableAccessSyntax' && (e.base.name === 'sys' || e.base.name === 'az') && !locals.has(e.base.name)) {
          return `${e.name}(${e.args.map(lower).join(', ')})`;
        }
        this.resolver.report(e, `'${e.name}()' cannot be called on this value`);
        return 'null()';
      }
      case 'PropertyAccessSyntax': {
        if (!(e.base.kind === 'VariableAccessSyntax' && locals.has(e.base.name))) {
          const member = this.resolver.member(e.base, e.name, e.safe, lower);
          if (member !== undefined) return member;
        }
        const base = lower(e.base);
        if (e.safe) return `tryGet(${base}, ${quote(e.name)})`;
        return IDENTIFIER.test(e.name) ? `${base}.${e.name}` : `${base}[${quote(e.name)}]`;
      }
      case 'ArrayAccessSyntax': {
        const base = lower(e.base);
        const index = lower(e.index);
        if (e.fromEnd) return e.safe ? `tryIndexFromEnd(${base}, ${index})` : `${base}[sub(length(${base}), ${index})]`;
        if (e.safe) return `tryGet(${base}, ${index})`;
        return `${base}[${index}]`;
      }
      case 'ResourceAccessSyntax': {
        const member = this.resolver.member(e, '', false, lower);
        if (member !== undefined) return member;
        this.resolver.report(e, `'${e.name}' is not a child resource`);
        return 'null()';
      }
      case 'LambdaSyntax': {
        const inner = new Map(locals);
        for (const p of e.parameters) inner.set(p, `lambdaVariables(${quote(p)})`);
        return `lambda(${[...e.parameters.map(quote), this.text(e.body, inner)].join(', ')})`;
      }
      case 'ObjectSyntax':
        return this.objectText(e, lower);
      case 'ArraySyntax':
        return this.arrayText(e, lower);
      case 'ForSyntax':
        return this.forText(e, locals);
      default:
        this.resolver.report(e, e.kind === 'SkippedTriviaSyntax' ? 'this expression has a syntax error' : `${e.kind} is not an expression`);
        return 'null()';
    }
  }

  private objectText(e: T.ObjectNode, lower: (e: T.Expr) => string): string {
    const parts: string[] = [];
    let current: string[] = [];
    for (const p of e.properties) {
      if (p.kind === 'SpreadExpressionSyntax') {
        if (current.length) parts.push(`createObject(${current.join(', ')})`);
        current = [];
        parts.push(lower(p.value));
        continue;
      }
      const key = p.key !== undefined ? quote(p.key) : lower(p.keyNode as T.StringNode);
      current.push(key, lower(p.value));
    }
    if (parts.length === 0) return `createObject(${current.join(', ')})`;
    if (current.length) parts.push(`createObject(${current.join(', ')})`);
    return `shallowMerge(createArray(${parts.join(', ')}))`;
  }

  private arrayText(e: T.ArrayNode, lower: (e: T.Expr) => string): string {
    if (!e.items.some((i) => i.kind === 'SpreadExpressionSyntax')) return `createArray(${e.items.map((i) => lower(i.value)).join(', ')})`;
    const parts: string[] = [];
    let current: string[] = [];
    for (const item of e.items) {
      if (item.kind === 'SpreadExpressionSyntax') {
        if (current.length) parts.push(`createArray(${current.join(', ')})`);
        current = [];
        parts.push(lower(item.value));
      } else current.push(lower(item.value));
    }
    if (current.length) parts.push(`createArray(${current.join(', ')})`);
    return `flatten(createArray(${parts.join(', ')}))`;
  }

  /**
   * `[for (x, i) in xs: if (c) body]` -> map over the indexes that pass the filter. Indexes keep
   * one lambda variable per loop, so nested loops and lambdas see the item they expect.
   */
  forText(e: T.ForNode, locals: Locals): string {
    const iterable = this.text(e.iterable, locals);
    const v = `__i${depthOf(locals)}`;
    const inner = new Map(locals);
    const indexText = `lambdaVariables(${quote(v)})`;
    if (e.item) inner.set(e.item, `${iterable}[${indexText}]`);
    if (e.index) inner.set(e.index, indexText);
    const indexes = `range(0, length(${iterable}))`;
    if (e.body.kind === 'IfConditionSyntax') {
      const kept = `filter(${indexes}, lambda(${quote(v)}, ${this.text(e.body.condition, inner)}))`;
      return `map(${kept}, lambda(${quote(v)}, ${this.text(e.body.body, inner)}))`;
    }
    return `map(${indexes}, lambda(${quote(v)}, ${this.text(e.body, inner)}))`;
  }
}

function depthOf(locals: Locals): number {
  let n = 0;
  for (const v of locals.values()) if (v.startsWith("lambdaVariables('__i")) n++;
  return n;
}

/** Interpolation -> format(), with `{`/`}` in the literal parts escaped for format. */
function formatString(e: T.StringNode, lower: (e: T.Expr) => string): string {
  if (e.holes.length === 0) return quote(e.segments[0] ?? '');
  const pattern = e.segments.map((s, i) => s.replace(/[{}]/g, (m) => m + m) + (i < e.holes.length ? `{${i}}` : '')).join('');
  return `format(${quote(pattern)}, ${e.holes.map(lower).join(', ')})`;
}
