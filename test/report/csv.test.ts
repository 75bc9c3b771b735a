import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCsv } from '../../src/report/csv.js';
import { assertGolden } from './golden.js';
import { NASTY, richFixture } from './fixture-extra.js';
import { scanFixture } from './fixture.js';
import { parseCsv } from './csv-reader.js';

// Golden files: UPDATE_GOLDEN=1 npm test rewrites them (see golden.ts); review the diff.
test('csv: golden files', () => {
  assertGolden('report.csv', formatCsv(scanFixture()));
  assertGolden('report.rich.csv', formatCsv(richFixture()));
});

test('csv: header and every finding, cell by cell', () => {
  const rows = parseCsv(formatCsv(scanFixture()));
  assert.deepEqual(rows[0], [
    'level',
    'severity',
    'rule',
    'rule title',
    'resource type',
    'resource name',
    'file',
    'line',
    'column',
    'parameter files',
    'message',
    'value set at',
  ]);
  assert.deepEqual(rows[2], [
    'error',
    'critical',
    'APIM-HTTPBackend',
    'API Management backends use HTTPS',
    'Microsoft.ApiManagement/service/backends',
    'apim-contoso/payments',
    'infra/apim.json',
    '60',
    '20',
    'infra/apim.parameters.json',
    "Backend 'payments' sends traffic to 'http://payments.contoso.com/api' without encryption: use an https:// URL.",
    "infra/apim.parameters.json:9:16 parameter 'paymentsUrl' (value in parameter file)",
  ]);
});

test('csv: round-trips quotes, commas and newlines; neutralises formulas', () => {
  const result = richFixture();
  const rows = parseCsv(formatCsv(result));
  assert.equal(rows.length, result.findings.length + 1);
  assert.ok(rows.every((r) => r.length === rows[0]!.length));
  assert.ok(rows.some((r) => r[10] === NASTY));
  for (const start of ['=', '+', '-', '@', '\t', '\r']) {
    const message = `${start}HYPERLINK("http://evil","x")`;
    const csv = formatCsv({ ...result, findings: [{ ...result.findings[0]!, message }] });
    assert.equal(parseCsv(csv)[1]![10], `'${message}`, JSON.stringify(start));
  }
  const harmless = formatCsv({ ...result, findings: [{ ...result.findings[0]!, message: 'a = b' }] });
  assert.equal(parseCsv(harmless)[1]![10], 'a = b');
});
