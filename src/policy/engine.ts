import { DEFAULT_DEPLOYMENT, type EvalContext } from '../arm/expression/context.js';
import { evaluateExpressionText } from '../arm/expression/evaluator.js';
import { isExpression } from '../arm/expression/parser.js';
import { getProperty, isUnknown, Unknown, type ObjectValue, type Value } from '../resources/value.js';
import { compileCondition, type CompiledCondition, type Scope, type TraceNode, type Verdict } from './condition.js';
import { effectParameter, findParameter, type PolicyDefinition } from './definition.js';
import { compileThen, EFFECTS, isExistenceEffect, type CompiledThen, type RelatedQuery } from './effects.js';
import { PolicyCompileError, PolicyEffectError, PolicyEvaluationError } from './errors.js';
import { defaultFieldOptions, type FieldOptions, type PolicyTarget } from './field.js';
import { checkPolicyExpression, POLICY_FUNCTIONS, type PolicyEnvironment } from './functions.js';
import { policyEquals } from './operators.js';
import { supportsTagsAndLocation } from './resource-types.js';
import { isImplied } from './implied-related.js';
import { applicabilityCondition } from './applicability.js';

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
  /** `all`, `indexed`, or `provider` (a Resource Provider mode such as `Microsoft.KeyVault.Data`). */
  readonly mode: 'all' | 'indexed' | 'provider';
  /**
   * Why the definition never applies to the resources a deployment template declares (a
   * Resource Provider mode, the effects denyAction and manual); undefined = it may.
   */
  readonly notForTemplates?: string;
  readonly fields: FieldOptions;
  readonly then: CompiledThen;
  parameter(name: string): Value;
  /** Azure's applicability test (src/policy/applicability.ts), compiled when first needed. */
  applicability?(): CompiledCondition;
}

/** How evaluating a definition on one resource came out. */
export type PolicyResult =
  /** The definition does not look at this resource (its mode), or its effect is Disabled. */
  | { kind: 'not-applicable'; reason: string }
  /** The `if` does not hold, or (auditIfNotExists / deployIfNotExists) a related resource satisfies the existence condition. */
  | { kind: 'compliant'; verdict: Verdict }
  | {
      kind: 'non-compliant';
      effect: string;
      details?: Value;
      verdict: Verdict;
      reason?: string;
      /** Existence effects on a child Azure creates from the resource's own body: the resource's property that decided. */
      path?: string;
    }
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
  /**
   * `deployment`: `related` finds only what one deployment declares (a scan), so a resource it
   * does not declare may still match a query that names no resource; `all` (default): `related`
   * is every resource there is (a resource as Azure has it, with its related resources given).
   */
  relatedFrom?: 'deployment' | 'all';
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
  if (mode === 'provider') return providerModePolicy(definition, fields, parameter, options.effect);
  // The definition's own errors come before a wrong effect choice, which is the caller's.
  const condition = compileCondition(definition.if, 'policyRule.if', { fields });
  const effect = resolveEffect(definition, { functions: POLICY_FUNCTIONS, deployment: DEFAULT_DEPLOYMENT, parameter }, options.effect);
  const then = compileThen(effect, definition.then, fields);
  const notForTemplates = EFFECT_NOT_FOR_TEMPLATES[effect.toLowerCase()];
  let applicability: CompiledCondition | undefined;
  return {
    definition,
    condition,
    effect,
    mode,
    fields,
    then,
    parameter,
    applicability: () => (applicability ??= compileCondition(applicabilityCondition(definition.if), 'policyRule.if', { fields })),
    ...(notForTemplates ? { notForTemplates } : {}),
  };
}

/**
 * Effects whose outcome a deployment template cannot show. denyAction blocks the actions it
 * names (only DELETE is supported), never the create or update a deployment makes; auditAction
 * (its audit-only counterpart, e.g. built-in db4a9d17 "Users must authenticate with multi-factor
 * authentication to delete resources") records those actions; manual takes its compliance from
 * attestations made in Azure.
 */
const EFFECT_NOT_FOR_TEMPLATES: Readonly<Record<string, string>> = {
  denyaction: 'effect denyAction blocks delete requests, not the create or update a deployment makes',
  auditaction: 'effect auditAction audits the actions it names (delete) when they are requested, not the create or update a deployment makes',
  manual: 'effect manual takes its compliance from attestations made in Azure, which a template cannot show',
};

/** What each documented Resource Provider mode evaluates in Azure (definition-structure-basics). */
const PROVIDER_MODES: Readonly<Record<string, string>> = {
  'microsoft.kubernetes.data': 'Kubernetes cluster components (pods, containers, ingresses)',
  'microsoft.keyvault.data': 'Key Vault vaults, certificates, keys and secrets',
  'microsoft.network.data': 'Azure Virtual Network Manager custom membership',
  'microsoft.managedhsm.data': 'Managed HSM keys',
  'microsoft.datafactory.data': 'Data Factory outbound traffic domain names',
  'microsoft.machinelearningservices.v2.data': 'Azure Machine Learning model deployments',
  'microsoft.loadtestservice.data': 'Azure Load Testing test runs',
};

/** Why a definition of a Resource Provider mode never applies to a template's resources. */
export function providerModeReason(mode: string): string {
  const what = PROVIDER_MODES[mode.toLowerCase()] ?? 'components inside its resource provider';
  return `mode ${mode} is a Resource Provider mode: Azure evaluates it on ${what}, not on the resources of a deployment template`;
}

/**
 * Why a definition never applies to a template's resources, decided from its mode and the effect
 * in force without compiling its rule; undefined = it may apply. Throws as compiling would for a
 * mode that is not one of Azure Policy's.
 */
export function notForTemplatesReason(mode: string, effect: string): string | undefined {
  if (compileMode(mode) === 'provider') return providerModeReason(mode);
  return EFFECT_NOT_FOR_TEMPLATES[effect.toLowerCase()];
}

/**
 * A Resource Provider mode definition: it loads (so it can be listed, assigned and shown) but
 * evaluates components inside a resource provider, never the resources of a template. Its rule
 * and details are compiled when they can be, for `rules show`; when they use what only that
 * provider understands, an empty condition stands in: it is never evaluated.
 */
function providerModePolicy(
  definition: PolicyDefinition,
  fields: FieldOptions,
  parameter: (name: string) => Value,
  override: string | undefined,
): CompiledPolicy {
  const notForTemplates = providerModeReason(definition.mode);
  let condition: CompiledCondition;
  try {
    condition = compileCondition(definition.if, 'policyRule.if', { fields });
  } catch (err) {
    if (!(err instanceof PolicyCompileError)) throw err;
    condition = { at: 'policyRule.if', evaluate: () => ({ truth: false, because: [] }), fields: () => [], types: () => [] };
  }
  let effect: string;
  try {
    effect = resolveEffect(definition, { functions: POLICY_FUNCTIONS, deployment: DEFAULT_DEPLOYMENT, parameter }, override);
  } catch (err) {
    // An effect the provider defines but the resource language does not (Kubernetes' own
    // spellings) is not an error here; a wrong override still is, being the caller's.
    if (!(err instanceof PolicyCompileError)) throw err;
    const written = getProperty(definition.then, 'effect');
    effect = typeof written === 'string' ? written : 'audit';
  }
  return { definition, condition, effect, mode: 'provider', fields, then: { details: () => undefined }, parameter, notForTemplates };
}

/** Evaluates a compiled definition on one resource, as Azure would decide its compliance. */
export function evaluatePolicy(policy: CompiledPolicy, target: PolicyTarget, options: EvaluateOptions = {}): PolicyResult {
  if (policy.effect.toLowerCase() === 'disabled') return { kind: 'not-applicable', reason: 'the effect is Disabled' };
  // The effects that do not apply to templates (denyAction, manual) still evaluate here: a
  // resource as Azure has it (the raw adapter) can be judged; the template scan rule skips them.
  if (policy.mode === 'provider') return { kind: 'not-applicable', reason: policy.notForTemplates ?? 'a Resource Provider mode' };
  if (policy.mode === 'indexed') {
    const skip = notIndexed(policy, target);
    if (skip) return { kind: 'not-applicable', reason: `mode Indexed only evaluates resource types that support tags and location: ${skip}` };
  }
  const env = environment(policy, target, options.env);
  const scope: Scope = { target, exprTarget: target, env, parameter: policy.parameter, fieldOptions: policy.fields, bindings: [], trace: options.trace };
  try {
    const verdict = policy.condition.evaluate(scope);
    if (verdict.truth === 'unknown') return unknownResult(verdict);
    if (!verdict.truth) return notApplicable(policy, scope) ?? { kind: 'compliant', verdict };
    if (isExistenceEffect(policy.effect)) return existence(policy, scope, verdict, options);
    const details = policy.then.details({ ...scope, trace: undefined });
    return { kind: 'non-compliant', effect: policy.effect, verdict, ...(details === undefined ? {} : { details }) };
  } catch (err) {
    if (err instanceof PolicyEvaluationError) return { kind: 'error', message: err.message };
    throw err;
  }
}

/**
 * A resource the `if` does not hold for is compliant only if the definition applies to it
 * (policy-applicability): never for auditIfNotExists / deployIfNotExists, whose whole `if`
 * decides applicability; for other effects, when the `if` read for applicability (its type, name
 * and kind conditions) holds. Undefined: it applies, so the resource is compliant.
 */
function notApplicable(policy: CompiledPolicy, scope: Scope): PolicyResult | undefined {
  if (isExistenceEffect(policy.effect))
    return { kind: 'not-applicable', reason: `the if condition does not hold, so this ${policy.effect} definition does not apply` };
  const test = policy.applicability?.();
  if (!test) return undefined;
  const applies = test.evaluate({ ...scope, trace: undefined });
  if (applies.truth !== false) return undefined;
  return { kind: 'not-applicable', reason: 'its type, name and kind conditions do not hold (what Azure Policy reads to decide whether a definition applies)' };
}

function unknownResult(verdict: Verdict): PolicyResult {
  return {
    kind: 'unknown',
    verdict,
    reason: verdict.reason ?? 'a value the definition needs is not known before deployment',
    ...(verdict.missingAlias ? { missingAlias: verdict.missingAlias } : {}),
  };
}

/**
 * auditIfNotExists / deployIfNotExists: compliant when a related resource exists (and satisfies
 * the existence condition, evaluated on it with `field()` still reading the evaluated resource).
 */
function existence(policy: CompiledPolicy, scope: Scope, verdict: Verdict, options: EvaluateOptions): PolicyResult {
  const inner: Scope = { ...scope, trace: undefined };
  const query = policy.then.query!(inner);
  if (isUnknown(query)) return { kind: 'unknown', verdict, reason: `the related resource cannot be named: ${query.reason}` };
  const candidates = options.related?.(query);
  const details = policy.then.details(inner);
  const what = `${query.type}${query.name ? ` named '${query.name}'` : ''}`;
  if (candidates === undefined) {
    return { kind: 'unknown', verdict, reason: `whether a related ${what} exists is not known before deployment` };
  }
  let undecided: Verdict | undefined;
  let path: string | undefined;
  for (const candidate of candidates) {
    if (!policy.then.existenceCondition) return { kind: 'compliant', verdict };
    const v = policy.then.existenceCondition.evaluate({ ...inner, target: candidate, bindings: [] });
    if (v.truth === true) return { kind: 'compliant', verdict };
    if (v.truth === 'unknown') undecided ??= v;
    else if (isImplied(candidate)) {
      // A setting left out takes a service default: if one decided, the verdict is not known.
      const unset = v.because.find((w) => w.actual === undefined && !w.counted && w.path !== undefined);
      if (unset) undecided ??= { truth: 'unknown', because: [], reason: `${unset.path} is not set: ${candidate.unsetIsUnknown}` };
      const decided = v.because.find((w) => w.path !== undefined);
      if (decided && candidate.parentPath) path ??= candidate.parentPath(decided.path!);
    }
  }
  if (undecided)
    return {
      kind: 'unknown',
      verdict,
      reason: `the existence condition on a related ${what} cannot be decided: ${undecided.reason ?? 'a value is not known'}`,
    };
  // Azure: compliant when any matching related resource satisfies the existence condition. The
  // deployment is the whole story only when the definition names the one related resource it
  // means (details.name: the declared one is that resource, as deployed). Without a name every
  // resource of the type in scope matches, and one the deployment does not declare may satisfy
  // it (in a scan); so may one anywhere in the subscription (existenceScope) or in another resource group.
  const outside =
    query.existenceScope?.toLowerCase() === 'subscription'
      ? 'one anywhere in the subscription outside it may'
      : query.resourceGroupName !== undefined
        ? `one in resource group ${query.resourceGroupName} outside it may`
        : query.name === undefined && options.relatedFrom === 'deployment'
          ? `the definition matches any ${query.type}, not one by name, and one outside it may`
          : undefined;
  if (outside) return { kind: 'unknown', verdict, reason: `no related ${what} in the deployment satisfies the existence condition, but ${outside}` };
  const reason = candidates.length === 0 ? `no related ${what} exists` : `no related ${what} satisfies the existence condition`;
  return {
    kind: 'non-compliant',
    effect: policy.effect,
    verdict,
    reason,
    ...(details === undefined ? {} : { details }),
    ...(path === undefined ? {} : { path }),
  };
}

/**
 * `requestContext()` in a scan: the API version is the resource's; the caller's identity (the
 * token's claims: `idtyp`, `appid`, `acrs`) exists only when a request is made, so it is
 * Unknown and a condition reading it is undecided, never a guess (without it the MFA
 * built-ins read null and fail, an implicit deny on every resource).
 */
export function requestContextOf(apiVersion: string | undefined): ObjectValue {
  return {
    apiVersion: apiVersion ?? new Unknown('the API version of the request'),
    identity: new Unknown('the identity of the caller (requestContext().identity) is only known when a request is made'),
  };
}

function environment(policy: CompiledPolicy, target: PolicyTarget, given: Partial<PolicyEnvironment> = {}): PolicyEnvironment {
  return new EvaluationEnvironment(policy, target.apiVersion, given);
}

/**
 * What one evaluation's policy functions see. A class, not an object literal: it is made for every
 * definition and resource, and the clock had to be a getter on each one (Object.defineProperty),
 * which made a slow object every time. `requestContext()` and `policy()` are built when a
 * definition calls them (few do), once per API version and per definition.
 */
class EvaluationEnvironment implements PolicyEnvironment {
  readonly deployment: PolicyEnvironment['deployment'];
  readonly resourceGroup: Value | undefined;
  readonly subscription: Value | undefined;
  readonly #policy: CompiledPolicy;
  readonly #apiVersion: string | undefined;
  readonly #given: Partial<PolicyEnvironment>;
  constructor(policy: CompiledPolicy, apiVersion: string | undefined, given: Partial<PolicyEnvironment>) {
    this.deployment = given.deployment ?? DEFAULT_DEPLOYMENT;
    this.resourceGroup = given.resourceGroup;
    this.subscription = given.subscription;
    this.#policy = policy;
    this.#apiVersion = apiVersion;
    this.#given = given;
  }
  get requestContext(): Value {
    return this.#given.requestContext ?? sharedRequestContext(this.#apiVersion);
  }
  get policy(): Value {
    return this.#given.policy ?? policyFunctionValue(this.#policy);
  }
  // Read when utcNow() asks, not before: the scan's engine notes whether the clock was read.
  get now(): string | undefined {
    return this.#given.now;
  }
}

// Values are never changed once built, so evaluations share these.
const requestContexts = new Map<string | undefined, ObjectValue>();
function sharedRequestContext(apiVersion: string | undefined): ObjectValue {
  let value = requestContexts.get(apiVersion);
  if (!value) {
    // API versions are few; a bound all the same, for a process that lives long (the language server).
    if (requestContexts.size >= 1000) requestContexts.clear();
    requestContexts.set(apiVersion, (value = requestContextOf(apiVersion)));
  }
  return value;
}

const policyValues = new WeakMap<CompiledPolicy, ObjectValue>();
function policyFunctionValue(policy: CompiledPolicy): ObjectValue {
  let value = policyValues.get(policy);
  if (!value) {
    const d = policy.definition;
    value = {
      assignmentId: new Unknown('the policy assignment id: Tollgate evaluates definitions, not assignments'),
      definitionId: d.id ?? `/providers/Microsoft.Authorization/policyDefinitions/${d.name}`,
      setDefinitionId: '',
      definitionReferenceId: '',
    };
    policyValues.set(policy, value);
  }
  return value;
}

/**
 * Mode Indexed evaluates only resource types that support tags and location (both: "indexed:
 * only evaluate resource types that support tags and location", definition-structure-basics).
 * Resource groups and subscriptions are left to mode All, as the same page says. Where it
 * comes from: an alias table given with provider data (`capabilities`), else Azure's resource
 * type schemas shipped in catalog/resource-types/, read on first use. A type neither knows is
 * evaluated. Returns why the resource is not evaluated, or undefined.
 */
function notIndexed(policy: CompiledPolicy, target: PolicyTarget): string | undefined {
  const type = target.type.toLowerCase();
  if (
    type === 'microsoft.resources/subscriptions' ||
    type === 'microsoft.resources/resourcegroups' ||
    type === 'microsoft.resources/subscriptions/resourcegroups'
  ) {
    return `${target.type} is evaluated only by mode All`;
  }
  // A deployment takes a location only at subscription, management group or tenant scope (where
  // it stores the deployment's data); at resource group scope it has none, so the type's
  // location support does not reach it: a nested deployment or module into a resource group is
  // not a resource an Indexed definition (Allowed locations, required tags) judges.
  if (type === 'microsoft.resources/deployments' && (getProperty(target.body, 'location') ?? null) === null) {
    return `a deployment without a location (resource group scope) does not support location`;
  }
  const caps = policy.fields.aliases.capabilities(target.type);
  if (caps !== undefined) return /supportstags/i.test(caps) && /supportslocation/i.test(caps) ? undefined : `${target.type} does not (${caps})`;
  const supported = supportsTagsAndLocation(target.type, target.apiVersion);
  if (supported !== false) return undefined;
  return `${target.type}${target.apiVersion ? ` at API version ${target.apiVersion}` : ''} does not`;
}

/** All and Indexed; a Resource Provider mode (`Microsoft.<Provider>.Data`, also `.v2.Data`); nothing else. */
function compileMode(mode: string): 'all' | 'indexed' | 'provider' {
  const m = mode.toLowerCase();
  if (m === 'all' || m === 'indexed') return m;
  if (/^[a-z0-9]+(\.[a-z0-9]+)*\.data$/i.test(mode)) return 'provider';
  throw new PolicyCompileError(
    `mode '${mode}' is not a mode of Azure Policy (All, Indexed, or a Resource Provider mode such as Microsoft.KeyVault.Data)`,
    'mode',
  );
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
