import { createHash } from 'node:crypto';
import type { ScanResult } from '../evaluate/scan-result.js';
import type { Severity } from '../findings/finding.js';
import { baselineFingerprint } from '../findings/fingerprint.js';
import { sortDiagnostics, sortFindings } from './order.js';
import { visible, wellFormed } from './visible.js';

/** GitLab's five severities, in the order of Tollgate's five: the merge request widget ranks by them. */
const SEVERITY: Record<Severity, GitlabSeverity> = {
  critical: 'blocker',
  high: 'critical',
  medium: 'major',
  low: 'minor',
  informational: 'info',
};

type GitlabSeverity = 'info' | 'minor' | 'major' | 'critical' | 'blocker';

/** One entry of a GitLab Code Quality report (the subset of the Code Climate issue GitLab reads). */
export interface CodeQualityIssue {
  description: string;
  check_name: string;
  fingerprint: string;
  severity: GitlabSeverity;
  location: { path: string; lines: { begin: number } };
}

/**
 * `--format gitlab` (alias `codequality`): a GitLab Code Quality report, the JSON array a job
 * publishes with `artifacts: reports: codequality:`. GitLab compares the fingerprints of the
 * merge request's report with the target branch's to say what is new and what is fixed, so the
 * fingerprint is the cross-run identity SARIF and baselines use (never a line number). Input
 * errors are entries too (check `tollgate/<code>`): a file that could not be read must not
 * look clean in the widget. Text from the input is shown with its control and bidi characters
 * as escapes (the widget is read by people); paths stay as they are, so that GitLab finds the file.
 */
export function formatGitlab(result: ScanResult): string {
  const issues: CodeQualityIssue[] = [];
  const seen = new Map<string, number>();
  // GitLab keeps one entry per fingerprint: a repeated identity gets a counted variant.
  const unique = (fingerprint: string) => {
    const n = seen.get(fingerprint) ?? 0;
    seen.set(fingerprint, n + 1);
    return n === 0 ? fingerprint : createHash('sha256').update(`${fingerprint}\u0000${n}`).digest('hex');
  };
  for (const f of sortFindings(result.findings)) {
    const origins = f.origins.map((o) => ` (value set at ${o.location.file}:${o.location.start.line}: ${o.description})`).join('');
    issues.push({
      description: visible(`${f.ruleId}: ${f.message}${origins}`),
      check_name: visible(f.ruleId),
      fingerprint: unique(baselineFingerprint(f)),
      severity: SEVERITY[f.severity],
      location: { path: wellFormed(f.location?.file ?? f.file), lines: { begin: f.location?.start.line ?? 1 } },
    });
  }
  for (const d of sortDiagnostics(result.diagnostics.filter((x) => x.severity !== 'info'))) {
    const file = d.location?.file ?? d.file;
    // GitLab needs a path; a problem with no file (a bad flag) is the CLI's to report.
    if (file === undefined) continue;
    const identity = createHash('sha256').update(['diagnostic', d.code, file, d.message].join('\u0000')).digest('hex');
    issues.push({
      description: visible(`${d.code}: ${d.message}`),
      check_name: `tollgate/${d.code}`,
      fingerprint: unique(identity),
      severity: d.severity === 'error' ? 'major' : 'minor',
      location: { path: wellFormed(file), lines: { begin: d.location?.start.line ?? 1 } },
    });
  }
  return JSON.stringify(issues, null, 2) + '\n';
}
