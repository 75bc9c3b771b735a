import { test } from 'node:test';
import { formatJson } from '../../src/report/json.js';
import { formatPretty } from '../../src/report/pretty.js';
import { formatSarif } from '../../src/report/sarif.js';
import { assertGolden } from './golden.js';
import { richFixture } from './fixture-extra.js';
import { scanFixture } from './fixture.js';

// Golden files for the formats whose other tests check structure (SARIF schema, JSON fields,
// terminal layout): the whole output, byte for byte. UPDATE_GOLDEN=1 npm test rewrites them.
test('json: golden files', () => {
  assertGolden('report.json', formatJson(scanFixture()));
  assertGolden('report.rich.json', formatJson(richFixture()));
});

test('sarif: golden files', () => {
  assertGolden('report.sarif', formatSarif(scanFixture()));
  assertGolden('report.rich.sarif', formatSarif(richFixture()));
});

test('pretty: golden files (no colour; and with suppressed findings and passing checks)', () => {
  assertGolden('report.pretty.txt', formatPretty(scanFixture(), { color: false }));
  assertGolden('report.rich.pretty.txt', formatPretty(richFixture(), { color: false, verbose: true, showSuppressed: true }));
});
