// Shared by the function-family tests: evaluate an expression text with the whole library.
import { evaluateExpressionText } from '../../../src/arm/expression/evaluator.js';
import { DEFAULT_DEPLOYMENT, type EvalContext } from '../../../src/arm/expression/context.js';
import { ARM_FUNCTIONS } from '../../../src/arm/functions/index.js';
import { Unknown, type Value } from '../../../src/resources/value.js';

export const baseContext: EvalContext = {
  functions: ARM_FUNCTIONS,
  deployment: DEFAULT_DEPLOYMENT,
  // parameters('unknown') is a value nobody supplied.
  parameter: (name) => (name === 'unknown' ? new Unknown('no value') : null),
};

export function run(text: string, ctx: EvalContext = baseContext): Value {
  return evaluateExpressionText(text, ctx);
}
