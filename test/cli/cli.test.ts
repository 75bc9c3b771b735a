import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lineOf, parameterFile, repoRoot, template, tempTree } from '../helpers.js';

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');

function run(args: string[], cwd = repoRoot()) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const examplesTemplate = () => readFileSync(path.join(repoRoot(), 'examples/noncompliant/apim.json'), 'utf8');
const examplesParams = () => readFileSync(path.join(repoRoot(), 'examples/noncompliant/apim.parameters.json'), 'utf8');

test('scan examples/: both seed checks fire on the non-compliant example at the right lines; exit 1', () => {
  const r = run(['scan', 'examples/', '--format', 'json']);
  assert.equal(r.status, 1, r.stderr);
  const report = JSON.parse(r.stdout);
  const t = examplesTemplate();
  const p = examplesParams();
  const findings = report.findings as {
    ruleId: string;
    resource: { name: string };
    location: { file: string; start: { line: number } };
    origins: { location: { file: string; start: { line: number } } }[];
    parameterFile?: string;
  }[];
  // The two seed checks; the service-level rules (ciphers, identity) fire on this example too.
  const seeds = findings.filter(
    (f) => (f.ruleId === 'APIM-HTTPBackend' || f.ruleId === '92bb331d-ac71-416a-8c91-02f2cb734ce4') && f.location.file.startsWith('examples/noncompliant/'),
  );
  const summary = seeds.map((f) => `${f.ruleId} ${f.resource.name.replace(/^apim-[a-z0-9]+/, 'svc')} ${f.location.file}:${f.location.start.line}`).sort();
  assert.deepEqual(
    summary,
    [
      `92bb331d-ac71-416a-8c91-02f2cb734ce4 svc/inventory examples/noncompliant/apim.json:${lineOf(t, '"validateCertificateName": false')}`,
      `92bb331d-ac71-416a-8c91-02f2cb734ce4 svc/payments examples/noncompliant/apim.json:${lineOf(t, '"validateCertificateChain": "[parameters')}`,
      `APIM-HTTPBackend svc/orders examples/noncompliant/apim.json:${lineOf(t, '"serviceUrl"')}`,
      `APIM-HTTPBackend svc/payments examples/noncompliant/apim.json:${lineOf(t, '"url": "[parameters')}`,
    ].sort(),
  );
  const payments = seeds.find((f) => f.ruleId === 'APIM-HTTPBackend' && f.resource.name.endsWith('/payments'))!;
  assert.equal(payments.parameterFile, 'examples/noncompliant/apim.parameters.json');
  assert.equal(payments.origins[0]!.location.file, 'examples/noncompliant/apim.parameters.json');
  assert.equal(payments.origins[0]!.location.start.line, lineOf(p, '"value": "http://payments'));
  const orders = seeds.find((f) => f.ruleId === 'APIM-HTTPBackend' && f.resource.name.endsWith('/orders'))!;
  assert.equal(orders.origins[0]!.location.start.line, lineOf(t, '"defaultValue": "HTTP://legacy'));
});

test('scan examples/bicep: the same example in Bicep reports the same seed findings, at .bicep lines, with the .bicepparam value as origin', () => {
  const r = run(['scan', 'examples/bicep', '--format', 'json']);
  assert.equal(r.status, 1, r.stderr);
  const report = JSON.parse(r.stdout);
  const b = readFileSync(path.join(repoRoot(), 'examples/bicep/main.bicep'), 'utf8');
  const bp = readFileSync(path.join(repoRoot(), 'examples/bicep/main.bicepparam'), 'utf8');
  const findings = report.findings as {
    ruleId: string;
    resource: { name: string };
    location: { file: string; start: { line: number } };
    origins: { location: { file: string; start: { line: number } } }[];
  }[];
  const seeds = findings.filter((f) => f.ruleId === 'APIM-HTTPBackend' || f.ruleId === '92bb331d-ac71-416a-8c91-02f2cb734ce4');
  assert.deepEqual(
    seeds.map((f) => `${f.ruleId} ${f.resource.name.replace(/^apim-[a-z0-9]+/, 'svc')} ${f.location.file}:${f.location.start.line}`).sort(),
    [
      `92bb331d-ac71-416a-8c91-02f2cb734ce4 svc/inventory examples/bicep/main.bicep:${lineOf(b, 'validateCertificateName: false')}`,
      `92bb331d-ac71-416a-8c91-02f2cb734ce4 svc/payments examples/bicep/main.bicep:${lineOf(b, 'validateCertificateChain: validateCertificates')}`,
      `APIM-HTTPBackend svc/orders examples/bicep/main.bicep:${lineOf(b, 'serviceUrl: legacyServiceUrl')}`,
      `APIM-HTTPBackend svc/payments examples/bicep/main.bicep:${lineOf(b, 'url: paymentsUrl')}`,
    ].sort(),
  );
  const payments = seeds.find((f) => f.ruleId === 'APIM-HTTPBackend' && f.resource.name.endsWith('/payments'))!;
  assert.equal(payments.origins[0]!.location.file, 'examples/bicep/main.bicepparam');
  assert.equal(payments.origins[0]!.location.start.line, lineOf(bp, 'param paymentsUrl'));
});

test('scan of the compliant example: no findings, exit 0', () => {
  const r = run(['scan', 'examples/compliant']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /No problems found/);
});

test('pretty output names the rule, file:line and the parameter file', () => {
  const r = run(['scan', 'examples/noncompliant']);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /APIM-HTTPBackend/);
  assert.match(r.stdout, /examples\/noncompliant\/apim\.json/);
  assert.match(r.stdout, /apim\.parameters\.json/);
  assert.doesNotMatch(r.stdout, /\u001b\[/, 'no colour when not a terminal');
});

test('--effect Deny makes the seed policy an error; Disabled turns it off', () => {
  const dir = tempTree({
    'main.json': template({
      resources: [
        {
          type: 'Microsoft.ApiManagement/service/backends',
          apiVersion: 'x',
          name: 'svc/b',
          properties: { url: 'https://b', tls: { validateCertificateChain: false } },
        },
      ],
    }),
  });
  const audit = run(['scan', '.'], dir);
  assert.equal(audit.status, 0, 'Audit is a warning');
  assert.match(audit.stdout, /92bb331d/);
  const deny = run(['scan', '.', '--effect', '92bb331d-ac71-416a-8c91-02f2cb734ce4=Deny', '--format', 'json'], dir);
  assert.equal(deny.status, 1);
  assert.equal(JSON.parse(deny.stdout).findings[0].effect, 'Deny');
  const disabled = run(['scan', '.', '--effect', '92bb331d-ac71-416a-8c91-02f2cb734ce4=Disabled', '--format', 'json'], dir);
  assert.equal(disabled.status, 0);
  assert.equal(JSON.parse(disabled.stdout).findings.length, 0);
});

test('bad usage exits 2: unknown flag, unknown format, malformed --effect, effect not allowed', () => {
  assert.equal(run(['scan', '--nope']).status, 2);
  assert.equal(run(['scan', '--format', 'xml']).status, 2);
  assert.equal(run(['scan', 'examples/', '--effect', 'nonsense']).status, 2);
  const notAllowed = run(['scan', 'examples/', '--effect', '92bb331d-ac71-416a-8c91-02f2cb734ce4=Modify']);
  assert.equal(notAllowed.status, 2);
  assert.match(notAllowed.stderr, /Modify/);
  const unknownPolicy = run(['scan', 'examples/', '--effect', 'no-such-policy=Deny']);
  assert.equal(unknownPolicy.status, 2);
  assert.match(unknownPolicy.stderr, /no-such-policy/);
});

test('bad input: invalid JSON is reported with file:line:column, other files still scanned, exit 3, no stack trace', () => {
  const dir = tempTree({
    'broken.json': '{\n  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",\n  "resources": [,]\n}',
    'good.json': template({
      resources: [{ type: 'Microsoft.ApiManagement/service/backends', apiVersion: 'x', name: 'svc/b', properties: { url: 'http://b' } }],
    }),
  });
  const r = run(['scan', '.'], dir);
  assert.equal(r.status, 3);
  assert.match(r.stdout + r.stderr, /broken\.json:3:17/);
  assert.match(r.stdout, /APIM-HTTPBackend/, 'the good file was still scanned');
  assert.doesNotMatch(r.stdout + r.stderr, /at .*\.js:\d+/, 'no stack trace');
});

test('bad input: a file named on the command line that is no template; an unsupported function', () => {
  const dir = tempTree({
    'package.json': '{"name":"x"}',
    'fn.json': template({
      resources: [{ type: 'Microsoft.ApiManagement/service/backends', apiVersion: 'x', name: 'svc/b', properties: { url: '[notARealFunction()]' } }],
    }),
  });
  const notTemplate = run(['scan', 'package.json'], dir);
  assert.equal(notTemplate.status, 3);
  assert.match(notTemplate.stdout + notTemplate.stderr, /package\.json.*not an ARM template/);
  const fn = run(['scan', 'fn.json'], dir);
  assert.equal(fn.status, 3);
  const t = readFileSync(path.join(dir, 'fn.json'), 'utf8');
  assert.match(fn.stdout + fn.stderr, new RegExp(`fn\\.json:${lineOf(t, 'notARealFunction')}:\\d+.*notARealFunction`));
});

test('a template with two parameter files is scanned once per file; findings name their parameter file', () => {
  const t = template({
    parameters: { u: { type: 'string' } },
    resources: [{ type: 'Microsoft.ApiManagement/service/backends', apiVersion: 'x', name: 'svc/b', properties: { url: "[parameters('u')]" } }],
  });
  const dir = tempTree({
    'main.json': t,
    'main.parameters.dev.json': parameterFile({ u: 'http://dev' }),
    'main.parameters.prod.json': parameterFile({ u: 'https://prod' }),
  });
  const r = run(['scan', '.', '--format', 'json'], dir);
  const report = JSON.parse(r.stdout);
  assert.deepEqual(
    report.findings.map((f: { parameterFile: string }) => f.parameterFile),
    ['main.parameters.dev.json'],
  );
  assert.equal(report.results.filter((x: { ruleId: string }) => x.ruleId === 'APIM-HTTPBackend').length, 2);
});

test('--parameters pairs an explicitly named parameter file', () => {
  const t = template({
    parameters: { u: { type: 'string' } },
    resources: [{ type: 'Microsoft.ApiManagement/service/backends', apiVersion: 'x', name: 'svc/b', properties: { url: "[parameters('u')]" } }],
  });
  const dir = tempTree({ 'tpl/main.json': t, 'env/dev.json': parameterFile({ u: 'http://dev' }) });
  const r = run(['scan', 'tpl', '--parameters', 'env/dev.json', '--format', 'json'], dir);
  assert.equal(r.status, 1, r.stderr);
  assert.equal(JSON.parse(r.stdout).findings[0].parameterFile, 'env/dev.json');
});

test('--output writes the report atomically to a file', () => {
  const dir = tempTree({ 'main.json': template({ resources: [] }) });
  const r = run(['scan', '.', '--format', 'sarif', '--output', 'out/report.sarif'], dir);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '');
  const sarif = JSON.parse(readFileSync(path.join(dir, 'out/report.sarif'), 'utf8'));
  assert.equal(sarif.version, '2.1.0');
  assert.equal(existsSync(path.join(dir, 'out')), true);
});

test('rules lists the seed checks; rules show prints the policy page', () => {
  const list = run(['rules']);
  assert.equal(list.status, 0);
  assert.match(list.stdout, /APIM-HTTPBackend/);
  assert.match(list.stdout, /92bb331d-ac71-416a-8c91-02f2cb734ce4/);
  const show = run(['rules', 'show', '92bb331d-ac71-416a-8c91-02f2cb734ce4']);
  assert.equal(show.status, 0);
  for (const expected of [
    'API Management calls to API backends should not bypass certificate thumbprint or name validation',
    '1.0.2',
    'API Management',
    'Audit',
    'Deny',
    'Disabled',
    'properties.tls.validateCertificateChain',
    'properties.tls.validateCertificateName',
    'IM-4',
    '23.4.10.C.01',
    'U.10.5',
  ])
    assert.ok(show.stdout.includes(expected), `rules show mentions ${expected}`);
  const byEquivalent = run(['rules', 'show', 'Azure.APIM.HTTPBackend']);
  assert.equal(byEquivalent.status, 0);
  assert.match(byEquivalent.stdout, /APIM-HTTPBackend/);
  assert.equal(run(['rules', 'show', 'nope']).status, 2);
});

test("rules show by another tool's id or PSRule reference finds the native rule, and names the rules that check the same thing", () => {
  // ee7495e7 also lists Azure.APIM.HTTPEndpoint as an equivalent: the native rule is what that id names.
  for (const query of ['Azure.APIM.HTTPEndpoint', 'AZR-000042', 'apim-httpendpoint']) {
    const r = run(['rules', 'show', query]);
    assert.equal(r.status, 0, query);
    assert.match(r.stdout, /^Id +APIM-HTTPEndpoint$/m, query);
    assert.match(r.stdout, /psrule Azure\.APIM\.HTTPEndpoint \(AZR-000042\)/);
    assert.match(r.stdout, /Same check as[^\n]*\n {2}ee7495e7-3ba7-40b6-bfee-c29e22cc75d4 {2}API Management APIs should use only encrypted protocols/);
  }
  const policy = run(['rules', 'show', 'ee7495e7-3ba7-40b6-bfee-c29e22cc75d4']);
  assert.match(policy.stdout, /Same check as[^\n]*\n {2}APIM-HTTPEndpoint /);
  assert.doesNotMatch(run(['rules', 'show', 'APIM-Ciphers']).stdout, /Same check as/);
});

test('expand prints resources with unknown values visible, where each is declared, and the outputs', () => {
  const r = run(['expand', 'examples/noncompliant/apim.json']);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.template, 'examples/noncompliant/apim.json');
  assert.equal(out.resources.length, 4);
  assert.match(out.resources[0].declaredAt, /^examples\/noncompliant\/apim\.json:\d+:\d+$/);
  assert.match(JSON.stringify(out.resources), /<unknown: required parameter 'paymentsUrl' has no value>/);
  assert.deepEqual(typeof out.outputs, 'object');
});

test('expand takes the deployment context and a clock from flags; a bad clock is a usage error', () => {
  const dir = tempTree({
    'main.json': template({
      parameters: { stamp: { type: 'string', defaultValue: "[utcNow('yyyy-MM-dd')]" } },
      resources: [
        {
          type: 'A.B/c',
          apiVersion: 'x',
          name: 'r',
          properties: {
            rg: '[resourceGroup().name]',
            sub: '[subscription().subscriptionId]',
            suffix: '[environment().suffixes.storage]',
            stamp: "[parameters('stamp')]",
          },
        },
      ],
      outputs: { rg: { type: 'string', value: '[resourceGroup().name]' } },
    }),
  });
  const r = run(
    ['expand', 'main.json', '--resource-group', 'rg-prod', '--subscription-id', 'sub-1', '--cloud', 'AzureChinaCloud', '--now', '2026-03-04T05:06:07Z'],
    dir,
  );
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.resources[0].body.properties, { rg: 'rg-prod', sub: 'sub-1', suffix: 'core.chinacloudapi.cn', stamp: '2026-03-04' });
  assert.deepEqual(out.outputs, { rg: { type: 'string', value: 'rg-prod' } });
  const bad = run(['expand', 'main.json', '--now', 'yesterday'], dir);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /deployment clock .* must be an ISO 8601 time/);
  assert.equal(run(['expand', 'main.json', '--cloud', 'Mars'], dir).status, 2);
});

test('expand never prints the values of secure parameters, not even inside longer strings', () => {
  const dir = tempTree({
    'main.json': template({
      parameters: { password: { type: 'securestring' }, name: { type: 'string' } },
      resources: [
        {
          type: 'A.B/c',
          apiVersion: 'x',
          name: "[parameters('name')]",
          properties: { conn: "[concat('Server=x;Password=', parameters('password'), ';')]", plain: 'visible' },
        },
      ],
    }),
    'main.parameters.json': parameterFile({ password: 'S3cr3t-Value!', name: 'app' }),
  });
  const r = run(['expand', 'main.json', '--parameters', 'main.parameters.json'], dir);
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /S3cr3t-Value!/);
  const out = JSON.parse(r.stdout);
  assert.equal(out.resources[0].body.properties.conn, 'Server=x;Password=<secret>;');
  assert.equal(out.resources[0].body.properties.plain, 'visible');
});

test('--verbose lists the files it skipped; without it they are silent', () => {
  const dir = tempTree({ 'main.json': template({ resources: [] }), 'package.json': '{"name":"x","version":"1.0.0"}' });
  const quiet = run(['scan', '.'], dir);
  assert.doesNotMatch(quiet.stdout + quiet.stderr, /package\.json/);
  const verbose = run(['scan', '.', '--verbose'], dir);
  assert.match(verbose.stderr, /skipped package\.json: not a template, parameter file or exported resource/);
});

test('an empty folder says that nothing was checked', () => {
  const dir = tempTree({ 'README.md': '# nothing here', 'infra/notes.txt': 'x' });
  const r = run(['scan', '.'], dir);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /No ARM templates, Bicep files or exported resources found under \./);
  assert.match(run(['scan', 'infra'], dir).stdout, /found under infra\./);
});

test('the installed bin is built and executable (npx tollgate runs it directly)', () => {
  // npm ci / npm install run `prepare`, which builds dist/; the test command follows them.
  const bin = path.join(repoRoot(), 'dist/cli/main.js');
  assert.ok(existsSync(bin), 'dist/cli/main.js exists: run npm install first');
  assert.ok((statSync(bin).mode & 0o111) !== 0, 'dist/cli/main.js is executable');
  assert.equal(readFileSync(bin, 'utf8').split('\n')[0], '#!/usr/bin/env node');
});

test('--rules all runs the rules that ship off and reports equivalent findings separately; a bad set is a usage error', () => {
  const dir = tempTree({
    'main.bicep': [
      "resource product 'Microsoft.ApiManagement/service/products@2023-05-01-preview' = {",
      "  name: 'apim/gold'",
      "  properties: { displayName: 'Gold', description: 'Gold tier', subscriptionRequired: true, approvalRequired: true }",
      '}',
      '',
    ].join('\n'),
  });
  const plain = JSON.parse(run(['scan', '.', '--format', 'json'], dir).stdout);
  const all = JSON.parse(run(['scan', '.', '--format', 'json', '--rules', 'all'], dir).stdout);
  const ids = (r: { findings: { ruleId: string }[] }) => r.findings.map((f) => f.ruleId);
  assert.ok(!ids(plain).includes('APIM-ProductTerms'), 'ships off');
  assert.ok(ids(all).includes('APIM-ProductTerms'), 'runs with --rules all');
  assert.equal(run(['scan', '.', '--rules', 'some'], dir).status, 2);
});
