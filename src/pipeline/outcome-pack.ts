import type { Finding, RuleResult } from '../findings/finding.js';
import type { UnitOutcome } from './run-unit.js';

// A unit's outcome as the result cache stores it. A rule result's findings are the very objects of
// the outcome's `findings` (src/evaluate/engine.ts pushes each to both), which JSON would write
// twice: a third of a pack's bytes, read and parsed again by every warm re-scan. Stored, a
// result's finding is its index in `findings`; read back, the index is that same object again, as
// when the unit ran. A finding that is not among them (none today) is stored whole.

/** A rule result as stored: each finding an index into the outcome's findings, or the finding itself. */
type StoredResult = Omit<RuleResult, 'findings'> & { findings: (number | Finding)[] };

export type StoredOutcome = Omit<UnitOutcome, 'results'> & { results: StoredResult[] };

export function packOutcome(outcome: UnitOutcome): StoredOutcome {
  const index = new Map<Finding, number>();
  outcome.findings.forEach(({ finding }, i) => index.set(finding, i));
  return {
    ...outcome,
    results: outcome.results.map((r) => (r.findings.length ? { ...r, findings: r.findings.map((f) => index.get(f) ?? f) } : r)),
  };
}

/** The outcome packOutcome stored; undefined when an index names no finding (a garbled entry: a miss). */
export function unpackOutcome(stored: StoredOutcome): UnitOutcome | undefined {
  const results: RuleResult[] = [];
  for (const r of stored.results) {
    if (!r.findings.length) {
      results.push(r as RuleResult);
      continue;
    }
    const findings: Finding[] = [];
    for (const f of r.findings) {
      const finding = typeof f === 'number' ? stored.findings[f]?.finding : f;
      if (finding === undefined) return undefined;
      findings.push(finding);
    }
    results.push({ ...r, findings });
  }
  return { ...stored, results };
}
