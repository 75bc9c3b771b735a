import type { ScanResult } from '../evaluate/scan-result.js';
import type { Finding, ResourceRef, RuleResult } from '../findings/finding.js';
import type { Diagnostic } from '../load/diagnostic.js';
import type { InitiativeCompliance } from '../policy/control-compliance.js';
import { sortDiagnostics, sortFindings, sortResults } from './order.js';
import { summarize, type Summary } from './summary.js';
import { coverageOf, type Coverage } from './coverage.js';
import { shardScan, type ShardScan } from './shard-report.js';

/**
 * The `--format json` document. `version` changes only when a field changes meaning or goes
 * away; new optional fields may appear within a version. Every line and column is 1-based
 * (columns in UTF-16 code units); every path is relative to the scan's working directory,
 * with forward slashes. Lists are sorted (by file, line, column, rule) so that the same input
 * always gives the same document.
 */
export interface JsonReport {
  version: 1;
  tool: { name: 'tollgate'; version: string };
  summary: Summary;
  /**
   * What the scan evaluated and what it did not: resources no rule applies to (by type), checks
   * left undecided (by reason), rules not run and nested deployments not followed (by reason),
   * with every item.
   */
  coverage: Coverage;
  /** Failures, each with the place to change and where the offending value was set. */
  findings: Finding[];
  /** Findings accepted by a suppression, each with its `suppression` (kind, justification, expiry). */
  suppressed?: Finding[];
  /** Every rule applied to every resource it concerns: pass, fail, skip, unknown or error. */
  results: JsonRuleResult[];
  /** Problems with the input itself (invalid JSON, unsupported function, unreadable file). */
  diagnostics: Diagnostic[];
  /** With assigned initiatives: compliance per initiative and control, and the definitions not available offline. */
  compliance?: InitiativeCompliance[];
  /**
   * With `--shard i/n`: which shard this is (`index`, `count`) and, under `scan`, the whole result
   * of the shard, which `tollgate merge` reads to rebuild the report of the complete scan.
   */
  shard?: ShardScan;
}

/** A rule result without its findings: those are in `findings`, matched by rule, resource and unit. */
export type JsonRuleResult = Omit<RuleResult, 'findings'>;

export function formatJson(result: ScanResult): string {
  return JSON.stringify(jsonReport(result), null, 2) + '\n';
}

export function jsonReport(result: ScanResult): JsonReport {
  return {
    version: 1,
    tool: { name: result.tool.name, version: result.tool.version },
    summary: summarize(result),
    coverage: coverageOf(result),
    findings: sortFindings(result.findings).map(finding),
    ...(result.suppressed?.length && { suppressed: sortFindings(result.suppressed).map(finding) }),
    results: sortResults(result.results).map(ruleResult),
    diagnostics: sortDiagnostics(result.diagnostics).map(diagnostic),
    ...(result.compliance && { compliance: result.compliance }),
    ...(result.shard && { shard: shardScan(result) }),
  };
}

// The projections below pin the key order and keep fields added to the internal types for
// other purposes out of a document that scripts depend on.

function finding(f: Finding): Finding {
  return {
    ruleId: f.ruleId,
    ruleTitle: f.ruleTitle,
    level: f.level,
    severity: f.severity,
    effect: f.effect,
    resource: resource(f.resource),
    message: f.message,
    path: f.path,
    location: f.location,
    origins: f.origins.map((o) => ({ location: o.location, description: o.description })),
    file: f.file,
    parameterFile: f.parameterFile,
    ...(f.parameterFiles && { parameterFiles: f.parameterFiles }),
    ...(f.alsoReportedBy && { alsoReportedBy: f.alsoReportedBy }),
    ...(f.suppression && { suppression: f.suppression }),
  };
}

function ruleResult(r: RuleResult): JsonRuleResult {
  return {
    ruleId: r.ruleId,
    resource: resource(r.resource),
    file: r.file,
    parameterFile: r.parameterFile,
    outcome: r.outcome,
    reason: r.reason,
  };
}

function resource(r: ResourceRef): ResourceRef {
  return { type: r.type, name: r.name, id: r.id };
}

function diagnostic(d: Diagnostic): Diagnostic {
  return { severity: d.severity, code: d.code, message: d.message, file: d.file, location: d.location };
}
