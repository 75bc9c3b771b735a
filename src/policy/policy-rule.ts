import { DEFAULT_DEPLOYMENT, type EvalContext } from '../arm/expression/context.js';
import { evaluateExpressionText } from '../arm/expression/evaluator.js';
import { isExpression } from '../arm/expression/parser.js';
import { ARM_FUNCTIONS, functionTable } from '../arm/functions/index.js';
import type { Equivalent, Level, RuleMeta, Severity } from '../findings/finding.js';
import { leafName, type Resource } from '../resources/resource.js';
import { isUnknown, type Value } from '../resources/value.js';
import type { Rule } from '../rules/rule.js';
import { compileCondition, MissingAlias, type CompiledCondition, type Scope, type TraceNode, type Verdict, type Witness } from './condition.js';
import { effectParameter, findParameter, type PolicyDefinition } from './definition.js';
import { PolicyCompileError, PolicyEffectError } from './errors.js';
import { compileField, type FieldAccessor } from './field.js';
import { policyEquals } from './operators.js';

/** Tollgate's own notes on a shipped definition, kept beside its JSON as `<name>.tollgate.json`. */
export interface PolicySidecar {
  severity?: Severity;
  /** One clause on why it matters, used in finding messages. */
  summary?: string;
  remediation?: string;
  helpUri?: string;
  /** Checks in other tools; `note` says how close they are. */
  equivalents?: (Equivalent & { note?: string })[];
  /** Other tools that were looked at and have no counterpart, with what was found. */
  noEquivalent?: { tool: string; note: string }[];
}

export interface PolicyRuleOptions {
  /** The effect to use instead of the definition's; must be one of its allowed effects. */
  effect?: string;
  /** Values for the definition's parameters; missing ones take their `defaultValue`. */
  parameters?: Record<string, unknown>;
  /** Where the definition came from (display path), for messages. */
  source?: string;
  sidecar?: PolicySidecar;
}

export interface PolicyRule extends Rule {
  readonly definition: PolicyDefinition;
  /** The effect in force, spelled as the definition's allowed values spell it. */
  readonly effect: string;
  readonly source?: string;
  readonly sidecar: PolicySidecar;
  /** Evaluates with a trace of every condition looked at: for `explain` and for tests. */
  explain(resource: Resource): { verdict: Verdict; trace: TraceNode[] };
}

// What a non-compliant resource means for the run: only the blocking effects fail it.
const LEVEL_BY_EFFECT: Readonly<Record<string, Level>> = { deny: 'error', denyaction: 'error' };

/**
 * Wraps a definition as a `Rule`. Its `if` is compiled and its effect resolved once, here;
 * `check` only evaluates. Throws PolicyCompileError for a definition it cannot run, and
 * PolicyEffectError for an effect the definition does not allow.
 */
export function createPolicyRule(definition: PolicyDefinition, options: PolicyRuleOptions = {}): PolicyRule {
  const parameters = resolveParameters(definition, options.parameters ?? {});
  const baseCtx: EvalContext = {
    functions: POLICY_FUNCTIONS,
    deployment: DEFAULT_DEPLOYMENT,
    parameter: (name) => {
      const p = findParameter(definition, name);
      if (!p) throw new PolicyCompileError(`the definition has no parameter '${name}'`);
      const value = parameters.get(p.name);
      if (value === undefined) throw new PolicyCompileError(`parameter '${p.name}' has no value and no defaultValue`);
      return value;
    },
  };
  // The definition's own errors come before a wrong effect choice, which is the caller's.
  const condition: CompiledCondition = compileCondition(definition.if);
  const effect = resolveEffect(definition, baseCtx, options.effect);
  const sidecar = options.sidecar ?? {};
  const types = condition.types();
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
    equivalents: [{ tool: 'azure-policy', id: definition.name }, ...(sidecar.equivalents ?? []).map(({ tool, id, ref }) => (ref ? { tool, id, ref } : { tool, id }))],
    // '*' = the rule names no resource type it could be narrowed to: the engine runs it on every resource.
    appliesTo: types.length > 0 ? types : ['*'],
  };

  const scopeFor = (resource: Resource, trace?: TraceNode[]): Scope => ({
    resource,
    ctx: { ...baseCtx, field: (path) => fieldFunction(resource, path) },
    trace,
  });

  return {
    meta,
    definition,
    effect,
    source: options.source ?? definition.file,
    sidecar,
    enabled: effect.toLowerCase() !== 'disabled',
    check(resource, ctx) {
      const verdict = condition.evaluate(scopeFor(resource));
      if (verdict.truth === 'unknown') {
        if (verdict.missingAlias) {
          ctx.skip(`not applicable: the alias '${verdict.missingAlias}' is not in Tollgate's alias table, so policy ${definition.name} cannot be evaluated`);
        } else {
          ctx.unknown(verdict.reason ?? 'a value the definition needs is not known before deployment');
        }
        return;
      }
      if (!verdict.truth) return;
      const witness = findingWitness(verdict.because);
      ctx.report({ path: witness?.path, message: messageFor(definition, sidecar, effect, resource, witness) });
    },
    explain(resource) {
      const trace: TraceNode[] = [];
      const verdict = condition.evaluate(scopeFor(resource, trace));
      return { verdict, trace };
    },
  };
}

/** The property a finding points at: the first deciding condition on the resource's content, not its type. */
function findingWitness(because: Witness[]): Witness | undefined {
  return because.find((w) => w.path !== undefined && w.field?.toLowerCase() !== 'type');
}

function messageFor(definition: PolicyDefinition, sidecar: PolicySidecar, effect: string, resource: Resource, witness: Witness | undefined): string {
  const shown = witness?.path?.replace(/^properties\./i, '');
  const what = !witness || !shown ? 'matches the policy rule' : witness.actual === undefined ? `does not set ${shown}` : `sets ${shown} to ${JSON.stringify(witness.actual)}`;
  const why = sidecar.summary ?? definition.displayName;
  return `${typeNoun(resource.type)} '${leafName(resource)}' ${what}: ${why} (policy ${definition.name}, effect ${effect})`;
}

/** `Microsoft.ApiManagement/service/backends` -> `Backend`. */
function typeNoun(type: string): string {
  const last = type.split('/').pop() ?? type;
  const singular = /ies$/i.test(last) ? `${last.slice(0, -3)}y` : /s$/i.test(last) ? last.slice(0, -1) : last;
  return singular.charAt(0).toUpperCase() + singular.slice(1);
}

/** Given values (checked against the definition) over defaults; keys are the definition's spelling. */
function resolveParameters(definition: PolicyDefinition, given: Record<string, unknown>): Map<string, Value> {
  const out = new Map<string, Value>();
  for (const [name, value] of Object.entries(given)) {
    const p = findParameter(definition, name);
    if (!p) throw new PolicyCompileError(`the definition has no parameter '${name}'`);
    if (p.allowedValues && !p.allowedValues.some((a) => policyEquals(a, value as Value))) {
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
 * values. Either way it must be one of the effect parameter's allowed values.
 */
function resolveEffect(definition: PolicyDefinition, ctx: EvalContext, override: string | undefined): string {
  const param = effectParameter(definition);
  const allowed = param?.allowedValues?.filter((a): a is string => typeof a === 'string');
  const canonical = (effect: string, what: string): string => {
    if (!allowed) return effect;
    const match = allowed.find((a) => a.toLowerCase() === effect.toLowerCase());
    if (!match) throw new PolicyEffectError(`${what} '${effect}' is not one of the allowed effects (${allowed.join(', ')})`);
    return match;
  };
  const raw = definition.effect;
  if (override !== undefined) {
    const fixed = !param && typeof raw === 'string' && !isExpression(raw);
    if (fixed && raw.toLowerCase() !== override.toLowerCase() && override.toLowerCase() !== 'disabled') {
      throw new PolicyEffectError(`the effect '${override}' cannot be used: the definition fixes its effect to '${raw}' (only Disabled can replace it)`);
    }
    return canonical(override, 'the effect');
  }
  const value = typeof raw === 'string' && isExpression(raw) ? evaluateExpressionText(raw, ctx) : raw;
  if (isUnknown(value) || typeof value !== 'string') throw new PolicyCompileError(`then.effect must give a string, got ${JSON.stringify(value)}`);
  return canonical(value, 'the effect');
}

/** `field()` in a policy expression reads the resource as a `field` condition does. */
function fieldFunction(resource: Resource, path: string): Value {
  const accessor = fieldAccessor(path);
  if (accessor.kind === 'unknown-alias') return new MissingAlias(path);
  return accessor.read(resource) ?? null;
}

const accessors = new Map<string, FieldAccessor>();
function fieldAccessor(path: string): FieldAccessor {
  const key = path.toLowerCase();
  let a = accessors.get(key);
  if (!a) accessors.set(key, (a = compileField(path)));
  return a;
}

/** The shared ARM library plus what only policy rules have. */
const POLICY_FUNCTIONS = functionTable(
  [...ARM_FUNCTIONS.values()],
  [
    {
      name: 'field',
      minArgs: 1,
      maxArgs: 1,
      eager: ([path], ctx) => {
        if (typeof path !== 'string') throw new PolicyCompileError('field() takes a field name');
        if (!ctx.field) throw new PolicyCompileError('field() is only available while evaluating a resource');
        return ctx.field(path);
      },
    },
  ],
);

/** A trace as indented lines: `✓`/`✗`/`?` then the condition. */
export function formatTrace(nodes: readonly TraceNode[], indent = ''): string[] {
  return nodes.flatMap((n) => [`${indent}${n.truth === 'unknown' ? '?' : n.truth ? '✓' : '✗'} ${n.text}`, ...formatTrace(n.children, `${indent}  `)]);
}
