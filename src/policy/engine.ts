import { DEFAULT_DEPLOYMENT, type EvalContext } from '../arm/expression/context.js';
import { evaluateExpressionText } from '../arm/expression/evaluator.js';
import { isExpression } from '../arm/expression/parser.js';
import { isUnknown, Unknown, type Value } from '../resources/value.js';
import { compileCondition, type CompiledCondition, type Scope, type TraceNode, type Verdict } from './condition.js';
import { effectParameter, findParameter, type PolicyDefinition } from './definition.js';
import { compileThen, EFFECTS, isExistenceEffect, type CompiledThen, type RelatedQuery } from './effects.js';
import { PolicyCompileError, PolicyEffectError, PolicyEvaluationError } from './errors.js';
import { defaultFieldOptions, type FieldOptions, type PolicyTarget } from './field.js';
import { checkPolicyExpression, POLICY_FUNCTIONS, type PolicyEnvironment } from './functions.js';
import { policyEquals } from './operators.js';

export interface CompileOptions {
  /** The effect to use instead of the definition's; must be one of its allowed effects. */
  effect?: string;
  /** Values for the definition's parameters; missing ones take their `defaultValue`. */
  parameters?: Record<string, unknown>;
  /** How fields are resolved: the alias table, and what a name outside it means. Default: Tollgate's table. */
  fields?: FieldOptions;
}

/** A definition compiled once, for evaluating many resources. */
export interface CompiledPolicy {
  readonly definition: PolicyDefinition;
  readonly condition: CompiledCondition;
  /** The effect in force, spelled as the definition's allowed values spell it. */
  readonly effect: string;
  /** `all` or `indexed`. */
  readonly mode: 'all' | 'indexed';
  readonly fields: FieldOptions;
  readonly then: CompiledThen;
  parameter(name: string): Value;
}

/** How evaluating a definition on one resource came out. */
export type PolicyResult =
  /** The definition does not look at this resource (its mode), or its effect is Disabled. */
  | { kind: 'not-applicable'; reason: string }
  /** The `if` does not hold, or (auditIfNotExists / deployIfNotExists) a related resource satisfies the existence condition. */
  | { kind: 'compliant'; verdict: Verdict }
  | { kind: 'non-compliant'; effect: string; details?: Value; verdict: Verdict; reason?: string }
  | { kind: 'unknown'; verdict: Verdict; reason: string; missingAlias?: string }
  /** Evaluation failed (a template function threw, an operator could not compare): Azure's implicit deny. */
  | { kind: 'error'; message: string };

export interface EvaluateOptions {
  /** Scope, request, clock. Default: Tollgate's deployment defaults, the request for the target's API version. */
  env?: Partial<PolicyEnvironment>;
  /**
   * The resources an auditIfNotExists / deployIfNotExists effect finds for a query; undefined =
   * whether any exists is not known.
   */
  related?(query: RelatedQuery): readonly PolicyTarget[] | undefined;
  /** Filled with the conditions looked at, for `explain`. */
  trace?: TraceNode[];
}

/**
 * Compiles a definition: parameters are bound, the effect is resolved, the `if`, the
 * existence condition and the details are checked. Throws PolicyCompileError naming where,
 * and PolicyEffectError for an effect the definition does not allow.
 */
export function compilePolicy(definition: PolicyDefinition, options: CompileOptions = {}): CompiledPolicy {
  const fields = options.fields ?? defaultFieldOptions();
  const parameters = resolveParameters(definition, options.parameters ?? {});
  const parameter = (name: string): Value => {
    const p = findParameter(definition, name);
    if (!p) throw new PolicyCompileError(`the definition has no parameter '${name}'`);
    const value = parameters.get(p.name);
    if (value === undefined) throw new PolicyCompileError(`parameter '${p.name}' has no value and no defaultValue`);
    return value;
  };
  const mode = compileMode(definition.mode);
  // The definition's own errors come before a wrong effect choice, which is the caller's.
  const condition = compileCondition(definition.if, 'policyRule.if', { fields });
  const effect = resolveEffect(definition, { functions: POLICY_FUNCTIONS, deployment: DEFAULT_DEPLOYMENT, parameter }, options.effect);
  const then = compileThen(effect, definition.then, fields);
  return { definition, condition, effect, mode, fields, then, parameter };
}

/** Evaluates a compiled definition on one resource, as Azure would decide its compliance. */
export function evaluatePolicy(policy: CompiledPolicy, target: PolicyTarget, options: EvaluateOptions = {}): PolicyResult {
  if (policy.effect.toLowerCase() === 'disabled') return { kind: 'not-applicable', reason: 'the effect is Disabled' };
  if (policy.mode === 'indexed' && !indexed(policy, target)) {
    return { kind: 'not-applicable', reason: `mode Indexed only evaluates resource types that support tags and location, which ${target.type} does not` };
  }
  const env = environment(policy, target, options.env);
  const scope: Scope = { target, exprTarget: target, env, parameter: policy.parameter, fieldOptions: policy.fields, bindings: [], trace: options.trace };
  try {
    const verdict = policy.condition.evaluate(scope);
    if (verdict.truth === 'unknown') return unknownResult(verdict);
    if (!verdict.truth) return { kind: 'compliant', verdict };
    if (isExistenceEffect(policy.effect)) return existence(policy, scope, verdict, options);
    const details = policy.then.details({ ...scope, trace: undefined });
    return { kind: 'non-compliant', effect: policy.effect, verdict, ...(details === undefined ? {} : { details }) };
  } catch (err) {
    if (err instanceof PolicyEvaluationError) return { kind: 'error', message: err.message };
    throw err;
  }
}

function unknownResult(verdict: Verdict): PolicyResult {
  return { kind: 'unknown', verdict, reason: verdict.reason ?? 'a value the definition needs is not known before deployment', ...(verdict.missingAlias ? { missingAlias: verdict.missingAlias } : {}) };
}

/**
 * auditIfNotExists / deployIfNotExists: compliant when a related resource exists (and satisfies
 * the existence condition, evaluated on it with `field()` still reading the evaluated resource).
 */
function existence(policy: CompiledPolicy, scope: Scope, verdict: Verdict, options: EvaluateOptions): PolicyResult {
  const inner: Scope = { ...scope, trace: undefined };
  const query = policy.then.query!(inner);
  const candidates = options.related?.(query);
  const details = policy.then.details(inner);
  const what = `${query.type}${query.name ? ` named '${query.name}'` : ''}`;
  if (candidates === undefined) {
    return { kind: 'unknown', verdict, reason: `whether a related ${what} exists is not known before deployment` };
  }
  let undecided: Verdict | undefined;
  for (const candidate of candidates) {
    if (!policy.then.existenceCondition) return { kind: 'compliant', verdict };
    const v = policy.then.existenceCondition.evaluate({ ...inner, target: candidate, bindings: [] });
    if (v.truth === true) return { kind: 'compliant', verdict };
    if (v.truth === 'unknown') undecided ??= v;
  }
  if (undecided) return { kind: 'unknown', verdict, reason: `the existence condition on a related ${what} cannot be decided: ${undecided.reason ?? 'a value is not known'}` };
  const reason = candidates.length === 0 ? `no related ${what} exists` : `no related ${what} satisfies the existence condition`;
  return { kind: 'non-compliant', effect: policy.effect, verdict, reason, ...(details === undefined ? {} : { details }) };
}

function environment(policy: CompiledPolicy, target: PolicyTarget, given: Partial<PolicyEnvironment> = {}): PolicyEnvironment {
  const d = policy.definition;
  return {
    deployment: given.deployment ?? DEFAULT_DEPLOYMENT,
    requestContext: given.requestContext ?? { apiVersion: target.apiVersion ?? new Unknown('the API version of the request') },
    policy: given.policy ?? {
      assignmentId: new Unknown('the policy assignment id: Tollgate evaluates definitions, not assignments'),
      definitionId: d.id ?? `/providers/Microsoft.Authorization/policyDefinitions/${d.name}`,
      setDefinitionId: '',
      definitionReferenceId: '',
    },
    ...(given.resourceGroup !== undefined ? { resourceGroup: given.resourceGroup } : {}),
    ...(given.subscription !== undefined ? { subscription: given.subscription } : {}),
    ...(given.now !== undefined ? { now: given.now } : {}),
  };
}

/**
 * Mode Indexed evaluates only resource types that support tags and location. The alias
 * table's provider data says which do; where it says nothing, the resource is evaluated.
 */
function indexed(policy: CompiledPolicy, target: PolicyTarget): boolean {
  const type = target.type.toLowerCase();
  if (type === 'microsoft.resources/subscriptions' || type === 'microsoft.resources/resourcegroups' || type === 'microsoft.resources/subscriptions/resourcegroups') return true;
  const caps = policy.fields.aliases.capabilities(target.type);
  if (caps === undefined) return true;
  return /supportstags/i.test(caps) && /supportslocation/i.test(caps);
}

function compileMode(mode: string): 'all' | 'indexed' {
  const m = mode.toLowerCase();
  if (m === 'all' || m === 'indexed') return m;
  throw new PolicyCompileError(`mode '${mode}' is a Resource Provider mode, which Tollgate does not evaluate (only All and Indexed)`, 'mode');
}

/** Given values (checked against the definition) over defaults; keys are the definition's spelling. */
export function resolveParameters(definition: PolicyDefinition, given: Record<string, unknown>): Map<string, Value> {
  const out = new Map<string, Value>();
  for (const [name, value] of Object.entries(given)) {
    const p = findParameter(definition, name);
    if (!p) throw new PolicyCompileError(`the definition has no parameter '${name}'`);
    // An array parameter's allowedValues list the values its items may take.
    const items = Array.isArray(value) && !p.allowedValues?.some(Array.isArray) ? (value as Value[]) : [value as Value];
    if (p.allowedValues && !items.every((item) => p.allowedValues!.some((a) => policyEquals(a, item)))) {
      const Err = p === effectParameter(definition) ? PolicyEffectError : PolicyCompileError;
      throw new Err(`'${String(value)}' is not an allowed value of parameter '${p.name}' (${p.allowedValues.map(String).join(', ')})`);
    }
    out.set(p.name, value as Value);
  }
  for (const p of definition.parameters) {
    if (!out.has(p.name) && p.defaultValue !== undefined) out.set(p.name, p.defaultValue);
  }
  return out;
}

/**
 * The effect in force: the override if given, else `then.effect` evaluated with the parameter
 * values. Either way it must be one of the effect parameter's allowed values, and an effect
 * of the language.
 */
function resolveEffect(definition: PolicyDefinition, ctx: EvalContext, override: string | undefined): string {
  const param = effectParameter(definition);
  const allowed = param?.allowedValues?.filter((a): a is string => typeof a === 'string');
  const canonical = (effect: string, what: string, given: boolean): string => {
    const known = EFFECTS.get(effect.toLowerCase());
    if (!known) {
      const message = `${what} '${effect}' is not an effect of Azure Policy (${[...EFFECTS.values()].join(', ')})`;
      // A wrong override is the caller's mistake; a wrong then.effect the definition's.
      throw given ? new PolicyEffectError(message) : new PolicyCompileError(message, 'policyRule.then.effect');
    }
    if (!allowed) return effect;
    // The spelling of the allowed values, the exact one first (built-ins list both 'audit' and 'Audit').
    const match = allowed.find((a) => a === effect) ?? allowed.find((a) => a.toLowerCase() === effect.toLowerCase());
    if (!match) throw new PolicyEffectError(`${what} '${effect}' is not one of the allowed effects (${allowed.join(', ')})`);
    return match;
  };
  const raw = definition.effect;
  if (override !== undefined) {
    const fixed = !param && typeof raw === 'string' && !isExpression(raw);
    if (fixed && raw.toLowerCase() !== override.toLowerCase() && override.toLowerCase() !== 'disabled') {
      throw new PolicyEffectError(`the effect '${override}' cannot be used: the definition fixes its effect to '${raw}' (only Disabled can replace it)`);
    }
    return canonical(override, 'the effect', true);
  }
  if (typeof raw === 'string' && isExpression(raw)) checkPolicyExpression(raw, 'policyRule.then.effect');
  let value: Value;
  try {
    value = typeof raw === 'string' && isExpression(raw) ? evaluateExpressionText(raw, ctx) : raw;
  } catch (err) {
    if (err instanceof PolicyCompileError) throw err;
    throw new PolicyCompileError(`then.effect cannot be evaluated: ${(err as Error).message}`, 'policyRule.then.effect');
  }
  if (isUnknown(value) || typeof value !== 'string') throw new PolicyCompileError(`then.effect must give a string, got ${JSON.stringify(value)}`);
  return canonical(value, 'the effect', false);
}
