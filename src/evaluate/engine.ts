import type { Diagnostic } from '../load/diagnostic.js';
import type { Finding, Outcome, ResourceRef, RuleResult } from '../findings/finding.js';
import type { Resource, ResourceSet } from '../resources/resource.js';
import type { SourceLocation } from '../load/source-file.js';
import { parsedPath } from '../resources/value.js';
import type { CheckContext, Rule } from '../rules/rule.js';
import { computeFix } from './fix-edits.js';

export interface EvaluateOptions {
  /** Options per rule id, from the configuration. */
  ruleOptions?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** The clock rules see (default: now). */
  now?: Date;
}

export interface Evaluation {
  results: RuleResult[];
  findings: Finding[];
  diagnostics: Diagnostic[];
  /**
   * The live clock, when a rule read it (no `now` given): the outcome holds only on its day (a
   * certificate expiring, a policy's utcNow()), and the result cache keeps it for that day.
   */
  clockRead?: Date;
}

/**
 * Runs every enabled rule on every resource it applies to. Native rules and Azure Policy
 * definitions meet here through the same `Rule` interface and produce the same findings.
 * A rule that throws is an `error` outcome for that resource only.
 */
export function evaluateResources(set: ResourceSet, rules: readonly Rule[], options: EvaluateOptions = {}): Evaluation {
  const out: Evaluation = { results: [], findings: [], diagnostics: [] };
  const byType = indexRules(rules);
  const anyType = byType.get('*') ?? [];
  // One clock reading per unit, not one Date per rule and resource, made when a rule asks.
  let clock = options.now;
  const now = (): Date => {
    if (clock === undefined) clock = out.clockRead = new Date();
    return clock;
  };
  const run: RunOptions = { ruleOptions: options.ruleOptions, now };
  for (const resource of set.resources) {
    // One reference per resource, shared by its results (coverage keys a resource once per reference).
    const ref: ResourceRef = { type: resource.type, name: resource.name, id: resource.id };
    for (const rule of byType.get(resource.type.toLowerCase()) ?? []) out.results.push(runRule(rule, resource, ref, set, run, out));
    for (const rule of anyType) out.results.push(runRule(rule, resource, ref, set, run, out));
  }
  return out;
}

// A scan evaluates many units with the same rules: index them by type once per rule set.
const indexes = new WeakMap<readonly Rule[], Map<string, Rule[]>>();

function indexRules(rules: readonly Rule[]): Map<string, Rule[]> {
  const cached = indexes.get(rules);
  if (cached) return cached;
  const map = new Map<string, Rule[]>();
  indexes.set(rules, map);
  for (const rule of rules) {
    if (!rule.enabled) continue;
    for (const type of rule.meta.appliesTo) {
      const key = type.toLowerCase();
      const list = map.get(key) ?? [];
      list.push(rule);
      map.set(key, list);
    }
  }
  return map;
}

interface RunOptions {
  ruleOptions: EvaluateOptions['ruleOptions'];
  now: () => Date;
}

function runRule(rule: Rule, resource: Resource, ref: ResourceRef, set: ResourceSet, options: RunOptions, out: Evaluation): RuleResult {
  const result: RuleResult = { ruleId: rule.meta.id, resource: ref, file: set.file, parameterFile: set.parameterFile, outcome: 'pass', findings: [] };
  let verdict: { outcome: Outcome; reason: string } | undefined;
  const ctx = new RuleCheckContext(
    set.resources,
    // Own keys only: a rule id from a policy file may be `constructor` or `__proto__`.
    (options.ruleOptions && Object.hasOwn(options.ruleOptions, rule.meta.id) ? options.ruleOptions[rule.meta.id] : undefined) ?? {},
    options.now,
    ({ path, message, messageId, level, effect, fix }) => {
      const finding = makeFinding(rule, resource, set, path, message);
      // Only failures reach here, so the walk that finds where values are written stays off the hot path.
      const edits = fix ? computeFix(resource, fix) : undefined;
      if (edits) finding.fix = edits;
      if (messageId !== undefined) finding.messageId = messageId;
      // A policy whose effect depends on the resource (an assignment override) says which applied.
      if (level) finding.level = level;
      if (effect) finding.effect = effect;
      result.findings.push(finding);
      out.findings.push(finding);
    },
    (reason) => void (verdict ??= { outcome: 'skip', reason }),
    (reason) => void (verdict ??= { outcome: 'unknown', reason }),
  );
  try {
    rule.check(resource, ctx);
  } catch (err) {
    const message = `rule ${rule.meta.id} failed on ${resource.type} '${resource.name}': ${(err as Error).message}`;
    out.diagnostics.push({ severity: 'error', code: 'rule-error', message, file: set.file, location: resource.source.location });
    return { ...result, outcome: 'error', reason: message };
  }
  if (result.findings.length > 0) result.outcome = 'fail';
  else if (verdict) {
    result.outcome = verdict.outcome;
    result.reason = verdict.reason;
  }
  return result;
}

/**
 * What a rule's check sees. A class with the clock as a getter on its prototype, not an object
 * literal with a getter: one is made for every rule and resource, and such a literal was built
 * slowly and twice the size (~1 KB against ~0.5 KB each, 4x the time, in a micro-benchmark). The
 * functions stay own properties, so a rule may take them out of the context (`const { report } = ctx`).
 */
class RuleCheckContext implements CheckContext {
  readonly #clock: () => Date;
  constructor(
    readonly resources: readonly Resource[],
    readonly options: Readonly<Record<string, unknown>>,
    clock: () => Date,
    readonly report: CheckContext['report'],
    readonly skip: CheckContext['skip'],
    readonly unknown: CheckContext['unknown'],
  ) {
    this.#clock = clock;
  }
  // Read when a rule asks (see Evaluation.clockRead).
  get now(): Date {
    return this.#clock();
  }
}

function makeFinding(rule: Rule, resource: Resource, set: ResourceSet, path: string | undefined, message: string): Finding {
  // A rule reports the same few paths on every resource: each is parsed once (parsedPath).
  const located = path ? resource.source.locate(parsedPath(path)) : undefined;
  return {
    ruleId: rule.meta.id,
    ruleTitle: rule.meta.title,
    level: rule.meta.level,
    severity: rule.meta.severity,
    effect: rule.meta.effect,
    resource: { type: resource.type, name: resource.name, id: resource.id },
    // A resource whose condition could not be decided is checked as if deployed: say so.
    message: resource.conditionUnknown ? `${message} (if deployed: its condition is unknown because ${resource.conditionUnknown})` : message,
    path,
    location: located?.location ?? resource.source.location,
    snippet: snippetAround(resource, located?.location ?? resource.source.location),
    origins: located?.origins ?? [],
    ...(resource.source.declaration !== undefined && { declaration: resource.source.declaration }),
    file: set.file,
    parameterFile: set.parameterFile,
  };
}

/** Two lines either side of the finding, from the file that declares the resource. */
function snippetAround(resource: Resource, location: SourceLocation | undefined): Finding['snippet'] {
  const file = resource.source.document.file;
  if (!location || location.file !== file.path) return undefined;
  const startLine = Math.max(1, location.start.line - 2);
  const last = Math.min(file.lineCount(), location.end.line + 2, startLine + 11);
  const lines: string[] = [];
  for (let line = startLine; line <= last; line++) lines.push(file.lineText(line));
  return { startLine, lines };
}
