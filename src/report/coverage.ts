import { NOT_FOLLOWED_REASONS, type NotFollowed, type NotFollowedKind } from '../arm/template/not-followed.js';
import type { ScanResult, ScannedUnit } from '../evaluate/scan-result.js';
import { CANNOT_RUN, NOT_RUN_REASONS, type NotRunReason, type RuleNotRun } from '../evaluate/rules-not-run.js';
import type { ResourceRef, RuleResult } from '../findings/finding.js';
import { compareKeys, sortByKey } from './order.js';

/** A resource of one scan unit. */
export interface UnitResource extends ResourceRef {
  file: string;
  parameterFile?: string;
}

/** A count under a reason (or a resource type), largest first. */
export interface Group<K extends string = string> {
  key: K;
  /** What the key means, for reports. */
  description: string;
  count: number;
}

/**
 * What a scan looked at and what it did not. Computed in one place from the `ScanResult`, as
 * `summarize` computes the counts, so that no two formats can disagree. A resource counts as
 * evaluated only when a rule decided about it (pass or fail): one that no rule applies to, or
 * that every applicable rule left undecided, is never counted as checked.
 */
export interface Coverage {
  resources: {
    /** Every resource the scan units produced (a template with two parameter files counts twice). */
    found: number;
    /** At least one rule decided about it (pass or fail). */
    evaluated: number;
    /** Rules apply, but none could decide: every check was undecided or failed to run. */
    undecided: number;
    /** No rule applies: none names its type, or every one that does found it out of its scope. */
    notEvaluated: number;
    /** `notEvaluated` by resource type. */
    notEvaluatedByType: Group[];
  };
  checks: {
    /** Rule x resource pairs run. */
    total: number;
    /** Passed or failed. */
    decided: number;
    /** The rule found the resource out of its scope (`skip`). */
    notApplicable: number;
    /** A value the rule needs is unknown before deployment. */
    undecided: number;
    /** `undecided` by reason. */
    undecidedByReason: Group[];
    /** The rule itself failed on the resource. */
    errors: number;
  };
  /** Rules and policy definitions of the scan that did not run. */
  rulesNotRun: {
    count: number;
    /** Of those, the ones that cannot run as things are (need parameters, not for templates, unavailable): never a silent pass. */
    cannotRun: number;
    byReason: Group<NotRunReason>[];
  };
  /** Nested deployments and Bicep modules whose resources were not expanded, so not checked. */
  deploymentsNotFollowed: {
    count: number;
    byReason: Group<NotFollowedKind>[];
  };
  /** Each item behind the counts (`--verbose` lists them; the machine formats always carry them). */
  items: {
    resourcesNotEvaluated: UnitResource[];
    resourcesUndecided: UnitResource[];
    rulesNotRun: RuleNotRun[];
    deploymentsNotFollowed: NotFollowed[];
  };
}

const REASON_ORDER = Object.keys(NOT_RUN_REASONS);

/**
 * Coverage by result, while its lists are the same ones: a report asks for it more than once (its
 * summary, then its own section), and on a large scan each pass over the results took ~20 ms.
 */
const computed = new WeakMap<ScanResult, { results: ScanResult['results']; units: ScanResult['units']; resultCount: number; coverage: Coverage }>();

export function coverageOf(result: ScanResult): Coverage {
  const known = computed.get(result);
  if (known && known.results === result.results && known.units === result.units && known.resultCount === result.results.length) return known.coverage;
  const coverage = computeCoverage(result);
  computed.set(result, { results: result.results, units: result.units, resultCount: result.results.length, coverage });
  return coverage;
}

function computeCoverage(result: ScanResult): Coverage {
  const byResource = outcomesByResource(result.results);
  const notEvaluated: UnitResource[] = [];
  const undecided: UnitResource[] = [];
  let found = 0;
  let evaluated = 0;
  for (const unit of result.units) {
    const outcomesOf = byResource.get(unitKey(unit.file, unit.parameterFile));
    for (const r of inventoryOf(unit, result.results)) {
      found++;
      const outcomes = outcomesOf?.get(refKey(r)) ?? 0;
      if (outcomes & (OUTCOME_BIT.pass | OUTCOME_BIT.fail)) {
        evaluated++;
        continue;
      }
      const where = { type: r.type, name: r.name, id: r.id, file: unit.file, ...(unit.parameterFile !== undefined && { parameterFile: unit.parameterFile }) };
      if (outcomes & (OUTCOME_BIT.unknown | OUTCOME_BIT.error)) undecided.push(where);
      else notEvaluated.push(where);
    }
  }
  const counts = { pass: 0, fail: 0, skip: 0, unknown: 0, error: 0 } satisfies Record<RuleResult['outcome'], number>;
  const unknown: RuleResult[] = [];
  for (const r of result.results) {
    counts[r.outcome]++;
    if (r.outcome === 'unknown') unknown.push(r);
  }
  const count = (outcome: RuleResult['outcome']) => counts[outcome];
  const notRun = result.notRun ?? [];
  const notFollowed = sortNotFollowed(result.units.flatMap((u) => u.notFollowed ?? []));
  return {
    resources: {
      found,
      evaluated,
      undecided: undecided.length,
      notEvaluated: notEvaluated.length,
      notEvaluatedByType: groups(
        notEvaluated.map((r) => r.type),
        (type) => type,
        (r) => r.toLowerCase(),
      ),
    },
    checks: {
      total: result.results.length,
      decided: count('pass') + count('fail'),
      notApplicable: count('skip'),
      undecided: unknown.length,
      undecidedByReason: groups(
        unknown.map((r) => r.reason ?? 'no reason given'),
        (reason) => reason,
      ),
      errors: count('error'),
    },
    rulesNotRun: {
      count: notRun.length,
      cannotRun: notRun.filter((r) => CANNOT_RUN.has(r.reason)).length,
      // In the order of NOT_RUN_REASONS: those that cannot run come first, whatever their counts.
      byReason: groups(
        notRun.map((r) => r.reason),
        (reason) => NOT_RUN_REASONS[reason],
      ).sort((a, b) => REASON_ORDER.indexOf(a.key) - REASON_ORDER.indexOf(b.key)),
    },
    deploymentsNotFollowed: {
      count: notFollowed.length,
      byReason: groups(
        notFollowed.map((d) => d.kind),
        (kind) => NOT_FOLLOWED_REASONS[kind],
      ),
    },
    items: {
      resourcesNotEvaluated: sortResources(notEvaluated),
      resourcesUndecided: sortResources(undecided),
      rulesNotRun: notRun,
      deploymentsNotFollowed: notFollowed,
    },
  };
}

/** The unit's resources; a hand-built result without an inventory has those its rule results name, and the rest untyped. */
function inventoryOf(unit: ScannedUnit, results: readonly RuleResult[]): readonly ResourceRef[] {
  if (unit.inventory) return unit.inventory;
  const named = new Map<string, ResourceRef>();
  for (const r of results) if (r.file === unit.file && r.parameterFile === unit.parameterFile) named.set(refKey(r.resource), r.resource);
  const listed = [...named.values()].slice(0, unit.resources);
  const unlisted = Array.from({ length: Math.max(0, unit.resources - listed.length) }, (): ResourceRef => ({ type: '(type not recorded)', name: '', id: '' }));
  return [...listed, ...unlisted];
}

const OUTCOME_BIT = { pass: 1, fail: 2, skip: 4, unknown: 8, error: 16 } satisfies Record<RuleResult['outcome'], number>;

/**
 * The outcomes each resource had, as bits of OUTCOME_BIT, by unit (unitKey) then resource
 * (refKey). A unit's results are consecutive: its map is looked up once per run of them, and no
 * key is built per result (the 20 MB corpus has ~60,000 results).
 */
function outcomesByResource(results: readonly RuleResult[]): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  let file: string | undefined;
  let parameterFile: string | undefined;
  let current: Map<string, number> | undefined;
  for (const r of results) {
    if (!current || r.file !== file || r.parameterFile !== parameterFile) {
      file = r.file;
      parameterFile = r.parameterFile;
      const key = unitKey(file, parameterFile);
      current = out.get(key);
      if (!current) out.set(key, (current = new Map()));
    }
    const key = refKey(r.resource);
    current.set(key, (current.get(key) ?? 0) | OUTCOME_BIT[r.outcome]);
  }
  return out;
}

function unitKey(file: string, parameterFile: string | undefined): string {
  return `${file}\u0000${parameterFile ?? ''}`;
}

/**
 * A resource's key within its unit (ids, types and names compare without case, as Azure compares
 * them), once per reference: the results of one resource share their
 * reference (src/evaluate/engine.ts, and the result cache's tables), and each key lower-cased
 * three strings (an id is long) and joined an array: a fifth of a warm re-scan's report.
 */
function refKey(r: ResourceRef): string {
  let key = refKeys.get(r);
  if (key === undefined) refKeys.set(r, (key = `${r.type.toLowerCase()}\u0000${r.name.toLowerCase()}\u0000${r.id.toLowerCase()}`));
  return key;
}
const refKeys = new WeakMap<ResourceRef, string>();

/** Counts by key, largest first, then by key; `fold` merges keys that differ only in case (resource types). */
function groups<K extends string>(keys: readonly K[], describe: (key: K) => string, fold: (key: K) => string = (k) => k): Group<K>[] {
  const counts = new Map<string, { key: K; count: number }>();
  for (const key of keys) {
    const folded = fold(key);
    const entry = counts.get(folded);
    if (entry) entry.count++;
    else counts.set(folded, { key, count: 1 });
  }
  return [...counts.values()]
    .map(({ key, count }) => ({ key, description: describe(key), count }))
    .sort((a, b) => b.count - a.count || compareKeys([a.key], [b.key]));
}

function sortResources(list: UnitResource[]): UnitResource[] {
  return sortByKey(list, (r) => [r.file, r.parameterFile ?? '', r.type.toLowerCase(), r.name, r.id]);
}

function sortNotFollowed(list: NotFollowed[]): NotFollowed[] {
  return sortByKey(list, (d) => [d.file, d.location?.start.line ?? 0, d.location?.start.column ?? 0, d.deployment]);
}
