import type { Finding, ResourceRef, RuleResult } from '../findings/finding.js';
import type { UnitOutcome } from './run-unit.js';

// A unit's outcome as the result cache stores it, without what JSON would write again and again
// for every rule result, read and parsed again by every warm re-scan:
// - its findings, the very objects of the outcome's `findings` (src/evaluate/engine.ts pushes each
//   to both): stored as indexes into `findings`, read back as those same objects, as when the
//   unit ran. A finding that is not among them (none today) is stored whole.
// - its resource ({ type, name, id }, one object for every rule run on the resource) and its file
//   (the unit's, mostly): stored as indexes into `resources` and `files`, each written once, read
//   back as one shared resource object, as the engine made it, and the same text.
// On the x12 corpora (JSON only) the pack went from 15.0 MB to 8.9 MB.

/** A rule result as stored (see above). */
type StoredResult = Omit<RuleResult, 'findings' | 'resource' | 'file'> & { findings: (number | Finding)[]; resource: number; file: number };

export type StoredOutcome = Omit<UnitOutcome, 'results'> & { results: StoredResult[]; resources: ResourceRef[]; files: string[] };

export function packOutcome(outcome: UnitOutcome): StoredOutcome {
  const findingIndex = new Map<Finding, number>();
  outcome.findings.forEach(({ finding }, i) => findingIndex.set(finding, i));
  const resources: ResourceRef[] = [];
  const files: string[] = [];
  const resourceIndex = new Map<string, number>();
  const fileIndex = new Map<string, number>();
  const indexOf = <T>(list: T[], index: Map<string, number>, key: string, value: T) => {
    let i = index.get(key);
    if (i === undefined) index.set(key, (i = list.push(value) - 1));
    return i;
  };
  return {
    ...outcome,
    results: outcome.results.map((r) => ({
      ...r,
      // By its JSON: two resources are one entry only when they would read back the same.
      resource: indexOf(resources, resourceIndex, JSON.stringify(r.resource), r.resource),
      file: indexOf(files, fileIndex, r.file, r.file),
      findings: r.findings.map((f) => findingIndex.get(f) ?? f),
    })),
    resources,
    files,
  };
}

/** The outcome packOutcome stored; undefined when an index names nothing (a garbled entry: a miss). */
export function unpackOutcome(stored: StoredOutcome): UnitOutcome | undefined {
  if (!Array.isArray(stored.resources) || !Array.isArray(stored.files)) return undefined;
  const results: RuleResult[] = [];
  for (const r of stored.results) {
    const resource = typeof r.resource === 'number' ? stored.resources[r.resource] : undefined;
    const file = typeof r.file === 'number' ? stored.files[r.file] : undefined;
    if (resource === undefined || file === undefined) return undefined;
    const findings: Finding[] = [];
    for (const f of r.findings) {
      const finding = typeof f === 'number' ? stored.findings[f]?.finding : f;
      if (finding === undefined) return undefined;
      findings.push(finding);
    }
    results.push({ ...r, resource, file, findings });
  }
  const { resources: _resources, files: _files, ...outcome } = stored;
  return { ...outcome, results };
}
