import type { ScanResult } from '../evaluate/scan-result.js';
import { fingerprint } from '../findings/fingerprint.js';
import type { Finding, RuleResult } from '../findings/finding.js';
import { formatLocation } from '../load/format-location.js';
import { sortDiagnostics, sortResults } from './order.js';
import { xmlEscape as x } from './xml.js';

/**
 * `--format junit`: one test suite per scan unit (template with its parameter file, or export),
 * one test case per rule x resource. Failures carry the message and `file:line:column`; skipped
 * and undecided checks are `<skipped>`; a rule that crashed is `<error>`. Input problems form a
 * suite of their own. The shape Azure Pipelines (PublishTestResults, JUnit) and GitLab read.
 */
export function formatJunit(result: ScanResult): string {
  // Suppressed findings were merged across parameter files: index them under each one.
  const suppressed = new Map<string, Finding>();
  for (const f of result.suppressed ?? []) for (const p of f.parameterFiles ?? [f.parameterFile]) suppressed.set(identity({ ...f, parameterFile: p }), f);
  const suites: string[] = [];
  let total = 0;
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  for (const unit of result.units) {
    const results = sortResults(result.results.filter((r) => r.file === unit.file && r.parameterFile === unit.parameterFile));
    const cases: string[] = [];
    const counts = { failures: 0, errors: 0, skipped: 0 };
    for (const r of results) cases.push(testCase(r, suppressed, counts));
    const name = unit.parameterFile ? `${unit.file} with ${unit.parameterFile}` : unit.file;
    suites.push(
      `  <testsuite name="${x(name)}" tests="${results.length}" failures="${counts.failures}" errors="${counts.errors}" skipped="${counts.skipped}" time="0">\n${cases.join('\n')}${cases.length ? '\n' : ''}  </testsuite>`,
    );
    total += results.length;
    failures += counts.failures;
    errors += counts.errors;
    skipped += counts.skipped;
  }
  const inputErrors = sortDiagnostics(result.diagnostics.filter((d) => d.severity === 'error'));
  if (inputErrors.length) {
    const cases = inputErrors.map(
      (d) => `    <testcase classname="tollgate.inputs" name="${x(`${d.code} ${formatLocation(d)}`)}" file="${x(d.location?.file ?? d.file ?? '')}" time="0">\n      <error message="${x(d.message)}" type="${x(d.code)}">${x(`${formatLocation(d)}: ${d.message}`)}</error>\n    </testcase>`,
    );
    suites.push(`  <testsuite name="tollgate inputs" tests="${cases.length}" failures="0" errors="${cases.length}" skipped="0" time="0">\n${cases.join('\n')}\n  </testsuite>`);
    total += cases.length;
    errors += cases.length;
  }
  const time = (result.durationMs / 1000).toFixed(3);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="tollgate" tests="${total}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${time}">\n${suites.join('\n')}\n</testsuites>\n`;
}

function testCase(r: RuleResult, suppressed: Map<string, Finding>, counts: { failures: number; errors: number; skipped: number }): string {
  const head = `    <testcase classname="${x(r.ruleId)}" name="${x(`${r.resource.type}/${r.resource.name}`)}" file="${x(r.file)}" time="0"`;
  if (r.outcome === 'pass') return `${head}/>`;
  if (r.outcome === 'fail') {
    const open = r.findings.filter((f) => !suppressed.has(identity(f)));
    if (!open.length) {
      counts.skipped++;
      const why = suppressed.get(identity(r.findings[0]!))?.suppression?.justification ?? 'suppressed';
      return `${head}>\n      <skipped message="${x(`suppressed: ${why}`)}"/>\n    </testcase>`;
    }
    counts.failures++;
    const text = open.map(describe).join('\n\n');
    return `${head}>\n      <failure message="${x(open[0]!.message)}" type="${x(r.ruleId)}">${x(text)}</failure>\n    </testcase>`;
  }
  if (r.outcome === 'error') {
    counts.errors++;
    return `${head}>\n      <error message="${x(r.reason ?? 'the rule failed')}" type="rule-error"/>\n    </testcase>`;
  }
  counts.skipped++;
  const label = r.outcome === 'unknown' ? 'undecided' : 'skipped';
  return `${head}>\n      <skipped message="${x(`${label}: ${r.reason ?? ''}`)}"/>\n    </testcase>`;
}

function describe(f: Finding): string {
  const lines = [`${f.location ? formatLocation({ location: f.location }) : f.file}: ${f.level}: ${f.message}`];
  for (const o of f.origins) lines.push(`  value set at ${formatLocation({ location: o.location })}: ${o.description}`);
  return lines.join('\n');
}

function identity(f: Finding): string {
  return `${fingerprint(f)}\u0000${f.message}\u0000${f.parameterFile ?? ''}`;
}
