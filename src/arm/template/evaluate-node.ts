import { childNode, type JsonNode } from '../../load/json-document.js';
import { isUnknown, Unknown, type ObjectValue, type Value, setOwn } from '../../resources/value.js';
import { MAX_COPY_COUNT } from './limits.js';
import type { EvalContext } from '../expression/context.js';
import { EvaluationError, FunctionError, evaluate, parseCached } from '../expression/evaluator.js';
import type { Expr } from '../expression/ast.js';
import { LimitExceeded, MEMBER_BYTES, OBJECT_BYTES, SizeError } from '../expression/budget.js';
import { ExpressionSyntaxError, isExpression, unescapeLiteral } from '../expression/parser.js';
import type { NodeScope } from './node-scope.js';

export interface EvaluateOptions {
  /** Parameter-file values are data: strings in them are never evaluated. */
  literal?: boolean;
  /** Property names (lower case) of the top-level object to leave out. */
  skip?: ReadonlySet<string>;
  /** Nodes anywhere below that are not evaluated but replaced by the given value. */
  replace?: ReadonlyMap<JsonNode, Value>;
}

const NO_OPTIONS: EvaluateOptions = Object.freeze({});

/**
 * Evaluates a JSON node of a template: every string that is an expression is evaluated, the
 * rest is copied. An expression that fails becomes Unknown and a diagnostic at its position,
 * so one bad property never hides the rest of the resource.
 */
export function evaluateNode(node: JsonNode, scope: NodeScope, ctx: EvalContext, options: EvaluateOptions = NO_OPTIONS): Value {
  const replacement = options.replace?.get(node);
  if (replacement !== undefined) return replacement;
  if (node.type !== 'object' && node.type !== 'array') {
    if (node.type !== 'string') return node.value as Value;
    const text = node.value as string;
    if (options.literal || !isExpression(text)) return unescapeLiteral(text);
    return evaluateString(node, scope, ctx);
  }
  // What the children are evaluated with: the same options without `skip` (the options
  // themselves when they have none: no object per node evaluated).
  const inner: EvaluateOptions = options.skip ? { literal: options.literal, replace: options.replace } : options;
  if (ctx.budget) {
    // Each level of the file's JSON is a level of recursion here: counted with the calls, as a
    // chain of variables each holding a deep object would otherwise overflow the stack.
    const budget = ctx.budget;
    // Each object or array built is work and memory too: nested property copies build 800^k
    // values without calling a single function.
    budget.step();
    budget.charge(OBJECT_BYTES + MEMBER_BYTES * (node.children?.length ?? 0));
    try {
      budget.enter();
    } catch (err) {
      if (!(err instanceof SizeError)) throw err;
      scope.report(node, 'limit-depth', 'error', err.message);
      return new Unknown(err.message);
    }
    try {
      return evaluateContainer(node, scope, ctx, options, inner);
    } finally {
      budget.leave();
    }
  }
  return evaluateContainer(node, scope, ctx, options, inner);
}

function evaluateContainer(node: JsonNode, scope: NodeScope, ctx: EvalContext, options: EvaluateOptions, inner: EvaluateOptions): Value {
  switch (node.type) {
    case 'object': {
      const out: ObjectValue = {};
      for (const prop of node.children ?? []) {
        const [k, v] = prop.children ?? [];
        if (!k || !v) continue;
        const key = String(k.value);
        if (options.skip?.has(key.toLowerCase())) continue;
        if (!options.literal && isPropertyCopy(key, v)) {
          for (const [name, value] of expandCopyEntries(v.children ?? [], scope, ctx, options.replace)) setOwn(out, name, value);
          continue;
        }
        // ARM evaluates expressions in property names too (Bicep writes interpolated keys so).
        let name = key;
        if (!options.literal && isExpression(key)) {
          const evaluated = evaluateString(k, scope, ctx);
          // A name only known at deployment keeps its expression text: the value is still checked.
          if (typeof evaluated === 'string') name = evaluated;
        } else if (!options.literal && key.startsWith('[[')) name = unescapeLiteral(key) as string;
        setOwn(out, name, evaluateNode(v, scope, ctx, inner));
      }
      return out;
    }
    default:
      return (node.children ?? []).map((c) => evaluateNode(c, scope, ctx, inner));
  }
}

/** A `copy` property holding `[{ name, count, input }]`: property (or variable) iteration. */
function isPropertyCopy(key: string, value: JsonNode): boolean {
  return (
    // The length first: most keys are not four characters, and lower-casing one builds a string.
    key.length === 4 &&
    key.toLowerCase() === 'copy' &&
    value.type === 'array' &&
    (value.children ?? []).length > 0 &&
    (value.children ?? []).every((e) => e.type === 'object' && childNode(e, 'name') && childNode(e, 'input'))
  );
}

/**
 * Evaluates copy entries: each yields the array of its `input` evaluated `count` times, with
 * `copyIndex('<name>')` giving the position. Keyed by name as written, in declaration order.
 */
export function expandCopyEntries(
  entries: readonly JsonNode[],
  scope: NodeScope,
  ctx: EvalContext,
  replace?: ReadonlyMap<JsonNode, Value>,
): Map<string, Value> {
  const out = new Map<string, Value>();
  for (const entry of entries) {
    const nameNode = childNode(entry, 'name');
    const input = childNode(entry, 'input');
    const name = nameNode ? evaluateNode(nameNode, scope, ctx) : null;
    if (typeof name !== 'string' || !input) {
      scope.report(entry, 'copy', 'error', 'a copy entry needs a string `name` and an `input`');
      continue;
    }
    const countNode = childNode(entry, 'count');
    const count = countNode ? evaluateNode(countNode, scope, ctx) : null;
    if (isUnknown(count)) {
      out.set(name, new Unknown(`the copy count of '${name}' is unknown (${count.reason})`));
      continue;
    }
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > MAX_COPY_COUNT) {
      scope.report(
        countNode ?? entry,
        'copy-count',
        'error',
        `the copy count of '${name}' must be an integer from 0 to ${MAX_COPY_COUNT}, not ${JSON.stringify(count)}`,
      );
      out.set(name, new Unknown(`the copy count of '${name}' is invalid`));
      continue;
    }
    const items: Value[] = [];
    for (let i = 0; i < count; i++) {
      // Counted even when the input is a plain string: copies within copies multiply.
      ctx.budget?.step();
      ctx.budget?.charge(MEMBER_BYTES);
      const itemCtx: EvalContext = {
        ...ctx,
        copyIndex: (loop) => {
          if (loop !== undefined && loop.toLowerCase() === name.toLowerCase()) return i;
          if (loop === undefined) {
            // Without a name, copyIndex() is the resource's loop (Bicep relies on it); only
            // outside a resource loop does it mean this property loop.
            try {
              if (ctx.copyIndex) return ctx.copyIndex(undefined);
            } catch (err) {
              if (!(err instanceof FunctionError)) throw err;
            }
            return i;
          }
          if (!ctx.copyIndex) throw new FunctionError(`there is no copy loop named '${loop}' here`);
          return ctx.copyIndex(loop);
        },
      };
      items.push(evaluateNode(input, scope, itemCtx, { replace }));
    }
    out.set(name, items);
  }
  return out;
}

// The parsed expression of each string node: templates evaluate the same node once per copy
// instance and parameter file, and a lookup by node is cheaper than hashing the text.
const parsedByNode = new WeakMap<JsonNode, Expr>();

export function evaluateString(node: JsonNode, scope: NodeScope, ctx: EvalContext): Value {
  const text = node.value as string;
  scope.expressionStack.push(node);
  try {
    let expr = parsedByNode.get(node);
    if (!expr) {
      expr = parseCached(text);
      parsedByNode.set(node, expr);
    }
    return evaluate(expr, ctx);
  } catch (err) {
    if (err instanceof EvaluationError || err instanceof ExpressionSyntaxError) {
      const file = scope.template.file;
      const at = offsetInFile(file.text, node, err.offset);
      const code = err instanceof ExpressionSyntaxError ? 'expression-syntax' : err.code;
      scope.diagnostics.push({
        severity: 'error',
        code,
        message: `${err instanceof ExpressionSyntaxError ? 'invalid expression' : 'cannot evaluate'}: ${err.message}`,
        file: file.path,
        location: file.locationOf(at, 0),
      });
      return new Unknown(`the expression could not be evaluated (${err.message})`);
    }
    // A limit of the unit: the innermost expression it passes through is where it was hit.
    if (err instanceof LimitExceeded && !err.location) {
      const file = scope.template.file;
      err.file = file.path;
      err.location = file.locationOf(node.offset, node.length);
    }
    throw err;
  } finally {
    scope.expressionStack.pop();
  }
}

/**
 * Maps an offset within a string's value to an offset in the file. Exact when the string has
 * no JSON escapes (the usual case); otherwise it points at the string's opening quote.
 */
function offsetInFile(fileText: string, node: JsonNode, offsetInValue: number): number {
  const raw = fileText.slice(node.offset + 1, node.offset + node.length - 1);
  return raw === node.value ? node.offset + 1 + offsetInValue : node.offset;
}
