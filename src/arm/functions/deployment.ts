import { FunctionError } from '../expression/evaluator.js';
import type { EvalContext, FunctionDef } from '../expression/context.js';
import { Unknown } from '../../resources/value.js';
import { expectInt, expectString, fn } from './define.js';

function need<K extends 'parameter' | 'variable' | 'copyIndex'>(ctx: EvalContext, hook: K, what: string): NonNullable<EvalContext[K]> {
  const h = ctx[hook];
  if (!h) throw new FunctionError(`${what} cannot be used here`);
  return h.bind(ctx) as NonNullable<EvalContext[K]>;
}

/** Deployment functions: what the template and its deployment know about themselves. */
export const deploymentFunctions: FunctionDef[] = [
  fn({ name: 'parameters', minArgs: 1, maxArgs: 1, eager: ([n], ctx) => need(ctx, 'parameter', 'parameters()')(expectString(n!, 'the parameter name')) }),
  fn({ name: 'variables', minArgs: 1, maxArgs: 1, eager: ([n], ctx) => need(ctx, 'variable', 'variables()')(expectString(n!, 'the variable name')) }),
  fn({
    name: 'copyIndex',
    minArgs: 0,
    maxArgs: 2,
    eager: (args, ctx) => {
      // copyIndex(), copyIndex(offset), copyIndex('loop'), copyIndex('loop', offset)
      let loop: string | undefined;
      let offset = 0;
      if (typeof args[0] === 'string') {
        loop = args[0];
        if (args[1] !== undefined) offset = expectInt(args[1], 'offset');
      } else if (args[0] !== undefined) {
        offset = expectInt(args[0], 'offset');
      }
      return need(ctx, 'copyIndex', 'copyIndex()')(loop) + offset;
    },
  }),
  fn({
    name: 'deployment',
    minArgs: 0,
    maxArgs: 0,
    eager: (_args, ctx) => ({
      name: ctx.deployment.deploymentName,
      properties: {
        // Azure returns templateLink only for a template deployed from a URL; the scanned file is that URL here.
        templateLink: ctx.deployment.templateLink
          ? { uri: ctx.deployment.templateLink }
          : new Unknown('deployment().properties.templateLink: this template is inline, not deployed from a link'),
        template: new Unknown('the deployment template'),
        mode: 'Incremental',
        provisioningState: 'Accepted',
      },
      location: ctx.deployment.location,
    }),
  }),
  // Values that only exist at deployment time are unknown, never guessed (utcNow is in date.ts: it honours a clock).
  fn({ name: 'newGuid', minArgs: 0, maxArgs: 0, eager: () => new Unknown('newGuid() is random at deployment') }),
];
