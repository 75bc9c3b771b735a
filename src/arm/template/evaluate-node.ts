import type { JsonNode } from '../../load/json-document.js';
import { Unknown, type ObjectValue, type Value } from '../../resources/value.js';
import type { EvalContext } from '../expression/context.js';
import { EvaluationError, evaluateExpressionText } from '../expression/evaluator.js';
import { ExpressionSyntaxError, isExpression, unescapeLiteral } from '../expression/parser.js';
import type { TemplateScope } from './template-scope.js';

export interface EvaluateOptions {
  /** Parameter-file values are data: strings in them are never evaluated. */
  literal?: boolean;
  /** Property names (lower case) of the top-level object to leave out. */
  skip?: ReadonlySet<string>;
  /** Nodes anywhere below that are not evaluated but replaced by the given value. */
  replace?: ReadonlyMap<JsonNode, Value>;
}

/**
 * Evaluates a JSON node of a template: every string that is an expression is evaluated, the
 * rest is copied. An expression that fails becomes Unknown and a diagnostic at its position,
 * so one bad property never hides the rest of the resource.
 */
export function evaluateNode(node: JsonNode, scope: TemplateScope, ctx: EvalContext, options: EvaluateOptions = {}): Value {
  const replacement = options.replace?.get(node);
  if (replacement !== undefined) return replacement;
  const inner: EvaluateOptions = { literal: options.literal, replace: options.replace };
  switch (node.type) {
    case 'object': {
      const out: ObjectValue = {};
      for (const prop of node.children ?? []) {
        const [k, v] = prop.children ?? [];
        if (!k || !v) continue;
        const key = String(k.value);
        if (options.skip?.has(key.toLowerCase())) continue;
        Object.defineProperty(out, key, { value: evaluateNode(v, scope, ctx, inner), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    case 'array':
      return (node.children ?? []).map((c) => evaluateNode(c, scope, ctx, inner));
    case 'string': {
      const text = node.value as string;
      if (options.literal || !isExpression(text)) return unescapeLiteral(text);
      return evaluateString(node, scope, ctx);
    }
    default:
      return node.value as Value;
  }
}

export function evaluateString(node: JsonNode, scope: TemplateScope, ctx: EvalContext): Value {
  const text = node.value as string;
  try {
    return evaluateExpressionText(text, ctx);
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
    throw err;
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
