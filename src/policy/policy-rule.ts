import type { Level, Severity } from '../findings/finding.js';
import type { FixValue } from '../findings/fix-intent.js';
import type { Equivalent, RuleMeta } from '../rules/rule-meta.js';
import { leafName, type Resource } from '../resources/resource.js';
import { getPath, getProperty, isObject, type Value } from '../resources/value.js';
import type { CheckContext, Rule } from '../rules/rule.js';
import type { TraceNode, Verdict, Witness } from './condition.js';
import type { PolicyDefinition } from './definition.js';
import type { RelatedQuery } from './effects.js';
import { compilePolicy, evaluatePolicy, notForTemplatesReason, resolveParameters, type CompiledPolicy, type PolicyResult } from './engine.js';
import { EFFECTS } from './effects.js';
import { effectParameter } from './definition.js';
import { ruleTypes } from './rule-types.js';
import type { FieldOptions, PolicyTarget } from './field.js';
import { resourcesOfType } from '../resources/by-type.js';
import { impliedRelated, withDefaultsUnknown } from './implied-related.js';

/**
 * The evaluation environment a rule's check gives a definition: the clock read from the rule's
 * context when utcNow() asks (engine.ts: the outcome is then one of today). A class, not an
 * object literal with a getter: one is made per definition and resource, and such a literal is
 * built slowly.
 */
class ClockOf {
  readonly #ctx: CheckContext;
  constructor(ctx: CheckContext) {
    this.#ctx = ctx;
  }
  get now(): string | undefined {
    return this.#ctx.now ? policyTime(this.#ctx.now) : undefined;
  }
}

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
  /**
   * A stricter variant another tool applies, offered as an option (off by default): with
   * `rules.<id>.options.<option>: true`, a compliant resource of `type` still fails where one
   * of `paths` is not written as `true`.
   */
  requireExplicit?: { option: string; type: string; paths: string[]; tool: string };
  /**
   * Safe fixes, curated per definition (never derived from the rule): a non-compliant finding at `path`
   * (compared ignoring case) gets the fix "set `path` to `value`".
   */
  fixes?: { path: string; value: FixValue }[];
}

export interface PolicyRuleOptions {
  /** The effect to use instead of the definition's; must be one of its allowed effects. */
  effect?: string;
  /** Values for the definition's parameters; missing ones take their `defaultValue`. */
  parameters?: Record<string, unknown>;
  /** Where the definition came from (display path), for messages. */
  source?: string;
  sidecar?: PolicySidecar;
  /** The alias table fields resolve against (default: Tollgate's shipped table). */
  fields?: FieldOptions;
}

export interface PolicyRule extends Rule {
  readonly definition: PolicyDefinition;
  /** The effect in force, spelled as the definition's allowed values spell it. */
  readonly effect: string;
  readonly source?: string;
  readonly sidecar: PolicySidecar;
  /** The compiled definition, for evaluating outside a scan. */
  readonly compiled: CompiledPolicy;
  /** Parameters with neither a default nor a value: the rule cannot run until they are given. */
  readonly unsetParameters: readonly string[];
  /** Why the definition never applies to a template's resources (Resource Provider mode, denyAction, manual): listed, not run. */
  readonly notForTemplates?: string;
  /** Evaluates with a trace of every condition looked at: for `explain` and for tests. */
  explain(resource: Resource): { verdict: Verdict; trace: TraceNode[] };
}

// What a non-compliant resource means for the run: only the blocking effects fail it.
// A Map, not an object literal: an effect name is input and must never read a prototype member.
const LEVEL_BY_EFFECT: ReadonlyMap<string, Level> = new Map([
  ['deny', 'error'],
  ['denyaction', 'error'],
  ['auditaction', 'warning'],
]);

/**
 * Wraps a definition as a `Rule`. Its `if` is compiled and its effect resolved once, here;
 * `check` only evaluates. Throws PolicyCompileError for a definition it cannot run, and
 * PolicyEffectError for an effect the definition does not allow.
 */
export function createPolicyRule(definition: PolicyDefinition, options: PolicyRuleOptions = {}): PolicyRule {
  const compiled = compilePolicy(definition, { effect: options.effect, parameters: options.parameters, fields: options.fields });
  const { effect, condition } = compiled;
  const sidecar = options.sidecar ?? {};
  const unset = unsetParameters(definition, options.parameters);
  const meta = policyMeta(definition, effect, sidecar, condition.types());

  return {
    meta,
    definition,
    effect,
    compiled,
    source: options.source ?? definition.file,
    sidecar,
    // A definition whose parameters have no default (a workspace id, a location) needs an
    // assignment to supply them: it is listed, and runs once assigned with values.
    // One that cannot apply to a template (a Resource Provider mode, denyAction) is listed with why.
    enabled: effect.toLowerCase() !== 'disabled' && compiled.notForTemplates === undefined && unset.length === 0,
    unsetParameters: unset,
    ...(compiled.notForTemplates ? { notForTemplates: compiled.notForTemplates } : {}),
    check(resource, ctx) {
      // Run anyway (`--rules all`, an assignment): each resource says why nothing is reported.
      if (compiled.notForTemplates) return ctx.skip(`not applicable: ${compiled.notForTemplates}`);
      const result = evaluatePolicy(compiled, resource, {
        // The clock is read when the definition calls utcNow() (engine.ts: the outcome is then one of today).
        env: new ClockOf(ctx),
        related: (query) => relatedIn(resource, ctx.resources, query),
        relatedFrom: 'deployment',
      });
      report(result, resource, definition, sidecar, ctx);
      const strict = sidecar.requireExplicit;
      if (result.kind === 'compliant' && strict && ctx.options[strict.option] === true && resource.type.toLowerCase() === strict.type.toLowerCase()) {
        const missing = strict.paths.find((p) => getPath(resource.body, p) !== true);
        if (missing !== undefined) {
          const seen = matchText({ path: missing, actual: getPath(resource.body, missing), operator: 'equals', operand: true });
          ctx.report({
            path: missing,
            message: `${typeNoun(resource.type)} '${leafName(resource)}' ${seen}: with the option ${strict.option} (${strict.tool}), it must be written as true (policy ${definition.name})`,
          });
        }
      }
    },
    explain(resource) {
      const trace: TraceNode[] = [];
      const result = evaluatePolicy(compiled, resource, { trace, related: () => undefined });
      return { verdict: verdictOf(result), trace };
    },
  };
}

/**
 * As createPolicyRule, compiling the rule only when it first meets a resource (or `compiled` is
 * read). Its metadata (effect, level, whether it runs, the types it is indexed by) comes from the
 * definition's JSON: a rule set of hundreds of definitions costs nothing for the types a scan
 * never meets. Where the effect cannot be told without evaluating (an override, an effect that is
 * not `[parameters('x')]` or a literal, a value outside the allowed ones), it compiles now, as
 * createPolicyRule does, with the same errors.
 */
export function deferredPolicyRule(definition: PolicyDefinition, options: PolicyRuleOptions = {}): PolicyRule {
  const effect = options.effect === undefined ? plainEffect(definition, options.parameters) : undefined;
  let notForTemplates: string | undefined;
  try {
    // Bad parameter values and an unknown mode are load errors, as when compiling now.
    resolveParameters(definition, options.parameters ?? {});
    if (effect !== undefined) notForTemplates = notForTemplatesReason(definition.mode, effect);
  } catch {
    return createPolicyRule(definition, options);
  }
  if (effect === undefined) return createPolicyRule(definition, options);
  const sidecar = options.sidecar ?? {};
  const unset = unsetParameters(definition, options.parameters);
  const types = ruleTypes(definition.if);
  let made: PolicyRule | undefined;
  const real = (): PolicyRule => (made ??= createPolicyRule(definition, options));
  return {
    meta: policyMeta(definition, effect, sidecar, types),
    definition,
    effect,
    get compiled() {
      return real().compiled;
    },
    source: options.source ?? definition.file,
    sidecar,
    enabled: effect.toLowerCase() !== 'disabled' && notForTemplates === undefined && unset.length === 0,
    unsetParameters: unset,
    ...(notForTemplates ? { notForTemplates } : {}),
    check(resource, ctx) {
      if (notForTemplates) return ctx.skip(`not applicable: ${notForTemplates}`);
      let rule: PolicyRule;
      try {
        rule = real();
      } catch (err) {
        return ctx.unknown(`policy ${definition.name} cannot be compiled: ${(err as Error).message}`);
      }
      rule.check(resource, ctx);
    },
    explain: (resource) => real().explain(resource),
  };
}

/**
 * The effect in force when it can be read without evaluating: a literal `then.effect`, or
 * `[parameters('x')]` with the value given or the default, spelled as the allowed values spell
 * it. Undefined when anything is out of the ordinary (compiling then says what).
 */
function plainEffect(definition: PolicyDefinition, given: Record<string, unknown> | undefined): string | undefined {
  const raw = definition.effect;
  const param = effectParameter(definition);
  let value: unknown;
  if (param) {
    const key = Object.keys(given ?? {}).find((k) => k.toLowerCase() === param.name.toLowerCase());
    value = key !== undefined ? given![key] : param.defaultValue;
  } else if (typeof raw === 'string' && !raw.startsWith('[')) value = raw;
  if (typeof value !== 'string' || !EFFECTS.has(value.toLowerCase())) return undefined;
  const allowed = param?.allowedValues?.filter((a): a is string => typeof a === 'string');
  if (!allowed) return value;
  return allowed.find((a) => a === value) ?? allowed.find((a) => a.toLowerCase() === value.toLowerCase());
}

/** A policy rule's metadata: id and title from the definition, level from the effect, notes from the sidecar. */
function policyMeta(definition: PolicyDefinition, effect: string, sidecar: PolicySidecar, types: readonly string[]): RuleMeta {
  return {
    id: definition.name,
    title: definition.displayName,
    kind: 'policy',
    severity: sidecar.severity ?? 'medium',
    level: LEVEL_BY_EFFECT.get(effect.toLowerCase()) ?? 'warning',
    effect,
    description: definition.description,
    recommendation: sidecar.remediation ?? definition.description,
    helpUri: sidecar.helpUri,
    equivalents: [
      { tool: 'azure-policy', id: definition.name },
      ...(sidecar.equivalents ?? []).map(({ tool, id, ref }) => (ref ? { tool, id, ref } : { tool, id })),
    ],
    // '*' = the rule names no resource type it could be narrowed to: the engine runs it on every resource.
    appliesTo: types.length > 0 ? [...types] : ['*'],
  };
}

/** Parameters with neither a default nor a value given: the definition cannot run without an assignment. */
export function unsetParameters(definition: PolicyDefinition, given: Record<string, unknown> | undefined): string[] {
  const supplied = new Set(Object.keys(given ?? {}).map((k) => k.toLowerCase()));
  return definition.parameters.filter((p) => p.defaultValue === undefined && !supplied.has(p.name.toLowerCase())).map((p) => p.name);
}

function report(result: PolicyResult, resource: Resource, definition: PolicyDefinition, sidecar: PolicySidecar, ctx: Parameters<Rule['check']>[1]): void {
  switch (result.kind) {
    case 'not-applicable':
      ctx.skip(`not applicable: ${result.reason}`);
      return;
    case 'compliant':
      return;
    case 'unknown':
      if (result.missingAlias) {
        ctx.skip(`not applicable: the alias '${result.missingAlias}' is not in Tollgate's alias table, so policy ${definition.name} cannot be evaluated`);
      } else {
        ctx.unknown(result.reason);
      }
      return;
    case 'error':
      // "If the result of a template function is an error, policy evaluation fails. A failed evaluation is an implicit deny."
      ctx.report({
        message: `${typeNoun(resource.type)} '${leafName(resource)}' cannot be evaluated by policy ${definition.name}: ${result.message}. Azure treats a failed evaluation as an implicit deny`,
      });
      return;
    case 'non-compliant': {
      const witness = findingWitness(result.verdict.because, changedFields(result.effect, result.details), definition.displayName);
      const what = result.reason ?? matchText(witness);
      const why = sidecar.summary ?? definition.displayName;
      const change = changeText(result.effect, result.details);
      const path = result.reason ? result.path : witness?.path;
      const fix = path === undefined ? undefined : sidecar.fixes?.find((f) => f.path.toLowerCase() === path.toLowerCase());
      ctx.report({
        path,
        message: `${typeNoun(resource.type)} '${leafName(resource)}' ${what}: ${why} (policy ${definition.name}, effect ${result.effect}${change})`,
        ...(fix && { fix: { set: [{ path: fix.path, value: fix.value }] } }),
      });
    }
  }
}

function verdictOf(result: PolicyResult): Verdict {
  switch (result.kind) {
    case 'compliant':
    case 'non-compliant':
    case 'unknown':
      return result.verdict;
    case 'not-applicable':
      return { truth: false, because: [], reason: result.reason };
    case 'error':
      return { truth: 'unknown', because: [], reason: `evaluation fails (an implicit deny in Azure): ${result.message}` };
  }
}

/**
 * The property a finding points at, among the conditions that decided. Definitions select the
 * resources they are about (the `type`; its `kind`, `name`, `location`, `tags`; a value that is
 * present and picked from a list or a pattern, such as a VM image publisher `in` a list) and guard
 * against exceptions (Key Vault's `createMode notEquals recover`, a public IP's
 * `publicIPPrefix.id exists false`, a cluster's `enablePrivateCluster notEquals true`). What is left
 * is the setting the definition is about. In order: the property a modify or append sets; a setting
 * rather than a selection; the setting the definition's name speaks of ("Authorized IP ranges
 * should be defined" -> `authorizedIPRanges`); the last one (guards tend to come first).
 * For a true `anyOf` only the branch that held is in `because`.
 */
function findingWitness(because: Witness[], changed: ReadonlySet<string>, displayName: string): Witness | undefined {
  const remedied = because.find((w) => w.path !== undefined && w.field !== undefined && changed.has(w.field.toLowerCase()));
  if (remedied) return remedied;
  const named = nameWords(displayName);
  let best: Witness | undefined;
  let bestRank = 0;
  let bestScore = -1;
  for (const w of because) {
    const rank = w.path === undefined ? 0 : witnessRank(w);
    if (rank === 0 || rank < bestRank) continue;
    const score = rank === 3 ? sharedWords(w.path!, named) : 0;
    if (rank > bestRank || score >= bestScore) {
      best = w;
      bestRank = rank;
      bestScore = score;
    }
  }
  return best;
}

const NAME_NOISE = new Set([
  'should',
  'have',
  'has',
  'the',
  'and',
  'for',
  'with',
  'are',
  'use',
  'not',
  'only',
  'all',
  'preview',
  'deprecated',
  'azure',
  'enabled',
  'disabled',
  'enable',
  'disable',
  'configure',
]);

/**
 * The words of a display name, lower case, without the ones every definition uses. Kept per name:
 * asked for every finding, and a scan has as many names as definitions (bounded all the same).
 */
function nameWords(displayName: string): ReadonlySet<string> {
  let words = nameWordsKept.get(displayName);
  if (!words) {
    words = new Set(
      displayName
        .toLowerCase()
        .split(/[^a-z0-9]+/)
        .filter((w) => w.length >= 3 && !NAME_NOISE.has(w)),
    );
    if (nameWordsKept.size >= 10_000) nameWordsKept.clear();
    nameWordsKept.set(displayName, words);
  }
  return words;
}
const nameWordsKept = new Map<string, ReadonlySet<string>>();

/** How many words of the property's last segment (camelCase split) the name uses. */
function sharedWords(path: string, named: ReadonlySet<string>): number {
  const last = path.split('.').pop() ?? path;
  const words = last.replace(/\[.*?\]/g, '').split(/(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|[^A-Za-z0-9]+/);
  let n = 0;
  for (const w of words) if (named.has(w.toLowerCase())) n++;
  return n;
}

const CLASSIFIERS = new Set(['kind', 'name', 'fullname', 'location', 'tags', 'id']);
const SELECTING = new Set(['in', 'like', 'match', 'matchinsensitively', 'contains', 'containskey']);

/** 0: never blamed (the type); 1: what kind of resource it is; 2: a selection by value; 3: one of its settings. */
function witnessRank(w: Witness): number {
  const f = w.field?.toLowerCase() ?? '';
  if (f === 'type') return 0;
  if (CLASSIFIERS.has(f) || f.startsWith('tags[') || f.startsWith('tags.')) return 1;
  if (!w.counted && w.actual !== undefined && SELECTING.has(w.operator.toLowerCase())) return 2;
  return 3;
}

function matchText(witness: Witness | undefined): string {
  const shown = witness?.path?.replace(/^properties\./i, '');
  if (!witness || !shown) return 'matches the policy rule';
  if (witness.counted)
    return `has ${JSON.stringify(witness.actual)} ${shown} member${witness.actual === 1 ? '' : 's'} counted (${witness.operator} ${JSON.stringify(witness.operand)})`;
  return witness.actual === undefined ? `does not set ${shown}` : `sets ${shown} to ${JSON.stringify(witness.actual)}`;
}

/** The fields a modify or append effect sets (lower case): the remediation names the property at fault. */
function changedFields(effect: string, details: Value | undefined): ReadonlySet<string> {
  const e = effect.toLowerCase();
  const out = new Set<string>();
  const list = e === 'modify' && isObject(details) ? getProperty(details, 'operations') : e === 'append' ? details : undefined;
  for (const op of Array.isArray(list) ? list : []) {
    const field = getProperty(op, 'field');
    if (typeof field === 'string') out.add(field.toLowerCase());
  }
  return out;
}

/** What a modify or append effect would change, for the message. */
function changeText(effect: string, details: Value | undefined): string {
  const e = effect.toLowerCase();
  const ops: string[] = [];
  if (e === 'modify' && isObject(details)) {
    const list = getProperty(details, 'operations');
    for (const op of Array.isArray(list) ? list : []) {
      const value = getProperty(op, 'value');
      ops.push(`${String(getProperty(op, 'operation'))} ${String(getProperty(op, 'field'))}${value === undefined ? '' : ` = ${JSON.stringify(value)}`}`);
    }
  } else if (e === 'append' && Array.isArray(details)) {
    for (const d of details) ops.push(`append ${String(getProperty(d, 'field'))} = ${JSON.stringify(getProperty(d, 'value'))}`);
  }
  return ops.length ? `; would ${ops.join(', ')}` : '';
}

/** `Microsoft.ApiManagement/service/backends` -> `Backend`. */
function typeNoun(type: string): string {
  const last = type.split('/').pop() ?? type;
  // `redis`, `IotHubs`-style plurals aside, a word ending in -is, -us or -ss is not a plural (`Redis`, not `Redi`).
  // `publicIPAddresses` -> `PublicIPAddress`, not `PublicIPAddresse`.
  const singular = /ies$/i.test(last) ? `${last.slice(0, -3)}y` : /sses$/i.test(last) ? last.slice(0, -2) : /[^ius]s$/i.test(last) ? last.slice(0, -1) : last;
  return singular.charAt(0).toUpperCase() + singular.slice(1);
}

/** Azure Policy's `utcNow()` format: `yyyy-MM-ddTHH:mm:ss.fffffffZ`. */
/** A time as Azure's utcNow() writes it (seven fractional digits). */
export function policyTime(date: Date): string {
  // Every rule of a unit sees the same clock: format it once, not once per rule and resource.
  const time = date.getTime();
  if (time !== lastTime.time) lastTime = { time, text: date.toISOString().replace(/\.(\d{3})Z$/, '.$10000Z') };
  return lastTime.text;
}
let lastTime = { time: NaN, text: '' };

/**
 * The related resources of an auditIfNotExists / deployIfNotExists effect among those of the
 * same deployment: of the type asked, children of the resource when the type is a child type,
 * with the name asked. None found is unknown (it may exist in Azure), not absent.
 */
function relatedIn(resource: Resource, all: readonly Resource[], query: RelatedQuery): PolicyTarget[] | undefined {
  const type = query.type.toLowerCase();
  const parent = resource.type.toLowerCase();
  const child = type.startsWith(`${parent}/`);
  const own = `${resource.name.toLowerCase()}/`;
  const name = query.name?.split('/').pop()?.toLowerCase();
  const found = resourcesOfType(all, type).filter((r) => {
    if (child && !r.name.toLowerCase().startsWith(own)) return false;
    if (!child) {
      // An extension resource (diagnostic settings, locks) names what it extends in `scope`.
      const scope = getProperty(r.body, 'scope');
      if (typeof scope === 'string' && !scope.toLowerCase().endsWith(resource.name.toLowerCase()) && scope.toLowerCase() !== resource.id.toLowerCase())
        return false;
    }
    return name === undefined || leafName(r).toLowerCase() === name;
  });
  if (found.length) return found.map((r) => withDefaultsUnknown(resource.type, r));
  // Not declared: a child Azure creates with every parent of this type still exists.
  const implied = impliedRelated(resource, query.type, name);
  return implied ? [implied] : undefined;
}

/** A trace as indented lines: `✓`/`✗`/`?` then the condition. */
export function formatTrace(nodes: readonly TraceNode[], indent = ''): string[] {
  return nodes.flatMap((n) => [`${indent}${n.truth === 'unknown' ? '?' : n.truth ? '✓' : '✗'} ${n.text}`, ...formatTrace(n.children, `${indent}  `)]);
}
