import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatGitlab, type CodeQualityIssue } from '../../src/report/gitlab.js';
import { baselineFingerprint } from '../../src/findings/fingerprint.js';
import { sortFindings } from '../../src/report/order.js';
import { scanFixture } from './fixture.js';
import { richFixture } from './fixture-extra.js';

const SEVERITIES = ['info', 'minor', 'major', 'critical', 'blocker'];

test('gitlab: one Code Quality issue per finding and input problem, with the fields GitLab requires', () => {
  for (const result of [scanFixture(), richFixture()]) {
    const issues = JSON.parse(formatGitlab(result)) as CodeQualityIssue[];
    const diagnostics = result.diagnostics.filter((d) => d.severity !== 'info' && (d.location?.file ?? d.file) !== undefined);
    assert.equal(issues.length, result.findings.length + diagnostics.length);
    for (const issue of issues) {
      assert.deepEqual(Object.keys(issue), ['description', 'check_name', 'fingerprint', 'severity', 'location']);
      assert.ok(issue.description.length > 0 && issue.check_name.length > 0);
      assert.match(issue.fingerprint, /^[0-9a-f]{64}$/);
      assert.ok(SEVERITIES.includes(issue.severity), issue.severity);
      assert.equal(typeof issue.location.path, 'string');
      assert.ok(Number.isInteger(issue.location.lines.begin) && issue.location.lines.begin >= 1);
    }
    // GitLab keeps one issue per fingerprint.
    assert.equal(new Set(issues.map((i) => i.fingerprint)).size, issues.length);
  }
});

test('gitlab: findings keep their rule, line, severity and the cross-run fingerprint of SARIF and baselines', () => {
  const result = scanFixture();
  const issues = JSON.parse(formatGitlab(result)) as CodeQualityIssue[];
  const findings = sortFindings(result.findings);
  const mapped = { critical: 'blocker', high: 'critical', medium: 'major', low: 'minor', informational: 'info' };
  findings.forEach((f, i) => {
    const issue = issues[i]!;
    assert.equal(issue.check_name, f.ruleId);
    assert.ok(issue.description.startsWith(`${f.ruleId}: ${f.message}`));
    assert.equal(issue.severity, mapped[f.severity]);
    assert.equal(issue.location.path, f.location?.file ?? f.file);
    assert.equal(issue.location.lines.begin, f.location?.start.line ?? 1);
    assert.equal(issue.fingerprint, baselineFingerprint(f));
  });
  // Moving the finding down a line (an edit above it) keeps its fingerprint: GitLab sees the same issue, not a new one.
  const moved = {
    ...result,
    findings: result.findings.map((f) =>
      f.location ? { ...f, location: { ...f.location, start: { ...f.location.start, line: f.location.start.line + 3 } } } : f,
    ),
  };
  const again = JSON.parse(formatGitlab(moved)) as CodeQualityIssue[];
  assert.deepEqual(
    again.map((i) => i.fingerprint),
    issues.map((i) => i.fingerprint),
  );
});

test('gitlab: two findings with the same identity still get distinct fingerprints', () => {
  const result = scanFixture();
  const f = result.findings[0]!;
  const issues = JSON.parse(formatGitlab({ ...result, findings: [f, { ...f }], diagnostics: [] })) as CodeQualityIssue[];
  assert.equal(issues.length, 2);
  assert.notEqual(issues[0]!.fingerprint, issues[1]!.fingerprint);
  assert.equal(issues[0]!.fingerprint, baselineFingerprint(f));
});
