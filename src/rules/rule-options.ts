import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { isDefinedRule } from './define-rule.js';
import type { Rule } from './rule.js';

// Ajv is loaded only when options are checked (it costs start-up time a plain scan does not need).
const load = createRequire(import.meta.url);
const compiled = new WeakMap<object, ValidateFunction>();

/** One sentence per problem with a rule's options; each names the option (`options.days`). */
export interface OptionProblem {
  /** The option the problem is about (its key under `options`), when there is one. */
  option?: string;
  message: string;
}

/**
 * Checks `rules.<id>.options` against the rule's `optionsSchema`. A rule built with `defineRule`
 * without a schema takes no options: any option is a problem (a typo must not pass silently).
 * Azure Policy definitions and hand-made rules are not checked here (their settings are
 * `parameters`, checked when they load).
 */
export function optionProblems(rule: Rule, options: Readonly<Record<string, unknown>>): OptionProblem[] {
  if (!isDefinedRule(rule)) return [];
  const schema = rule.definition.optionsSchema;
  if (!schema) return Object.keys(options).map((option) => ({ option, message: `options.${option}: rule ${rule.meta.id} takes no options` }));
  let validate = compiled.get(schema);
  if (!validate) {
    const { Ajv } = load('ajv') as typeof import('ajv');
    validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    compiled.set(schema, validate);
  }
  if (validate(options)) return [];
  return (validate.errors ?? []).map((e) => describe(e));
}

export function validateRuleOptions(rule: Rule, options: Readonly<Record<string, unknown>>): string[] {
  return optionProblems(rule, options).map((p) => p.message);
}

function describe(e: ErrorObject): OptionProblem {
  const segments = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (e.keyword === 'additionalProperties') {
    const option = String((e.params as { additionalProperty: string }).additionalProperty);
    return { option, message: `options.${[...segments, option].join('.')}: unknown option` };
  }
  const where = segments.length ? `options.${segments.join('.')}` : 'options';
  const allowed = e.keyword === 'enum' ? `: ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}` : '';
  return { ...(segments[0] !== undefined ? { option: segments[0] } : {}), message: `${where} ${e.message ?? 'is not valid'}${allowed}` };
}
