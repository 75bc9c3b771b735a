import type { ScanResult } from '../evaluate/scan-result.js';
import { fingerprint } from '../findings/fingerprint.js';
import type { Finding, RuleResult } from '../findings/finding.js';
import { formatLocation } from '../load/format-location.js';
import { sortDiagnostics, sortResults, sortUnits } from './order.js';
import { xmlAttr as a, xmlEscape as x } from './xml.js';
import { coverageOf, type Coverage } from './coverage.js';

/**
 * `--format junit`: one test suite per scan unit (template with its parameter file, or export),
 * one test case per rule x resource. Failures carry the message and `file:line:column`; skipped
 * and undecided checks are `<skipped>`; a rule that crashed is `<error>`. Input problems form a
 * suite of their own. The shape Azure Pipelines (PublishTestResults, JUnit) and GitLab read:
 * GitLab shows `classname` (the rule) as the suite and `name` (the resource) as the test, and
 * keys a case by suite, classname and name, so those are kept unique within a suite.
 *
 * Failures are the findings the other formats report: a finding that is suppressed, or (with
 * `--baseline`) already in the baseline, makes its check skipped, not failed.
 */
export function formatJunit(result: ScanResult): string {
  // Findings were merged across parameter files: index them under each one, as the results have them.
  const open = new Set<string>();
  for (const f of result.findings) for (const p of f.parameterFiles ?? [f.parameterFile]) open.add(identity({ ...f, parameterFile: p }));
  const suppressed = new Map<string, Finding>();
  for (const f of result.suppressed ?? []) for (const p of f.parameterFiles ?? [f.parameterFile]) suppressed.set(identity({ ...f, parameterFile: p }), f);
  const context: Context = { open, suppressed, baseline: result.baseline?.file };
  const suites: string[] = [];
  let total = 0;
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  for (const unit of sortUnits(result.units)) {
    const results = sortResults(result.results.filter((r) => r.file === unit.file && r.parameterFile === unit.parameterFile));
    const seen = new Map<string, number>();
    for (const r of results) seen.set(caseKey(r), (seen.get(caseKey(r)) ?? 0) + 1);
    const counts = { failures: 0, errors: 0, skipped: 0 };
    // Two resources of the same type and name (nested deployments to different scopes) are told apart by id.
    const cases = results.map((r) => testCase(r, seen.get(caseKey(r))! > 1 ? `${resourceName(r)} (${r.resource.id})` : resourceName(r), context, counts));
    const name = unit.parameterFile ? `${unit.file} with ${unit.parameterFile}` : unit.file;
    suites.push(suite(name, cases, counts));
    total += results.length;
    failures += counts.failures;
    errors += counts.errors;
    skipped += counts.skipped;
  }
  const inputErrors = sortDiagnostics(result.diagnostics.filter((d) => d.severity === 'error'));
  if (inputErrors.length) {
    const cases = inputErrors.map(
      (d) =>
        `    <testcase classname="tollgate.inputs" name="${a(`${d.code} ${formatLocation(d)}`)}" file="${a(d.location?.file ?? d.file ?? '')}" time="0">\n` +
        `      <error message="${a(d.message)}" type="${a(d.code)}">${x(`${formatLocation(d)}: ${d.message}`)}</error>\n    </testcase>`,
    );
    suites.push(suite('tollgate inputs', cases, { failures: 0, errors: cases.length, skipped: 0 }));
    total += cases.length;
    errors += cases.length;
  }
  const covered = coverageOf(result);
  // An empty scan stays an empty document; any other says what it did not evaluate.
  if (covered.resources.found || covered.rulesNotRun.count || covered.deploymentsNotFollowed.count) {
    const coverage = coverageSuite(covered);
    suites.push(coverage.xml);
    total += coverage.cases;
    skipped += coverage.cases;
  }
  const time = (result.durationMs / 1000).toFixed(3);
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="tollgate" tests="${total}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${time}">\n` +
    suites.map((s) => `${s}\n`).join('') +
    '</testsuites>\n'
  );
}

/**
 * What was not evaluated, as a suite of skipped cases (a CI page shows skips; a resource no
 * rule looked at must not pass for a check that passed): each resource no rule applies to, each
 * rule not run, each nested deployment not followed. The counts are the suite's properties.
 */
function coverageSuite(c: Coverage): { xml: string; cases: number } {
  const properties: [string, number][] = [
    ['coverage.resources.found', c.resources.found],
    ['coverage.resources.evaluated', c.resources.evaluated],
    ['coverage.resources.undecided', c.resources.undecided],
    ['coverage.resources.notEvaluated', c.resources.notEvaluated],
    ...c.resources.notEvaluatedByType.map((g): [string, number] => [`coverage.resources.notEvaluated: ${g.key}`, g.count]),
    ['coverage.checks.total', c.checks.total],
    ['coverage.checks.undecided', c.checks.undecided],
    ...c.checks.undecidedByReason.map((g): [string, number] => [`coverage.checks.undecided: ${g.key}`, g.count]),
    ['coverage.rulesNotRun', c.rulesNotRun.count],
    ['coverage.rulesNotRun.cannotRun', c.rulesNotRun.cannotRun],
    ...c.rulesNotRun.byReason.map((g): [string, number] => [`coverage.rulesNotRun: ${g.key}`, g.count]),
    ['coverage.deploymentsNotFollowed', c.deploymentsNotFollowed.count],
    ...c.deploymentsNotFollowed.byReason.map((g): [string, number] => [`coverage.deploymentsNotFollowed: ${g.key}`, g.count]),
  ];
  const skippedCase = (classname: string, name: string, file: string, message: string) =>
    `    <testcase classname="${a(classname)}" name="${a(name)}" file="${a(file)}" time="0">\n      <skipped message="${a(message)}"/>\n    </testcase>`;
  const seen = new Map<string, number>();
  // GitLab keys a case by classname and name: a second resource of the same name in another unit gets its unit in the name.
  const unique = (key: string, name: string, unit: string): string => {
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    return n > 1 ? `${name} (${unit})` : name;
  };
  const cases = [
    ...c.items.resourcesNotEvaluated.map((r) => {
      const unit = r.parameterFile ? `${r.file} with ${r.parameterFile}` : r.file;
      const name = unique(`r${r.type}/${r.name}`.toLowerCase(), `${r.type}/${r.name}`, `${unit}, ${r.id}`);
      return skippedCase('tollgate.coverage.not-evaluated', name, r.file, `not evaluated: no rule applies to ${r.type} (${unit})`);
    }),
    ...c.items.rulesNotRun.map((r) => {
      const name = r.assignment ? `${r.id} (assignment ${r.assignment}${r.referenceId ? `, ${r.referenceId}` : ''})` : r.id;
      return skippedCase('tollgate.coverage.rule-not-run', unique(`n${name}`, name, r.reason), '', `not run: ${r.detail}`);
    }),
    ...c.items.deploymentsNotFollowed.map((d) => {
      const where = formatLocation(d);
      const name = unique(`d${where}${d.deployment}`, `${d.deployment} at ${where}`, d.file);
      return skippedCase('tollgate.coverage.deployment-not-followed', name, d.file, `not followed: ${d.detail}`);
    }),
  ];
  const props = properties.map(([name, value]) => `      <property name="${a(name)}" value="${value}"/>\n`).join('');
  const xml =
    `  <testsuite name="tollgate coverage" tests="${cases.length}" failures="0" errors="0" skipped="${cases.length}" time="0">\n` +
    `    <properties>\n${props}    </properties>\n` +
    cases.map((s) => `${s}\n`).join('') +
    '  </testsuite>';
  return { xml, cases: cases.length };
}

interface Context {
  /** Identities of the findings reported as findings (not suppressed, not in the baseline). */
  open: Set<string>;
  suppressed: Map<string, Finding>;
  /** The baseline file, when the scan was compared with one. */
  baseline?: string;
}

type Counts = { failures: number; errors: number; skipped: number };

function suite(name: string, cases: string[], counts: Counts): string {
  const body = cases.map((c) => `${c}\n`).join('');
  return `  <testsuite name="${a(name)}" tests="${cases.length}" failures="${counts.failures}" errors="${counts.errors}" skipped="${counts.skipped}" time="0">\n${body}  </testsuite>`;
}

function testCase(r: RuleResult, name: string, context: Context, counts: Counts): string {
  const head = `    <testcase classname="${a(r.ruleId)}" name="${a(name)}" file="${a(r.file)}" time="0"`;
  if (r.outcome === 'pass') return `${head}/>`;
  if (r.outcome === 'fail') {
    // Without a baseline, anything not suppressed fails (also findings the result lists only here).
    const failing = r.findings.filter((f) => (context.baseline === undefined ? !context.suppressed.has(identity(f)) : context.open.has(identity(f))));
    if (!failing.length) {
      counts.skipped++;
      const accepted = r.findings.map((f) => context.suppressed.get(identity(f))).find((f) => f !== undefined);
      const why = accepted ? `suppressed: ${accepted.suppression?.justification ?? 'accepted'}` : `in the baseline ${context.baseline}`;
      return `${head}>\n      <skipped message="${a(why)}"/>\n    </testcase>`;
    }
    counts.failures++;
    const text = failing.map(describe).join('\n\n');
    return `${head}>\n      <failure message="${a(failing[0]!.message)}" type="${a(r.ruleId)}">${x(text)}</failure>\n    </testcase>`;
  }
  if (r.outcome === 'error') {
    counts.errors++;
    return `${head}>\n      <error message="${a(r.reason ?? 'the rule failed')}" type="rule-error"/>\n    </testcase>`;
  }
  counts.skipped++;
  const label = r.outcome === 'unknown' ? 'undecided' : 'skipped';
  return `${head}>\n      <skipped message="${a(r.reason ? `${label}: ${r.reason}` : label)}"/>\n    </testcase>`;
}

function resourceName(r: RuleResult): string {
  return `${r.resource.type}/${r.resource.name}`;
}

function caseKey(r: RuleResult): string {
  return `${r.ruleId}\u0000${resourceName(r).toLowerCase()}`;
}

function describe(f: Finding): string {
  const lines = [`${f.location ? formatLocation({ location: f.location }) : f.file}: ${f.level}: ${f.message}`];
  for (const o of f.origins) lines.push(`  value set at ${formatLocation({ location: o.location })}: ${o.description}`);
  return lines.join('\n');
}

function identity(f: Finding): string {
  return `${fingerprint(f)}\u0000${f.message}\u0000${f.parameterFile ?? ''}`;
}
