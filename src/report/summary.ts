import type { ScanResult } from '../evaluate/scan-result.js';
import { coverageOf } from './coverage.js';

/** The counts every reporter prints; computed in one place so that the formats never disagree. */
export interface Summary {
  /** Files analysed: templates, parameter files, exports. */
  files: number;
  /** Resources produced by all scan units (a template scanned with two parameter files counts twice). */
  resources: number;
  /** Of those, the resources a rule decided about (pass or fail): the rest were not checked (`coverage` says why). */
  resourcesEvaluated: number;
  rules: number;
  findings: number;
  errors: number;
  warnings: number;
  notes: number;
  /** Checks that could not be decided because a value they need is unknown before deployment. */
  unknown: number;
  /** Diagnostics of severity `error`: input that could not be analysed (exit code 3). */
  inputErrors: number;
  /** Findings accepted by a suppression: not counted above, never failures. */
  suppressed: number;
  /** With a baseline: findings already in it (not counted above), and its entries fixed since. */
  baseline?: { known: number; fixed: number };
  durationMs: number;
}

export function summarize(result: ScanResult): Summary {
  const byLevel = (level: string) => result.findings.filter((f) => f.level === level).length;
  const coverage = coverageOf(result).resources;
  return {
    files: result.files.length,
    resources: coverage.found,
    resourcesEvaluated: coverage.evaluated,
    rules: result.rules.length,
    findings: result.findings.length,
    errors: byLevel('error'),
    warnings: byLevel('warning'),
    notes: byLevel('note'),
    unknown: result.results.filter((r) => r.outcome === 'unknown').length,
    inputErrors: result.diagnostics.filter((d) => d.severity === 'error').length,
    suppressed: result.suppressed?.length ?? 0,
    ...(result.baseline && { baseline: { known: result.baseline.known, fixed: result.baseline.fixed } }),
    durationMs: result.durationMs,
  };
}
