import type { Finding, RuleResult } from '../findings/finding.js';
import type { Diagnostic } from '../load/diagnostic.js';
import type { ScannedUnit } from '../evaluate/scan-result.js';

/*
 * Reporters sort what they print so that the same scan gives byte-identical output whatever
 * order discovery or evaluation happened to produce. Plain code-unit comparison, not
 * localeCompare, so the order does not depend on the machine's locale either.
 */

type Key = string | number;

export function compareKeys(a: readonly Key[], b: readonly Key[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return a.length - b.length;
}

/**
 * `list` sorted by `keyOf` (stable): each item's key made once, not twice per comparison (the
 * results of a large scan number tens of thousands, and a sort compares each ~17 times).
 */
export function sortByKey<T>(list: readonly T[], keyOf: (item: T) => Key[]): T[] {
  const keys = list.map(keyOf);
  const order = Array.from(list.keys());
  order.sort((i, j) => compareKeys(keys[i]!, keys[j]!));
  return order.map((i) => list[i]!);
}

function findingKey(f: Finding): Key[] {
  // A finding without a location sorts before the located ones of its file, like a file-level message.
  return [f.file, f.location?.start.line ?? 0, f.location?.start.column ?? 0, f.ruleId, f.resource.name, f.parameterFile ?? '', f.path ?? ''];
}

export function sortFindings(findings: readonly Finding[]): Finding[] {
  return sortByKey(findings, findingKey);
}

function resultKey(r: RuleResult): Key[] {
  return [r.file, r.parameterFile ?? '', r.resource.id, r.ruleId];
}

export function sortResults(results: readonly RuleResult[]): RuleResult[] {
  return sortByKey(results, resultKey);
}

function diagnosticKey(d: Diagnostic): Key[] {
  return [d.location?.file ?? d.file ?? '', d.location?.start.line ?? 0, d.location?.start.column ?? 0, d.code, d.message];
}

export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return sortByKey(diagnostics, diagnosticKey);
}

/** Scan units by template, then parameter file: discovery order depends on the file system and, with --shard, on the machine. */
export function sortUnits(units: readonly ScannedUnit[]): ScannedUnit[] {
  return sortByKey(units, (u) => [u.file, u.parameterFile ?? '']);
}
