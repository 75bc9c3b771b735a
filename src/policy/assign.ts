import { DEFAULT_DEPLOYMENT } from '../arm/expression/context.js';
import { evaluateExpressionText } from '../arm/expression/evaluator.js';
import { isExpression } from '../arm/expression/parser.js';
import { isAtOrUnder, type Resource } from '../resources/resource.js';
import { getProperty, isUnknown, setOwn, type Value } from '../resources/value.js';
import type { CheckContext } from '../rules/rule.js';
import { resourceSelected, selectorsMatch, type Assignment, type AssignmentOverride, type SelectorFacts } from './assignment.js';
import type { PolicyDefinition, PolicyParameter } from './definition.js';
import { pickVersion } from './definition-version.js';
import { POLICY_FUNCTIONS } from './functions.js';
import type { Initiative } from './initiative.js';
import { createPolicyRule, type PolicyRule, type PolicySidecar } from './policy-rule.js';
import { fail, ok, type Result } from '../result.js';

/** A definition Tollgate can run: shipped, or loaded with --policy. */
export interface KnownDefinition {
  definition: PolicyDefinition;
  sidecar?: PolicySidecar;
  source?: string;
}

export const UNAVAILABLE_DEFINITION = 'Tollgate does not have the definition';
/** The start of the reason of a reference Tollgate has but that cannot apply to a template. */
export const NOT_FOR_TEMPLATES = 'not applicable to deployment templates';

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
  /** Why: Tollgate lacks the definition, or lacks the version the reference asks for. */
  reason: string;
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
export function assignRules(
  assignment: Assignment,
  target: { initiative: Initiative } | { definitions: readonly KnownDefinition[] },
  /** The versions of a definition Tollgate has; `pattern` is the pin, so that older versions are read only when it asks for one. */
  lookup: (name: string, pattern?: string) => readonly KnownDefinition[],
): Assigned {
  const out: Assigned = { rules: [], unavailable: [], problems: [] };
  for (const o of assignment.overrides) {
    if (!OVERRIDE_KINDS.has(o.kind.toLowerCase()))
      out.problems.push(`an override of kind '${o.kind}' is ignored: Azure Policy defines policyEffect and definitionVersion`);
    for (const sel of o.selectors)
      if (!SELECTOR_KINDS.has(sel.kind.toLowerCase()))
        out.problems.push(
          `an override selector of kind '${sel.kind}' matches nothing: Azure Policy defines resourceLocation, resourceType, resourceWithoutLocation and policyDefinitionReferenceId`,
        );
  }
  if ('definitions' in target) {
    const { picked, problem } = pickVersion(target.definitions, (k) => k.definition.version, assignment.definitionVersion, listedVersions(target.definitions));
    if (!picked) {
      out.problems.push(`${target.definitions[0]?.definition.name ?? assignment.targetName}: ${problem ?? 'no definition'}; the assignment is not evaluated`);
      return out;
    }
    const made = build(assignment, picked, target.definitions, assignment.parameters, undefined, out.problems);
    if (made?.notForTemplates)
      out.problems.push(`${picked.definition.name}: ${NOT_FOR_TEMPLATES}: ${made.notForTemplates}; the assignment reports nothing on a template`);
    if (made) out.rules.push({ rule: made, assignment, groups: [] });
    return out;
  }
  const { initiative } = target;
  if (
    assignment.definitionVersion !== undefined &&
    initiative.version !== undefined &&
    !pickVersion([initiative], (i) => i.version, assignment.definitionVersion).picked
  ) {
    out.problems.push(
      `the assignment asks for version ${assignment.definitionVersion} of initiative ${initiative.name}; Tollgate has ${initiative.version} and evaluates that`,
    );
  }
  const setValues = initiativeParameters(initiative.parameters, assignment.parameters, out.problems);
  for (const ref of initiative.references) {
    const versions = lookup(ref.definitionName, ref.definitionVersion);
    const { picked: known, problem } = versions.length
      ? pickVersion(versions, (k) => k.definition.version, ref.definitionVersion, listedVersions(versions))
      : { picked: undefined, problem: UNAVAILABLE_DEFINITION };
    const unavailable = (reason: string) =>
      out.unavailable.push({
        assignment: assignment.name,
        initiative: initiative.name,
        referenceId: ref.referenceId,
        definitionId: ref.definitionId,
        groups: ref.groupNames,
        reason,
      });
    if (!known) {
      unavailable(problem ?? UNAVAILABLE_DEFINITION);
      continue;
    }
    const values: Record<string, Value> = {};
    let resolved = true;
    for (const [name, raw] of Object.entries(ref.parameters)) {
      try {
        setOwn(values, name, resolveValue(raw, setValues));
      } catch (err) {
        out.problems.push(`${ref.referenceId}: parameter '${name}': ${(err as Error).message}`);
        resolved = false;
      }
    }
    if (!resolved) continue;
    const made = build(assignment, known, versions, values, ref.referenceId, out.problems);
    // A Resource Provider mode or a denyAction reference: Azure reports compliance for it, on
    // something a template does not hold, so it is counted with those not available offline.
    if (made?.notForTemplates) {
      unavailable(`${NOT_FOR_TEMPLATES}: ${made.notForTemplates}`);
      continue;
    }
    if (made) out.rules.push({ rule: made, assignment, initiative, referenceId: ref.referenceId, groups: ref.groupNames });
  }
  return out;
}

/** The assignment's values over the initiative's defaults; a parameter with neither is a problem (its references then fail to compile). */
export function initiativeParameters(declared: readonly PolicyParameter[], given: Record<string, Value>, problems: string[]): Map<string, Value> {
  const out = new Map<string, Value>();
  for (const p of declared) {
    const key = Object.keys(given).find((k) => k.toLowerCase() === p.name.toLowerCase());
    const value = key !== undefined ? given[key] : p.defaultValue;
    if (value !== undefined) out.set(p.name.toLowerCase(), value);
  }
  for (const k of Object.keys(given))
    if (!declared.some((p) => p.name.toLowerCase() === k.toLowerCase()))
      problems.push(`the assignment sets parameter '${k}', which the initiative does not declare`);
  return out;
}

/** A reference's parameter value: literal, or an expression over the initiative's parameters. */
export function resolveValue(raw: Value, setValues: Map<string, Value>): Value {
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

/** What decides which variant of a definition a resource meets. */
type Facts = SelectorFacts;

const RESOURCE_SELECTOR_KINDS = new Set(['resourcetype', 'resourcelocation', 'resourcewithoutlocation']);
const OVERRIDE_KINDS = new Set(['policyeffect', 'definitionversion']);
const SELECTOR_KINDS = new Set([...RESOURCE_SELECTOR_KINDS, 'policydefinitionreferenceid']);

/**
 * The rule for one definition of an assignment. Overrides (`policyEffect`, `definitionVersion`)
 * apply where their selectors match; the last matching override of a kind wins. Selectors on the
 * reference id are settled here; selectors on resources (type, location) per resource, each
 * variant compiled once.
 */
function build(
  assignment: Assignment,
  known: KnownDefinition,
  versions: readonly KnownDefinition[],
  parameters: Record<string, Value>,
  referenceId: string | undefined,
  problems: string[],
): PolicyRule | undefined {
  const ref = referenceId ?? '';
  const where = referenceId ?? known.definition.name;
  const mine = assignment.overrides.filter(
    (o) =>
      OVERRIDE_KINDS.has(o.kind.toLowerCase()) &&
      selectorsMatch(
        o.selectors.filter((s) => !RESOURCE_SELECTOR_KINDS.has(s.kind.toLowerCase())),
        { type: '', referenceId: ref },
      ),
  );
  const variants = new Map<string, Result<PolicyRule>>();
  /** The rule for an effect and a version pattern (undefined: the assignment's), or why it cannot be built. */
  const variant = (effect: string | undefined, version: string | undefined): Result<PolicyRule> => {
    const key = `${effect ?? ''}\u0000${version ?? ''}`;
    let made = variants.get(key);
    if (made === undefined) {
      made = compileVariant(version === undefined ? [known] : versions, version, effect, parameters);
      variants.set(key, made);
    }
    return made;
  };
  const choose = (overrides: readonly AssignmentOverride[], facts: Facts) =>
    variant(lastMatching(overrides, 'policyeffect', facts)?.value, lastMatching(overrides, 'definitionversion', facts)?.value);

  const settled = mine.filter((o) => !hasResourceSelector(o));
  const base = choose(settled, { type: '', referenceId: ref });
  if (!base.ok) {
    problems.push(`${where}: ${base.error}`);
    return undefined;
  }
  if (settled.length === mine.length) return scoped(base.value, assignment, referenceId);
  // Each value a resource-selecting override can set is compiled now: a bad effect or version is
  // reported once, at load, and resources it would select keep the assignment's rule.
  for (const o of mine.filter(hasResourceSelector)) {
    const made = o.kind.toLowerCase() === 'policyeffect' ? variant(o.value, undefined) : variant(undefined, o.value);
    if (!made.ok) problems.push(`${where}: override ${o.kind} '${o.value}': ${made.error}`);
  }
  return scoped(
    perResourceRule(base.value, (resource) => choose(mine, factsOf(resource, ref))),
    assignment,
    referenceId,
    true,
  );
}

function listedVersions(known: readonly KnownDefinition[]): string[] {
  return known.flatMap((k) => k.definition.versions);
}

function hasResourceSelector(o: AssignmentOverride): boolean {
  return o.selectors.some((s) => RESOURCE_SELECTOR_KINDS.has(s.kind.toLowerCase()));
}

function lastMatching(overrides: readonly AssignmentOverride[], kind: string, facts: Facts): AssignmentOverride | undefined {
  let found: AssignmentOverride | undefined;
  for (const o of overrides) if (o.kind.toLowerCase() === kind && selectorsMatch(o.selectors, facts)) found = o;
  return found;
}

function factsOf(resource: Resource, referenceId: string): Facts {
  const location = getProperty(resource.body, 'location');
  return { type: resource.type, location: typeof location === 'string' ? location : undefined, id: resource.id, referenceId };
}

function compileVariant(
  candidates: readonly KnownDefinition[],
  version: string | undefined,
  effect: string | undefined,
  parameters: Record<string, Value>,
): Result<PolicyRule> {
  const { picked, problem } =
    version === undefined
      ? { picked: candidates[0], problem: undefined }
      : pickVersion(candidates, (k) => k.definition.version, version, listedVersions(candidates));
  if (!picked) return fail(problem ?? 'no such version');
  try {
    return ok(createPolicyRule(picked.definition, { parameters, ...(effect ? { effect } : {}), sidecar: picked.sidecar, source: picked.source }));
  } catch (err) {
    return fail((err as Error).message);
  }
}

/**
 * One rule whose effect or definition version depends on the resource (overrides with resource
 * selectors). Findings carry the level and effect of the variant that produced them.
 */
function perResourceRule(base: PolicyRule, choose: (resource: Resource) => Result<PolicyRule>): PolicyRule {
  return Object.assign(Object.create(base) as PolicyRule, {
    check(resource: Resource, ctx: CheckContext) {
      const chosen = choose(resource);
      const run = chosen.ok ? chosen.value : base;
      if (!run.enabled) return ctx.skip(`an override of the assignment sets effect ${run.effect} for this resource`);
      if (run === base) return base.check(resource, ctx);
      run.check(resource, { ...ctx, report: (f) => ctx.report({ ...f, level: run.meta.level, effect: run.meta.effect }) });
    },
  });
}

/** The rule as the assignment runs it: out of scope resources are skipped, messages added, DoNotEnforce never blocks. */
/** `levelsPerFinding`: the rule sets each finding's level (per-resource overrides), so DoNotEnforce must lower them one by one. */
function scoped(rule: PolicyRule, assignment: Assignment, referenceId: string | undefined, levelsPerFinding = false): PolicyRule {
  const message =
    assignment.nonComplianceMessages.find(
      (m) => m.policyDefinitionReferenceId !== undefined && m.policyDefinitionReferenceId.toLowerCase() === referenceId?.toLowerCase(),
    ) ?? assignment.nonComplianceMessages.find((m) => m.policyDefinitionReferenceId === undefined);
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
      if (!resourceSelected(assignment.resourceSelectors, factsOf(resource, referenceId ?? ''))) {
        return ctx.skip(`not selected by the resourceSelectors of assignment ${assignment.name}`);
      }
      if (!message && (enforce || !levelsPerFinding)) return rule.check(resource, ctx);
      const text = message?.message.replace(/\{enforcementMode\}/g, enforce ? 'must' : 'should');
      rule.check(resource, {
        ...ctx,
        report: (f) =>
          ctx.report({
            ...f,
            ...(text ? { message: `${f.message}. ${assignment.displayName}: ${text}` } : {}),
            // A level set by a per-resource override is subject to DoNotEnforce too.
            ...(!enforce && f.level === 'error' ? { level: 'warning' as const } : {}),
          }),
      });
    },
  });
  return wrapped;
}
