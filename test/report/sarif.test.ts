import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { fingerprint, FINGERPRINT_KEY, formatSarif, relativeUri } from '../../src/report/sarif.js';
import type { ScanResult } from '../../src/evaluate/scan-result.js';
import type { Finding } from '../../src/findings/finding.js';
import {
  at,
  certificateFinding,
  EXPORT,
  exportedApiFinding,
  httpBackendFinding,
  NATIVE_ID,
  PARAMETERS,
  POLICY_ID,
  scanFixture,
  TEMPLATE,
  withFindings,
} from './fixture.js';

/** Tests run from .test-build/test/report/, so the schema is found from the repository root. */
function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('no package.json above the test file');
    dir = up;
  }
  return dir;
}

function sarifValidator() {
  const schema = JSON.parse(readFileSync(path.join(repoRoot(), 'test/schemas/sarif-schema-2.1.0.json'), 'utf8'));
  // The CommonJS default exports arrive as namespaces under NodeNext; `.default` is the real export in both worlds.
  const ajv = new AjvDraft04.default({ allErrors: true, strict: false });
  addFormats.default(ajv);
  return ajv.compile(schema);
}

const validate = sarifValidator();

function assertValidSarif(text: string): void {
  const ok = validate(JSON.parse(text));
  assert.ok(ok, JSON.stringify(validate.errors, null, 2));
}

// Loosely typed access to the parts of the log the tests look at.
interface Region {
  startLine: number;
  startColumn: number;
  endLine?: number;
  endColumn?: number;
}
interface PhysicalLocation {
  artifactLocation: { uri: string; uriBaseId?: string };
  region?: Region;
}
interface SarifResult {
  ruleId: string;
  ruleIndex?: number;
  level: string;
  message: { text: string };
  locations: {
    physicalLocation: PhysicalLocation;
    logicalLocations: { name: string; fullyQualifiedName: string; kind: string; properties: { resourceType: string } }[];
  }[];
  relatedLocations?: { id: number; message: { text: string }; physicalLocation: PhysicalLocation }[];
  partialFingerprints: Record<string, string>;
  properties: Record<string, string>;
}

function run(result: ScanResult) {
  const log = JSON.parse(formatSarif(result));
  return log.runs[0] as {
    tool: {
      driver: {
        name: string;
        version: string;
        informationUri: string;
        rules: {
          id: string;
          name: string;
          shortDescription: { text: string };
          fullDescription: { text: string };
          help: { text: string; markdown: string };
          helpUri?: string;
          defaultConfiguration: { level: string };
          properties: Record<string, unknown>;
        }[];
      };
    };
    invocations: {
      executionSuccessful: boolean;
      toolExecutionNotifications: {
        level: string;
        message: { text: string };
        descriptor: { id: string };
        locations?: { physicalLocation: PhysicalLocation }[];
      }[];
    }[];
    originalUriBaseIds: Record<string, { uri: string }>;
    results: SarifResult[];
  };
}

function resultFor(results: SarifResult[], ruleId: string, resourceName: string): SarifResult {
  const found = results.find((r) => r.ruleId === ruleId && r.properties['resourceName'] === resourceName);
  assert.ok(found, `no result for ${ruleId} on ${resourceName}`);
  return found;
}

test('sarif: the fixture validates against the SARIF 2.1.0 schema', () => {
  const text = formatSarif(scanFixture());
  assertValidSarif(text);
  const log = JSON.parse(text);
  assert.equal(log.$schema, 'https://json.schemastore.org/sarif-2.1.0.json');
  assert.equal(log.version, '2.1.0');
  assert.equal(log.runs.length, 1);
});

test('sarif: a clean run, and findings without a location, validate too', () => {
  assertValidSarif(formatSarif(withFindings(scanFixture(), [])));
  const { location: _dropped, ...unlocated } = certificateFinding();
  assertValidSarif(formatSarif(withFindings(scanFixture(), [unlocated])));
});

test('sarif: the schema check rejects a broken log (so the validation above means something)', () => {
  const log = JSON.parse(formatSarif(scanFixture()));
  log.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0;
  assert.equal(validate(log), false);
});

test('sarif: tool.driver and its rules', () => {
  const { driver } = run(scanFixture()).tool;
  assert.equal(driver.name, 'Tollgate');
  assert.equal(driver.version, '0.1.0');
  assert.equal(driver.informationUri, 'https://github.com/tollgate-dev/tollgate');
  assert.deepEqual(
    driver.rules.map((r) => r.id),
    [POLICY_ID, NATIVE_ID],
  );
  const [policy, native] = driver.rules;
  assert.equal(native!.name, 'APIManagementBackendsUseHTTPS');
  assert.equal(native!.shortDescription.text, 'API Management backends use HTTPS');
  assert.match(native!.fullDescription.text, /^When API Management forwards requests/);
  assert.match(native!.help.text, /^Set `properties.url`/);
  assert.match(native!.help.markdown, /\[More information\]\(https:\/\/azure\.github\.io\/PSRule\.Rules\.Azure\/en\/rules\/Azure\.APIM\.HTTPBackend\/\)$/);
  assert.equal(native!.helpUri, 'https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.APIM.HTTPBackend/');
  assert.equal(native!.defaultConfiguration.level, 'error');
  assert.equal(policy!.defaultConfiguration.level, 'warning');
  assert.equal(native!.properties['security-severity'], '9.0');
  assert.equal(policy!.properties['security-severity'], '5.0');
  assert.deepEqual(native!.properties['tags'], ['security', 'native']);
  assert.deepEqual(policy!.properties['tags'], ['security', 'policy']);
  assert.deepEqual(native!.properties['equivalents'], [{ tool: 'psrule', id: 'Azure.APIM.HTTPBackend' }]);
  assert.equal(policy!.properties['effect'], 'Audit');
});

test('sarif: security-severity follows the rule severity', () => {
  const base = scanFixture();
  const severities = ['critical', 'high', 'medium', 'low', 'informational'] as const;
  const rules = severities.map((severity, i) => ({ ...base.rules[1]!, id: `R${i}`, severity }));
  const got = run({ ...base, rules }).tool.driver.rules.map((r) => r.properties['security-severity']);
  assert.deepEqual(got, ['9.0', '7.0', '5.0', '3.0', '1.0']);
});

test('sarif: ruleIndex points at the rule of the result', () => {
  const r = run(scanFixture());
  assert.equal(r.results.length, 3);
  for (const result of r.results) {
    assert.equal(typeof result.ruleIndex, 'number');
    assert.equal(r.tool.driver.rules[result.ruleIndex!]!.id, result.ruleId);
  }
  assert.equal(resultFor(r.results, POLICY_ID, 'apim-contoso/payments').ruleIndex, 0);
  assert.equal(resultFor(r.results, NATIVE_ID, 'apim-contoso/payments').ruleIndex, 1);
});

test('sarif: a finding of a rule the run does not list has no ruleIndex rather than a wrong one', () => {
  const stray = { ...httpBackendFinding(), ruleId: 'NOT-LISTED' };
  const [result] = run(withFindings(scanFixture(), [stray])).results;
  assert.equal(result!.ruleId, 'NOT-LISTED');
  assert.equal('ruleIndex' in result!, false);
});

test('sarif: levels, messages and 1-based regions match the findings', () => {
  const { results } = run(scanFixture());
  const backend = resultFor(results, NATIVE_ID, 'apim-contoso/payments');
  assert.equal(backend.level, 'error');
  assert.equal(backend.message.text, httpBackendFinding().message);
  assert.deepEqual(backend.locations[0]!.physicalLocation.region, { startLine: 60, startColumn: 20, endLine: 60, endColumn: 49 });
  const certificate = resultFor(results, POLICY_ID, 'apim-contoso/payments');
  assert.equal(certificate.level, 'warning');
  assert.deepEqual(certificate.locations[0]!.physicalLocation.region, { startLine: 62, startColumn: 41, endLine: 62, endColumn: 46 });
  const exported = resultFor(results, NATIVE_ID, 'apim-prod/orders');
  assert.deepEqual(exported.locations[0]!.physicalLocation.region, { startLine: 14, startColumn: 23, endLine: 14, endColumn: 63 });
});

test('sarif: the region has no end when the location has none', () => {
  const noEnd = { ...httpBackendFinding(), location: { file: TEMPLATE, start: { line: 7, column: 3 } } } as unknown as Finding;
  const [result] = run(withFindings(scanFixture(), [noEnd])).results;
  assert.deepEqual(result!.locations[0]!.physicalLocation.region, { startLine: 7, startColumn: 3 });
});

test('sarif: URIs are relative to %SRCROOT%, which is the working directory as a file URL', () => {
  const r = run(scanFixture());
  assert.deepEqual(r.originalUriBaseIds, { '%SRCROOT%': { uri: 'file:///home/dev/contoso/' } });
  const uris = r.results.map((x) => x.locations[0]!.physicalLocation.artifactLocation);
  for (const a of uris) {
    assert.equal(a.uriBaseId, '%SRCROOT%');
    assert.doesNotMatch(a.uri, /^\/|^[a-z][a-z0-9+.-]*:/i, `${a.uri} is relative`);
  }
  assert.deepEqual(uris.map((a) => a.uri).sort(), ['exports/prod%20apim.json', 'infra/apim.json', 'infra/apim.json']);
});

test('sarif: a working directory given with a trailing slash does not get two', () => {
  assert.equal(run({ ...scanFixture(), cwd: '/home/dev/contoso/' }).originalUriBaseIds['%SRCROOT%']!.uri, 'file:///home/dev/contoso/');
});

test('sarif: relative URIs escape what would break them', () => {
  assert.equal(relativeUri('exports/prod apim.json'), 'exports/prod%20apim.json');
  assert.equal(relativeUri('a#1/b?.json'), 'a%231/b%3F.json');
  assert.equal(relativeUri('c:drive.json'), 'c%3Adrive.json');
  assert.equal(relativeUri('ünï/100%.json'), '%C3%BCn%C3%AF/100%25.json');
});

test('sarif: logical location names the resource', () => {
  const backend = resultFor(run(scanFixture()).results, NATIVE_ID, 'apim-contoso/payments');
  assert.deepEqual(backend.locations[0]!.logicalLocations, [
    {
      name: 'apim-contoso/payments',
      fullyQualifiedName: httpBackendFinding().resource.id,
      kind: 'resource',
      properties: { resourceType: 'Microsoft.ApiManagement/service/backends' },
    },
  ]);
});

test('sarif: where the value was set becomes a related location', () => {
  const { results } = run(scanFixture());
  const backend = resultFor(results, NATIVE_ID, 'apim-contoso/payments');
  assert.deepEqual(backend.relatedLocations, [
    {
      id: 1,
      physicalLocation: {
        artifactLocation: { uri: 'infra/apim.parameters.json', uriBaseId: '%SRCROOT%' },
        region: { startLine: 9, startColumn: 16, endLine: 9, endColumn: 50 },
      },
      message: { text: "parameter 'paymentsUrl' (value in parameter file)" },
    },
  ]);
  assert.equal('relatedLocations' in resultFor(results, POLICY_ID, 'apim-contoso/payments'), false);
});

test('sarif: result properties carry parameter file, effect, resource type and name when present', () => {
  const { results } = run(scanFixture());
  assert.deepEqual(resultFor(results, POLICY_ID, 'apim-contoso/payments').properties, {
    resourceType: 'Microsoft.ApiManagement/service/backends',
    resourceName: 'apim-contoso/payments',
    propertyPath: 'properties.tls.validateCertificateChain',
    effect: 'Audit',
    parameterFile: PARAMETERS,
  });
  assert.deepEqual(resultFor(results, NATIVE_ID, 'apim-prod/orders').properties, {
    resourceType: 'Microsoft.ApiManagement/service/apis',
    resourceName: 'apim-prod/orders',
    propertyPath: 'properties.serviceUrl',
  });
});

test('sarif: a finding without a location points at its file, without a region', () => {
  const { location: _dropped, ...unlocated } = exportedApiFinding();
  const [result] = run(withFindings(scanFixture(), [unlocated])).results;
  assert.deepEqual(result!.locations[0]!.physicalLocation, { artifactLocation: { uri: 'exports/prod%20apim.json', uriBaseId: '%SRCROOT%' } });
});

test('sarif: fingerprints ignore line numbers, and the parameter file unless the value comes from it', () => {
  const moved = { ...httpBackendFinding(), location: at(TEMPLATE, 75, 4, 30), origins: [{ location: at(PARAMETERS, 30, 16, 50), description: 'moved' }] };
  const base = run(withFindings(scanFixture(), [httpBackendFinding()])).results[0]!.partialFingerprints;
  assert.deepEqual(Object.keys(base), [FINGERPRINT_KEY]);
  assert.match(base[FINGERPRINT_KEY]!, /^[0-9a-f]{64}$/);
  assert.deepEqual(run(withFindings(scanFixture(), [moved])).results[0]!.partialFingerprints, base);
  // The bad URL is set in the dev parameter file: with the prod file, it is another defect.
  const prodValue = {
    ...httpBackendFinding(),
    parameterFile: 'infra/apim.parameters.prod.json',
    origins: [{ location: at('infra/apim.parameters.prod.json', 9, 16, 50), description: 'prod' }],
  };
  assert.notDeepEqual(run(withFindings(scanFixture(), [prodValue])).results[0]!.partialFingerprints, base);
  // A value written in the template is the same defect whichever parameter file was used.
  const inTemplate = { ...httpBackendFinding(), origins: [] };
  const inTemplateProd = { ...inTemplate, parameterFile: 'infra/apim.parameters.prod.json' };
  assert.deepEqual(
    run(withFindings(scanFixture(), [inTemplateProd])).results[0]!.partialFingerprints,
    run(withFindings(scanFixture(), [inTemplate])).results[0]!.partialFingerprints,
  );
});

test('sarif: fingerprints ignore the case of resource type and name, as Azure does', () => {
  const shouted = {
    ...httpBackendFinding(),
    resource: { ...httpBackendFinding().resource, type: 'MICROSOFT.APIMANAGEMENT/SERVICE/BACKENDS', name: 'APIM-CONTOSO/PAYMENTS' },
  };
  assert.equal(fingerprint(shouted), fingerprint(httpBackendFinding()));
});

test('sarif: fingerprints differ across resources, rules, properties and files', () => {
  const base = fingerprint(httpBackendFinding());
  const variants: Finding[] = [
    { ...httpBackendFinding(), resource: { ...httpBackendFinding().resource, name: 'apim-contoso/inventory' } },
    { ...httpBackendFinding(), resource: { ...httpBackendFinding().resource, type: 'Microsoft.ApiManagement/service/apis' } },
    { ...httpBackendFinding(), ruleId: POLICY_ID },
    { ...httpBackendFinding(), path: 'properties.tls.validateCertificateChain' },
    { ...httpBackendFinding(), file: EXPORT },
  ];
  const prints = variants.map(fingerprint);
  for (const p of prints) assert.notEqual(p, base);
  assert.equal(new Set(prints).size, prints.length);
  const all = run(scanFixture()).results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]);
  assert.equal(new Set(all).size, 3, 'the three fixture findings have three fingerprints');
});

test('sarif: with a declaration, the fingerprint ignores the evaluated name and id (a deployment context change) but not the declaration', () => {
  const declared = { ...httpBackendFinding(), declaration: 'infra/apim.json\u0001resources[backends payments]' };
  const elsewhere = { ...declared, resource: { ...declared.resource, name: 'apim-other/payments', id: '/subscriptions/1/resourceGroups/rg-other/x' } };
  assert.equal(fingerprint(elsewhere), fingerprint(declared));
  assert.notEqual(fingerprint({ ...declared, declaration: 'infra/apim.json\u0001resources[backends orders]' }), fingerprint(declared));
  assert.equal(FINGERPRINT_KEY, 'tollgate/v2', 'the key changed with the inputs, so v1 alerts are not confused with v2 ones');
});

test('sarif: diagnostics become tool execution notifications; an error marks the run unsuccessful', () => {
  const [invocation] = run(scanFixture()).invocations;
  assert.equal(invocation!.executionSuccessful, false);
  assert.deepEqual(invocation!.toolExecutionNotifications, [
    {
      level: 'error',
      message: { text: "unsupported template function 'listSecrets'" },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'infra/apim.json', uriBaseId: '%SRCROOT%' },
            region: { startLine: 88, startColumn: 22, endLine: 88, endColumn: 57 },
          },
        },
      ],
      descriptor: { id: 'unknown-function' },
    },
  ]);
});

test('sarif: warnings and info are notifications of a successful run; a file-only diagnostic has no region', () => {
  const result: ScanResult = {
    ...scanFixture(),
    diagnostics: [
      { severity: 'warning', code: 'copy-count-unknown', message: 'the copy count is unknown', location: at(TEMPLATE, 40, 18, 30) },
      { severity: 'info', code: 'not-a-template', message: 'skipped', file: 'infra/metadata.json' },
      { severity: 'warning', code: 'no-location', message: 'somewhere' },
    ],
  };
  const text = formatSarif(result);
  assertValidSarif(text);
  const [invocation] = run(result).invocations;
  assert.equal(invocation!.executionSuccessful, true);
  const byCode = new Map(invocation!.toolExecutionNotifications.map((n) => [n.descriptor.id, n]));
  assert.equal(byCode.get('copy-count-unknown')!.level, 'warning');
  assert.equal(byCode.get('not-a-template')!.level, 'note');
  assert.deepEqual(byCode.get('not-a-template')!.locations, [
    { physicalLocation: { artifactLocation: { uri: 'infra/metadata.json', uriBaseId: '%SRCROOT%' } } },
  ]);
  assert.equal('locations' in byCode.get('no-location')!, false);
});

test('sarif: two-space indentation', () => {
  assert.match(formatSarif(scanFixture()), /^\{\n {2}"\$schema": "https:\/\/json\.schemastore\.org\/sarif-2\.1\.0\.json",\n {2}"version": "2\.1\.0",/);
});

test("a built-in native rule's helpUri is its page in docs/rules/; the help also links the same check in PSRule", async () => {
  const { scan } = await import('../../src/scan.js');
  const examples = path.join(repoRoot(), 'examples', 'noncompliant');
  const result = scan({ paths: [examples], cwd: examples });
  const log = JSON.parse(formatSarif(result)) as {
    runs: { tool: { driver: { rules: { id: string; helpUri?: string; help: { markdown: string } }[] } } }[];
  };
  const rule = log.runs[0]!.tool.driver.rules.find((r) => r.id === 'APIM-HTTPBackend')!;
  assert.equal(rule.helpUri, 'https://github.com/tollgate-dev/tollgate/blob/main/docs/rules/APIM-HTTPBackend.md');
  assert.ok(existsSync(path.join(repoRoot(), 'docs/rules/APIM-HTTPBackend.md')), 'the page exists');
  assert.match(
    rule.help.markdown,
    /\[Rule documentation\]\(https:\/\/github\.com\/tollgate-dev\/tollgate\/blob\/main\/docs\/rules\/APIM-HTTPBackend\.md\) · \[The same check in PSRule for Azure\]\(https:\/\/azure\.github\.io\/PSRule\.Rules\.Azure\/en\/rules\/Azure\.APIM\.HTTPBackend\/\)$/,
  );
});
