import { childNode, type JsonNode } from '../../load/json-document.js';
import type { Value } from '../../resources/value.js';
import type { EvalContext, FunctionDef, FunctionTable } from '../expression/context.js';
import { FunctionError } from '../expression/evaluator.js';
import { evaluateNode } from './evaluate-node.js';
import { MAX_USER_FUNCTION_DEPTH } from './limits.js';
import type { NodeScope } from './node-scope.js';

/**
 * Adds a template's user-defined functions (`functions: [{ namespace, members }]`, called as
 * `namespace.member(...)`) to the function table. A function's body sees only its own
 * parameters (through `parameters()`) and other functions, as ARM specifies.
 */
export function withUserFunctions(base: FunctionTable, declarations: JsonNode | undefined, scope: NodeScope): FunctionTable {
  if (declarations?.type !== 'array' || !declarations.children?.length) return base;
  const table = new Map(base);
  let depth = 0;
  for (const ns of declarations.children) {
    const namespace = childNode(ns, 'namespace')?.value;
    const members = childNode(ns, 'members');
    if (typeof namespace !== 'string' || members?.type !== 'object') continue;
    for (const prop of members.children ?? []) {
      const [keyNode, decl] = prop.children ?? [];
      if (!keyNode || !decl) continue;
      const name = `${namespace}.${String(keyNode.value)}`;
      const params = (childNode(decl, 'parameters')?.children ?? []).map((p) => String(childNode(p, 'name')?.value ?? ''));
      const body = childNode(childNode(decl, 'output'), 'value');
      const def: FunctionDef = {
        name,
        minArgs: params.length,
        maxArgs: params.length,
        // Unknown arguments are passed in: the function may not depend on them.
        acceptsUnknown: true,
        eager: (args, ctx) => {
          if (!body) throw new FunctionError('the function has no output value');
          if (depth >= MAX_USER_FUNCTION_DEPTH)
            throw new FunctionError(`user-defined functions call each other more than ${MAX_USER_FUNCTION_DEPTH} deep (ARM does not allow recursion)`);
          const bodyCtx: EvalContext = {
            functions: ctx.functions,
            deployment: ctx.deployment,
            budget: ctx.budget,
            parameter: (n) => {
              const i = params.findIndex((p) => p.toLowerCase() === n.toLowerCase());
              if (i < 0) throw new FunctionError(`the function ${name} has no parameter '${n}'`);
              return args[i]!;
            },
          };
          depth++;
          try {
            return evaluateNode(body, scope, bodyCtx) as Value;
          } finally {
            depth--;
          }
        },
      };
      table.set(name.toLowerCase(), def);
    }
  }
  return table;
}
