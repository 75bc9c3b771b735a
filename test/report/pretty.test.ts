import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPretty } from '../../src/report/pretty.js';
import type { ScanResult } from '../../src/evaluate/scan-result.js';
import { at, certificateFinding, EXPORT, httpBackendFinding, PARAMETERS, scanFixture, TEMPLATE, withFindings } from './fixture.js';

const ANSI = /\u001b\[[0-9;]*m/;
const stripAnsi = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '');

test('pretty: findings grouped by file and ordered by line, with resource, parameter file and origin, then input errors and the summary', () => {
  const out = formatPretty(scanFixture(), { color: false });
  const expected = [
    'exports/prod apim.json',
    "  14:23  error  API 'orders' sends traffic to 'http://legacy.contoso.internal/orders' without encryption: use an https:// URL.  APIM-HTTPBackend",
    "                Microsoft.ApiManagement/service/apis 'apim-prod/orders'",
    '',
    'infra/apim.json',
    "  60:20  error    Backend 'payments' sends traffic to 'http://payments.contoso.com/api' without encryption: use an https:// URL.  APIM-HTTPBackend",
    "                  Microsoft.ApiManagement/service/backends 'apim-contoso/payments', with parameters: infra/apim.parameters.json",
    "                  value set at infra/apim.parameters.json:9:16 (parameter 'paymentsUrl' (value in parameter file))",
    '  62:41  warning  API Management backend certificate chain validation is disabled (properties.tls.validateCertificateChain is false).  92bb331d-ac71-416a-8c91-02f2cb734ce4',
    "                  Microsoft.ApiManagement/service/backends 'apim-contoso/payments', with parameters: infra/apim.parameters.json",
    '',
    "infra/apim.json:88:22  error  unsupported template function 'listSecrets'  [unknown-function]",
    '',
    'Coverage',
    '  5 resources found: 3 evaluated by at least one rule, 0 only undecided, 2 that no rule applies to',
    '  no rule applies to:',
    '       2  Microsoft.ApiManagement/service',
    '  1 check undecided (a value is unknown before deployment):',
    '       1  properties.tls.validateCertificateName is not known before deployment',
    '',
    '3 files, 5 resources (3 evaluated), 2 rules: 2 errors, 1 warning, 0 notes, 1 input error, 1 check undecided (unknown values; --verbose lists them) (42 ms)',
    '',
  ].join('\n');
  assert.equal(out, expected);
});

test('pretty: no ANSI codes when colour is off', () => {
  assert.doesNotMatch(formatPretty(scanFixture(), { color: false }), ANSI);
  assert.doesNotMatch(formatPretty(withFindings(scanFixture(), []), { color: false }), ANSI);
});

test('pretty: ANSI codes when colour is on, and the same text underneath', () => {
  const coloured = formatPretty(scanFixture(), { color: true });
  assert.match(coloured, ANSI);
  assert.match(coloured, /\u001b\[31merror/, 'errors in red');
  assert.match(coloured, /\u001b\[33mwarning/, 'warnings in yellow');
  assert.equal(stripAnsi(coloured), formatPretty(scanFixture(), { color: false }));
});

test('pretty: the same scan in any order prints the same report', () => {
  const result = scanFixture();
  const reversed: ScanResult = { ...result, findings: [...result.findings].reverse(), results: [...result.results].reverse() };
  assert.equal(formatPretty(reversed, { color: false }), formatPretty(result, { color: false }));
});

test('pretty: within a file, findings follow line then column order', () => {
  const early = { ...certificateFinding(), location: at(TEMPLATE, 5, 9, 12) };
  const sameLineLater = { ...httpBackendFinding(), location: at(TEMPLATE, 5, 30, 40) };
  const out = formatPretty(withFindings(scanFixture(), [sameLineLater, httpBackendFinding(), early]), { color: false });
  const positions = out.split('\n').flatMap((l) => /^ {2}(\d+:\d+) /.exec(l)?.[1] ?? []);
  assert.deepEqual(positions, ['5:9', '5:30', '60:20']);
});

test('pretty: a clean run says so, naming only the resources a rule decided about, and still ends with the summary', () => {
  const out = formatPretty(withFindings(scanFixture(), []), { color: false });
  assert.ok(
    out.endsWith(
      'No problems found in the 3 of 5 resources a rule decided about.\n3 files, 5 resources (3 evaluated), 2 rules: 0 errors, 0 warnings, 0 notes, 1 check undecided (unknown values; --verbose lists them) (42 ms)\n',
    ),
    out,
  );
  // Every resource evaluated: the plain count.
  const all = withFindings(scanFixture(), []);
  all.units = all.units.map((u) => ({ ...u, inventory: u.inventory!.filter((r) => r.type !== 'Microsoft.ApiManagement/service'), resources: u.resources - 1 }));
  assert.match(formatPretty(all, { color: false }), /^No problems found in 3 resources\.$/m);
  // No rule decided about anything: never "No problems found".
  const none = { ...all, results: all.results.map((r) => ({ ...r, outcome: 'skip' as const })) };
  const nothing = formatPretty(none, { color: false });
  assert.match(nothing, /^No rule decided about any of the 3 resources found: nothing was checked \(see Coverage\)\.$/m);
  assert.doesNotMatch(nothing, /No problems found/);
});

test('pretty: definitions that cannot run are named in the closing line and listed without --verbose', () => {
  const result: ScanResult = {
    ...withFindings(scanFixture(), []),
    notRun: [
      { id: 'needs-one', title: 'Needs a workspace', kind: 'policy', reason: 'needs-parameters', detail: "needs parameter 'logAnalytics' (no default)" },
      { id: 'off-one', title: 'Off', kind: 'policy', reason: 'effect-disabled', detail: 'effect Disabled' },
    ],
  };
  const out = formatPretty(result, { color: false });
  assert.match(out, /^No problems found in the 3 of 5 resources a rule decided about\. 1 definition could not run \(see Coverage\)\.$/m);
  assert.match(out, /^ {2}2 rules not run, 1 of them because it cannot:$/m);
  assert.match(out, /^ {12}needs-one {2}Needs a workspace: needs parameter 'logAnalytics' \(no default\)$/m);
  // Off by choice: counted, listed only with --verbose.
  assert.match(out, /^ {7}1 {2}effect Disabled$/m);
  assert.doesNotMatch(out, /off-one/);
  assert.match(formatPretty(result, { color: false, verbose: true }), /^ {12}off-one {2}Off$/m);
});

test('pretty: no resources at all is never a silent green run', () => {
  const empty: ScanResult = { ...scanFixture(), files: [], units: [], results: [], findings: [], diagnostics: [], durationMs: 3 };
  const out = formatPretty(empty, { color: false });
  assert.equal(out, 'No ARM templates, Bicep files or exported resources found.\n0 files, 0 resources, 2 rules: 0 errors, 0 warnings, 0 notes (3 ms)\n');
  assert.doesNotMatch(out, /No problems found/);
});

test('pretty: a template whose only file failed to parse shows the input error and the no-resources message', () => {
  const broken: ScanResult = {
    ...scanFixture(),
    files: [TEMPLATE],
    units: [],
    results: [],
    findings: [],
    diagnostics: [{ severity: 'error', code: 'json-syntax', message: 'expected a comma', location: at(TEMPLATE, 3, 7, 8) }],
  };
  const out = formatPretty(broken, { color: false });
  assert.match(out, /^infra\/apim\.json:3:7 {2}error {2}expected a comma {2}\[json-syntax\]$/m);
  assert.match(out, /No ARM templates, Bicep files or exported resources found\./);
  assert.match(out, /, 1 input error \(42 ms\)\n$/);
});

test('pretty: warnings without errors are listed but add no input-error count; info only when verbose', () => {
  const result: ScanResult = {
    ...withFindings(scanFixture(), []),
    diagnostics: [
      { severity: 'warning', code: 'copy-count-unknown', message: 'the copy count is unknown; one instance is checked', location: at(TEMPLATE, 40, 18, 30) },
      { severity: 'info', code: 'not-a-template', message: 'skipped metadata.json', file: 'infra/metadata.json' },
    ],
  };
  const out = formatPretty(result, { color: false });
  assert.match(out, /^infra\/apim\.json:40:18 {2}warning {2}the copy count is unknown; one instance is checked {2}\[copy-count-unknown\]$/m);
  assert.doesNotMatch(out, /not-a-template/);
  assert.doesNotMatch(out, /input error/);
  assert.match(out, /No problems found in the 3 of 5 resources a rule decided about\./);
  assert.match(formatPretty(result, { color: false, verbose: true }), /^infra\/metadata\.json {2}info {2}skipped metadata\.json {2}\[not-a-template\]$/m);
});

test('pretty: verbose adds the checks that passed or could not be decided', () => {
  const quiet = formatPretty(scanFixture(), { color: false });
  const verbose = formatPretty(scanFixture(), { color: false, verbose: true });
  assert.doesNotMatch(quiet, /^Checks$/m);
  assert.match(verbose, /^Checks$/m);
  assert.match(
    verbose,
    /^ {2}pass {5}APIM-HTTPBackend {2}Microsoft\.ApiManagement\/service\/backends 'apim-contoso\/inventory' {2}infra\/apim\.json, with parameters: infra\/apim\.parameters\.json$/m,
  );
  assert.match(verbose, /^ {2}unknown {2}92bb331d-ac71-416a-8c91-02f2cb734ce4 .* {2}properties\.tls\.validateCertificateName is not known before deployment$/m);
});

test('pretty: a finding without a location comes first in its file, marked "-"', () => {
  const { location: _dropped, ...unlocated } = certificateFinding();
  const out = formatPretty(withFindings(scanFixture(), [httpBackendFinding(), unlocated]), { color: false });
  const lines = out.split('\n');
  assert.equal(lines[0], TEMPLATE);
  assert.match(lines[1]!, /^ {2}- {6}warning {2}API Management backend certificate/);
  assert.match(lines[3]!, /^ {2}60:20 {2}error {4}Backend 'payments'/);
});

test('pretty: a location in another file than the scanned one is printed in full', () => {
  const elsewhere = { ...httpBackendFinding(), location: at(PARAMETERS, 9, 16, 50) };
  const out = formatPretty(withFindings(scanFixture(), [elsewhere]), { color: false });
  assert.match(out, /^ {2}infra\/apim\.parameters\.json:9:16 {2}error {2}Backend/m);
  assert.doesNotMatch(out, new RegExp(`^${EXPORT}$`, 'm'), 'no group for a file without findings');
});
