import type { EvalContext } from '../arm/expression/context.js';
import { evaluateExpressionText } from '../arm/expression/evaluator.js';
import { isExpression } from '../arm/expression/parser.js';
import { functionTable, ARM_FUNCTIONS } from '../arm/functions/index.js';
import { DEFAULT_DEPLOYMENT } from '../arm/template/expand.js';
import type { Equivalent, Level, RuleMeta, Severity } from '../findings/finding.js';
import { leafName, type Resource } from '../resources/resource.js';
import { isUnknown, type Value } from '../resources/value.js';
import type { Rule } from '../rules/rule.js';
import { compileCondition, NotApplicable, PolicyCompileError, type CompiledCondition, type ConditionState } from './condition.js';
import type { PolicyDefinition } from './definition.js';
import { compileField, type FieldAccessor } from './field.js';

/** Tollgate's own notes on a shipped definition (severity, remediation), kept beside its JSON. */
export interface PolicySidecar {
  severity?: Severity;
  remediation?: string;
  helpUri?: string;
  equivalents?: Equivalent[];
}

export interface PolicyRuleOptions {
  /** The effect to use instead of the definition's (must be one of its allowed effects). */
  effect?: string;
  /** Values for the definition's parameters; missing ones take their `defaultValue`. */
  parameters?: Record<string, Value>;
  sidecar?: PolicySidecar;
}

export interface PolicyRule extends Rule {
  readonly definition: PolicyDefinition;
  readonly effect: string;
}

// The effect decides what a non-compliant resource means for the run.
const LEVEL_BY_EFFECT: Record<string, Level> = { deny: 'error', denyaction: 'error' };

/**
 * Wraps a definition as a `Rule`: its `if` is compiled once, its effect resolved once from the
 * parameters, and every resource of the types the rule names is evaluated against it.
 */
export function createPolicyRule(definition: PolicyDefinition, options: PolicyRuleOptions = {}): PolicyRule {
  const parameters = resolveParameters(definition, options.parameters ?? {});
  const baseCtx: EvalContext = {
    functions: POLICY_FUNCTIONS,
    deployment: DEFAULT_DEPLOYMENT,
    parameter: (name) => {
      const key = Object.keys(parameters).find((k) => k.toLowerCase() === name.toLowerCase());
      if (key !== undefined) return parameters[key]!;
      const declared = definition.parameters.some((p) => p.name.toLowerCase() === name.toLowerCase());
      throw new PolicyCompileError(declared ? `parameter '${name}' has no value and no defaultValue` : `the definition has no parameter '${name}'`);
    },
  };
  const effect = resolveEffect(definition, baseCtx, options.effect);
  let condition: CompiledCondition;
  try {
    condition = compileCondition(definition.if);
  } catch (err) {
    throw new PolicyCompileError(`policyRule.if: ${(err as Error).message}`);
  }
  const types = condition.types();
  const sidecar = options.sidecar ?? {};
  const meta: RuleMeta = {
    id: definition.name,
    title: definition.displayName,
    kind: 'policy',
    severity: sidecar.severity ?? 'medium',
    level: LEVEL_BY_EFFECT[effect.toLowerCase()] ?? 'warning',
    effect,
    description: definition.description,
    recommendation: sidecar.remediation ?? definition.description,
    helpUri: sidecar.helpUri,
    equivalents: [{ tool: 'azure-policy', id: definition.name }, ...(sidecar.equivalents ?? [])],
    // A rule that names no type is asked about every resource ('*').
    appliesTo: types.length > 0 ? types : ['*'],
  };
  return {
    meta,
    definition,
    effect,
    enabled: effect.toLowerCase() !== 'disabled',
    check(resource, ctx) {
      const state: ConditionState = { resource, ctx: { ...baseCtx, field: (path) => fieldFunction(resource, path) }, decisive: [] };
      let truth;
      try {
        truth = condition.evaluate(state);
      } catch (err) {
        if (err instanceof NotApplicable) return ctx.skip(err.message);
        throw err;
      }
      if (truth === 'unknown') return ctx.unknown(state.unknownReason ?? 'a value the definition needs is unknown');
      if (truth === false) return;
      const decisive = state.decisive.find((d) => d.path !== 'type');
      ctx.report({ path: decisive?.path, message: messageFor(definition, effect, resource, decisive) });
    },
  };
}

function messageFor(definition: PolicyDefinition, effect: string, resource: Resource, decisive: ConditionState['decisive'][number] | undefined): string {
  const what = decisive ? ` sets ${decisive.path.replace(/^properties\./, '')} to ${JSON.stringify(decisive.actual)}` : ' matches the policy rule';
  return `${shortType(resource.type)} '${leafName(resource)}'${what}: ${definition.displayName} (Azure Policy ${definition.name}, effect ${effect}).`;
}

function shortType(type: string): string {
  const last = type.split('/').pop() ?? type;
  const singular = last.endsWith('ies') ? `${last.slice(0, -3)}y` : last.endsWith('s') ? last.slice(0, -1) : last;
  return singular.charAt(0).toUpperCase() + singular.slice(1);
}

function resolveParameters(definition: PolicyDefinition, given: Record<string, Value>): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const p of definition.parameters) {
    const key = Object.keys(given).find((k) => k.toLowerCase() === p.name.toLowerCase());
    const value = key !== undefined ? given[key] : p.defaultValue;
    if (value === undefined) continue; // an error only if the rule reads it
    out[p.name] = value;
  }
  return out;
}

/** The effect in force: an override (checked against the allowed values), else `then.effect`. */
function resolveEffect(definition: PolicyDefinition, ctx: EvalContext, override: string | undefined): string {
  const raw = definition.effect;
  const param = typeof raw === 'string' ? /^\[\s*parameters\(\s*'([^']+)'\s*\)\s*\]$/i.exec(raw)?.[1] : undefined;
  const allowed = param ? definition.parameters.find((p) => p.name.toLowerCase() === param.toLowerCase())?.allowedValues : undefined;
  const check = (effect: string, source: string) => {
    if (allowed && !allowed.some((a) => typeof a === 'string' && a.toLowerCase() === effect.toLowerCase())) {
      throw new PolicyCompileError(`${source} '${effect}' is not one of the allowed effects (${allowed.join(', ')})`);
    }
    const canonical = allowed?.find((a): a is string => typeof a === 'string' && a.toLowerCase() === effect.toLowerCase());
    return canonical ?? effect;
  };
  if (override !== undefined) {
    if (!param && typeof raw === 'string' && raw.toLowerCase() !== override.toLowerCase() && override.toLowerCase() !== 'disabled') {
      throw new PolicyCompileError(`the effect is fixed to '${raw}' by the definition; only Disabled can replace it`);
    }
    return check(override, 'effect');
  }
  const value = typeof raw === 'string' && isExpression(raw) ? evaluateExpressionText(raw, ctx) : raw;
  if (isUnknown(value) || typeof value !== 'string') throw new PolicyCompileError(`the effect must be a string, got ${JSON.stringify(value)}`);
  return check(value, 'the effect');
}

/** `field()` inside policy expressions reads the resource with the same rules as `field` conditions. */
function fieldFunction(resource: Resource, path: string): Value {
  const accessor = compileFieldCached(path);
  if (accessor.kind === 'unknown-alias') throw new NotApplicable(`the alias '${path}' is not in Tollgate's alias table`);
  return accessor.read(resource) ?? null;
}

const fieldCache = new Map<string, FieldAccessor>();
function compileFieldCached(path: string): FieldAccessor {
  let a = fieldCache.get(path.toLowerCase());
  if (!a) fieldCache.set(path.toLowerCase(), (a = compileField(path)));
  return a;
}

/** The ARM library plus the functions only policy rules have. */
const POLICY_FUNCTIONS = functionTable([...ARM_FUNCTIONS.values()], [
  {
    name: 'field',
    minArgs: 1,
    maxArgs: 1,
    eager: ([path], ctx) => {
      if (typeof path !== 'string' || !ctx.field) throw new PolicyCompileError('field() needs a field name');
      return ctx.field(path);
    },
  },
]);
