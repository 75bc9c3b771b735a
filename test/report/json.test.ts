import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatJson } from '../../src/report/json.js';
import type { ScanResult } from '../../src/evaluate/scan-result.js';
import { richFixture } from './fixture-extra.js';
import { certificateFinding, exportedApiFinding, httpBackendFinding, PARAMETERS, scanFixture, TEMPLATE } from './fixture.js';

test('json: version, tool and summary counts', () => {
  const report = JSON.parse(formatJson(scanFixture()));
  assert.equal(report.version, 1);
  assert.deepEqual(report.tool, { name: 'tollgate', version: '0.1.0' });
  assert.deepEqual(report.summary, {
    files: 3,
    resources: 5,
    resourcesEvaluated: 3,
    rules: 2,
    findings: 3,
    errors: 2,
    warnings: 1,
    notes: 0,
    unknown: 1,
    inputErrors: 1,
    suppressed: 0,
    durationMs: 42,
  });
  assert.deepEqual(Object.keys(report), ['version', 'tool', 'summary', 'coverage', 'findings', 'results', 'diagnostics']);
});

test('json: coverage: counts, groups and every item not evaluated', () => {
  const report = JSON.parse(formatJson(richFixture()));
  const c = report.coverage;
  assert.deepEqual(c.resources, {
    found: 5,
    evaluated: 3,
    undecided: 0,
    notEvaluated: 2,
    notEvaluatedByType: [{ key: 'Microsoft.ApiManagement/service', description: 'Microsoft.ApiManagement/service', count: 2 }],
  });
  assert.deepEqual(c.checks, {
    total: 8,
    decided: 5,
    notApplicable: 1,
    undecided: 1,
    undecidedByReason: [
      {
        key: 'properties.tls.validateCertificateName is not known before deployment',
        description: 'properties.tls.validateCertificateName is not known before deployment',
        count: 1,
      },
    ],
    errors: 1,
  });
  assert.deepEqual(
    c.rulesNotRun.byReason.map((g: { key: string; count: number }) => [g.key, g.count]),
    [
      ['needs-parameters', 1],
      ['effect-disabled', 1],
    ],
  );
  assert.equal(c.rulesNotRun.cannotRun, 1);
  assert.deepEqual(c.deploymentsNotFollowed, {
    count: 1,
    byReason: [{ key: 'remote-link', description: 'the linked template is remote (a URL) and is not fetched', count: 1 }],
  });
  assert.deepEqual(
    c.items.resourcesNotEvaluated.map((r: { name: string; file: string }) => `${r.name} ${r.file}`),
    ['apim-prod exports/prod apim.json', 'apim-contoso infra/apim.json'],
  );
  assert.deepEqual(
    c.items.rulesNotRun.map((r: { id: string }) => r.id),
    ['567c93f7-3661-494f-a30f-0a94d9bfebf8', '549814b6-3212-4203-bdc8-1548d342fb67'],
  );
  assert.equal(c.items.deploymentsNotFollowed[0].deployment, 'links|<b>');
  assert.deepEqual(c.items.resourcesUndecided, []);
});

test('json: pretty-printed with two spaces and a final newline', () => {
  const text = formatJson(scanFixture());
  assert.match(text, /^\{\n {2}"version": 1,\n {2}"tool": \{\n {4}"name": "tollgate"/);
  assert.ok(text.endsWith('}\n'));
});

test('json: findings sorted by file and line, locations and origins kept as they are (1-based)', () => {
  const report = JSON.parse(formatJson(scanFixture()));
  assert.deepEqual(
    report.findings,
    [exportedApiFinding(), httpBackendFinding(), certificateFinding()].map((f) => JSON.parse(JSON.stringify(f))),
  );
  const backend = report.findings[1];
  assert.deepEqual(backend.location, { file: TEMPLATE, start: { line: 60, column: 20 }, end: { line: 60, column: 49 } });
  assert.deepEqual(backend.origins, [
    {
      location: { file: PARAMETERS, start: { line: 9, column: 16 }, end: { line: 9, column: 50 } },
      description: "parameter 'paymentsUrl' (value in parameter file)",
    },
  ]);
  assert.equal(backend.parameterFile, PARAMETERS);
  assert.equal(report.findings[0].parameterFile, undefined, 'absent, not null, for an export');
});

test('json: every rule result with its outcome, without repeating the findings', () => {
  const report = JSON.parse(formatJson(scanFixture()));
  assert.equal(report.results.length, 5);
  const outcomes = report.results.map((r: { outcome: string }) => r.outcome).sort();
  assert.deepEqual(outcomes, ['fail', 'fail', 'fail', 'pass', 'unknown']);
  for (const r of report.results) assert.equal('findings' in r, false);
  const unknown = report.results.find((r: { outcome: string }) => r.outcome === 'unknown');
  assert.equal(unknown.reason, 'properties.tls.validateCertificateName is not known before deployment');
  assert.equal(unknown.resource.name, 'apim-contoso/inventory');
});

test('json: diagnostics with their 1-based location', () => {
  const report = JSON.parse(formatJson(scanFixture()));
  assert.deepEqual(report.diagnostics, [
    {
      severity: 'error',
      code: 'unknown-function',
      message: "unsupported template function 'listSecrets'",
      location: { file: TEMPLATE, start: { line: 88, column: 22 }, end: { line: 88, column: 57 } },
    },
  ]);
});

test('json: the same scan in any order gives the same document', () => {
  const result = scanFixture();
  const shuffled: ScanResult = { ...result, findings: [result.findings[1]!, result.findings[2]!, result.findings[0]!], results: [...result.results].reverse() };
  assert.equal(formatJson(shuffled), formatJson(result));
});

test('json: fields outside the documented shape stay out', () => {
  const result = scanFixture();
  const withExtras = {
    ...result,
    skipped: [{ path: 'package.json', reason: 'not a template' }],
    findings: result.findings.map((f) => ({ ...f, internal: true })),
  };
  const report = JSON.parse(formatJson(withExtras));
  assert.equal('skipped' in report, false);
  assert.equal('internal' in report.findings[0], false);
});
