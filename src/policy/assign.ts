import { DEFAULT_DEPLOYMENT } from '../arm/expression/context.js';
import { evaluateExpressionText } from '../arm/expression/evaluator.js';
import { isExpression } from '../arm/expression/parser.js';
import { isAtOrUnder, type Resource } from '../resources/resource.js';
import { getProperty, isUnknown, type Value } from '../resources/value.js';
import type { CheckContext } from '../rules/rule.js';
import { resourceSelected, selectorsMatch, type Assignment } from './assignment.js';
import type { PolicyDefinition, PolicyParameter } from './definition.js';
import { POLICY_FUNCTIONS } from './functions.js';
import type { Initiative } from './initiative.js';
import { createPolicyRule, type PolicyRule, type PolicySidecar } from './policy-rule.js';

/** A definition Tollgate can run: shipped, or loaded with --policy. */
export interface KnownDefinition {
  definition: PolicyDefinition;
  sidecar?: PolicySidecar;
  source?: string;
}

/** One definition as an assignment runs it. */
export interface AssignedRule {
  rule: PolicyRule;
  assignment: Assignment;
  initiative?: Initiative;
  referenceId?: string;
  /** The initiative's groups (controls) this reference belongs to. */
  groups: string[];
}

/** A reference of an assigned initiative whose definition Tollgate does not have: listed, never dropped. */
export interface UnavailableReference {
  assignment: string;
  initiative: string;
  referenceId: string;
  definitionId: string;
  groups: string[];
}

export interface Assigned {
  rules: AssignedRule[];
  unavailable: UnavailableReference[];
  /** Problems with this assignment (a parameter that cannot be resolved, an unsupported override); the other references still run. */
  problems: string[];
}

/**
 * The rules an assignment runs: each definition of the assigned initiative (or the assigned
 * definition) with the parameter values the assignment and the initiative give it, the
 * effect overrides, enforcement mode, excluded scopes, resource selectors and non-compliance
 * messages of the assignment.
 */
export function assignRules(assignment: Assignment, target: { initiative: Initiative } | { definition: KnownDefinition }, lookup: (name: string) => KnownDefinition | undefined): Assigned {
  const out: Assigned = { rules: [], unavailable: [], problems: [] };
  if ('definition' in target) {
    const made = build(assignment, target.definition, assignment.parameters, undefined, out.problems);
    if (made) out.rules.push({ rule: made, assignment, groups: [] });
    return out;
  }
  const { initiative } = target;
  const setValues = initiativeParameters(initiative.parameters, assignment.parameters, out.problems);
  for (const ref of initiative.references) {
    const known = lookup(ref.definitionName);
    if (!known) {
      out.unavailable.push({ assignment: assignment.name, initiative: initiative.name, referenceId: ref.referenceId, definitionId: ref.definitionId, groups: ref.groupNames });
      continue;
    }
    const values: Record<string, Value> = {};
    let resolved = true;
    for (const [name, raw] of Object.entries(ref.parameters)) {
      try {
        values[name] = resolveValue(raw, setValues);
      } catch (err) {
        out.problems.push(`${ref.referenceId}: parameter '${name}': ${(err as Error).message}`);
        resolved = false;
      }
    }
    if (!resolved) continue;
    const made = build(assignment, known, values, ref.referenceId, out.problems);
    if (made) out.rules.push({ rule: made, assignment, initiative, referenceId: ref.referenceId, groups: ref.groupNames });
  }
  return out;
}

/** The assignment's values over the initiative's defaults; a parameter with neither is a problem (its references then fail to compile). */
function initiativeParameters(declared: readonly PolicyParameter[], given: Record<string, Value>, problems: string[]): Map<string, Value> {
  const out = new Map<string, Value>();
  for (const p of declared) {
    const key = Object.keys(given).find((k) => k.toLowerCase() === p.name.toLowerCase());
    const value = key !== undefined ? given[key] : p.defaultValue;
    if (value !== undefined) out.set(p.name.toLowerCase(), value);
  }
  for (const k of Object.keys(given)) if (!declared.some((p) => p.name.toLowerCase() === k.toLowerCase())) problems.push(`the assignment sets parameter '${k}', which the initiative does not declare`);
  return out;
}

/** A reference's parameter value: literal, or an expression over the initiative's parameters. */
function resolveValue(raw: Value, setValues: Map<string, Value>): Value {
  if (typeof raw !== 'string' || !isExpression(raw)) return raw;
  const value = evaluateExpressionText(raw, {
    functions: POLICY_FUNCTIONS,
    deployment: DEFAULT_DEPLOYMENT,
    parameter: (name: string) => {
      const v = setValues.get(name.toLowerCase());
      if (v === undefined) throw new Error(`the initiative parameter '${name}' has no value and no defaultValue`);
      return v;
    },
  });
  if (isUnknown(value)) throw new Error(`'${raw}' cannot be evaluated offline`);
  return value;
}

function build(assignment: Assignment, known: KnownDefinition, parameters: Record<string, Value>, referenceId: string | undefined, problems: string[]): PolicyRule | undefined {
  const effect = effectOverride(assignment, referenceId, problems);
  let rule: PolicyRule;
  try {
    rule = createPolicyRule(known.definition, { parameters, ...(effect ? { effect } : {}), sidecar: known.sidecar, source: known.source });
  } catch (err) {
    problems.push(`${referenceId ?? known.definition.name}: ${(err as Error).message}`);
    return undefined;
  }
  return scoped(rule, assignment, referenceId);
}

/** `overrides` of kind policyEffect: the last one whose selectors name this reference wins. */
function effectOverride(assignment: Assignment, referenceId: string | undefined, problems: string[]): string | undefined {
  let effect: string | undefined;
  for (const o of assignment.overrides) {
    if (o.kind.toLowerCase() !== 'policyeffect') continue;
    const other = o.selectors.find((s) => s.kind.toLowerCase() !== 'policydefinitionreferenceid');
    if (other) {
      problems.push(`an effect override with a '${other.kind}' selector is not applied: Tollgate applies overrides by policyDefinitionReferenceId only`);
      continue;
    }
    if (selectorsMatch(o.selectors, { type: '', referenceId: referenceId ?? '' })) effect = o.value;
  }
  return effect;
}

/** The rule as the assignment runs it: out of scope resources are skipped, messages added, DoNotEnforce never blocks. */
function scoped(rule: PolicyRule, assignment: Assignment, referenceId: string | undefined): PolicyRule {
  const message = assignment.nonComplianceMessages.find((m) => m.policyDefinitionReferenceId !== undefined && m.policyDefinitionReferenceId.toLowerCase() === referenceId?.toLowerCase()) ?? assignment.nonComplianceMessages.find((m) => m.policyDefinitionReferenceId === undefined);
  const enforce = assignment.enforcementMode === 'Default';
  const wrapped: PolicyRule = Object.assign(Object.create(rule) as PolicyRule, {
    meta: {
      ...rule.meta,
      // DoNotEnforce: Azure still evaluates and reports, but a Deny does not block the deployment.
      ...(enforce ? {} : { level: rule.meta.level === 'error' ? 'warning' : rule.meta.level }),
      assignment: assignment.name,
      ...(referenceId ? { referenceId } : {}),
    },
    check(resource: Resource, ctx: CheckContext) {
      const excluded = assignment.notScopes.find((s) => isAtOrUnder(s, resource.id));
      if (excluded) return ctx.skip(`excluded by the notScopes of assignment ${assignment.name} (${excluded})`);
      const location = getProperty(resource.body, 'location');
      if (!resourceSelected(assignment.resourceSelectors, { type: resource.type, location: typeof location === 'string' ? location : undefined })) {
        return ctx.skip(`not selected by the resourceSelectors of assignment ${assignment.name}`);
      }
      if (!message) return rule.check(resource, ctx);
      const text = message.message.replace(/\{enforcementMode\}/g, enforce ? 'must' : 'should');
      rule.check(resource, { ...ctx, report: (f) => ctx.report({ ...f, message: `${f.message}. ${assignment.displayName}: ${text}` }) });
    },
  });
  return wrapped;
}
