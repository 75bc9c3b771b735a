import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parameterFile, repoRoot, template, tempTree } from '../helpers.js';

const CLI = path.join(repoRoot(), 'dist/cli/main.js');
const run = (args: string[], cwd: string) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};
const backend = (name: string, url = 'http://x.example.com') => ({
  type: 'Microsoft.ApiManagement/service/backends',
  apiVersion: '2023-05-01-preview',
  name,
  properties: { url, protocol: 'http', credentials: { authorization: { scheme: 'Bearer', parameter: '{{token}}' } } },
});

test('baseline: write, then only new findings are reported; moved lines stay known; fixed ones are counted', () => {
  const dir = tempTree({ 'main.json': template({ resources: [backend('svc/old-1'), backend('svc/old-2')] }) });
  const w = run(['baseline', 'write', 'tollgate-baseline.json', '.'], dir);
  assert.equal(w.status, 0, w.stderr);
  assert.match(w.stdout, /wrote 2 findings to tollgate-baseline\.json/);
  const recorded = JSON.parse(readFileSync(path.join(dir, 'tollgate-baseline.json'), 'utf8'));
  assert.equal(recorded.version, 2);
  assert.equal(recorded.findings.length, 2);

  assert.equal(run(['scan', '.', '--baseline', 'tollgate-baseline.json'], dir).status, 0);

  // A resource added above the old ones moves their lines; one old one is fixed; one new defect.
  writeFileSync(
    path.join(dir, 'main.json'),
    template({ resources: [backend('svc/new'), backend('svc/old-1'), backend('svc/old-2', 'https://fixed.example.com')] }),
  );
  const r = run(['scan', '.', '--baseline', 'tollgate-baseline.json', '--format', 'json'], dir);
  assert.equal(r.status, 1);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(
    out.findings.filter((f: { ruleId: string }) => f.ruleId === 'APIM-HTTPBackend').map((f: { resource: { name: string } }) => f.resource.name),
    ['svc/new'],
  );
  assert.deepEqual(out.summary.baseline, { known: 1, fixed: 1 });
  const pretty = run(['scan', '.', '--baseline', 'tollgate-baseline.json'], dir);
  assert.match(pretty.stdout, /1 in the baseline, 1 fixed since/);
});

test('a missing or foreign baseline file is a usage error', () => {
  const dir = tempTree({ 'main.json': template({ resources: [] }), 'other.json': '{"a": 1}' });
  const missing = run(['scan', '.', '--baseline', 'nope.json'], dir);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /no such baseline file/);
  assert.match(run(['scan', '.', '--baseline', 'other.json'], dir).stderr, /not a Tollgate baseline/);
});

test('a defect written in the template is reported once across parameter files, listing them', () => {
  const t = template({
    parameters: { env: { type: 'string' } },
    resources: [backend('svc/b'), backend("[concat('svc/', parameters('env'))]", "[concat('http://', parameters('env'), '.example.com')]")],
  });
  const dir = tempTree({
    'main.json': t,
    'main.parameters.dev.json': parameterFile({ env: 'dev' }),
    'main.parameters.prod.json': parameterFile({ env: 'prod' }),
  });
  const out = JSON.parse(run(['scan', '.', '--format', 'json'], dir).stdout);
  const http = out.findings.filter((f: { ruleId: string }) => f.ruleId === 'APIM-HTTPBackend');
  const shared = http.filter((f: { resource: { name: string } }) => f.resource.name === 'svc/b');
  assert.equal(shared.length, 1);
  assert.deepEqual(shared[0].parameterFiles, ['main.parameters.dev.json', 'main.parameters.prod.json']);
  // The per-environment resources differ by parameter file: one finding each.
  assert.deepEqual(
    http
      .filter((f: { resource: { name: string } }) => f.resource.name !== 'svc/b')
      .map((f: { resource: { name: string } }) => f.resource.name)
      .sort(),
    ['svc/dev', 'svc/prod'],
  );
});

// Names computed from the deployment context, as real templates write them.
const contextual = template({
  resources: [
    {
      type: 'Microsoft.ApiManagement/service',
      apiVersion: '2023-05-01-preview',
      name: "[format('apim-{0}', uniqueString(resourceGroup().id))]",
      location: 'westeurope',
      sku: { name: 'Developer', capacity: 1 },
      properties: { publisherEmail: 'a@b.c', publisherName: 'x' },
    },
    { ...backend("[format('apim-{0}/partner-{1}', uniqueString(resourceGroup().id), copyIndex())]"), copy: { name: 'partners', count: 2 } },
  ],
});

test('baseline: the identity is where the resource is declared, not its evaluated name: another resource group or subscription finds the same findings known', () => {
  const dir = tempTree({ 'main.json': contextual });
  const w = run(['baseline', 'write', 'b.json', '.'], dir);
  assert.equal(w.status, 0, w.stderr);
  const recorded = JSON.parse(readFileSync(path.join(dir, 'b.json'), 'utf8'));
  // The two copies of the backend are two entries.
  assert.equal(recorded.findings.filter((e: { ruleId: string }) => e.ruleId === 'APIM-HTTPBackend').length, 2);
  for (const context of [
    ['--resource-group', 'rg-prod'],
    ['--subscription-id', '11111111-1111-1111-1111-111111111111'],
    ['--resource-group', 'rg-prod', '--location', 'northeurope'],
  ]) {
    const r = run(['scan', '.', '--baseline', 'b.json', '--format', 'json', ...context], dir);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.findings, [], context.join(' '));
    assert.deepEqual(out.summary.baseline, { known: recorded.findings.length, fixed: 0 }, context.join(' '));
    assert.equal(r.status, 0);
  }
});

test('sarif: partialFingerprints are the same in another resource group or subscription (the declaration, not the evaluated name)', () => {
  const dir = tempTree({ 'main.json': contextual });
  const prints = (context: string[]) => {
    const r = run(['scan', '.', '--format', 'sarif', ...context], dir);
    const results = JSON.parse(r.stdout).runs[0].results as {
      ruleId: string;
      partialFingerprints: Record<string, string>;
      locations: { logicalLocations: { name: string }[] }[];
    }[];
    return {
      names: results.map((x) => x.locations[0]!.logicalLocations[0]!.name).sort(),
      prints: results.map((x) => `${x.ruleId} ${x.partialFingerprints['tollgate/v2']}`).sort(),
    };
  };
  const a = prints(['--resource-group', 'rg-dev']);
  const b = prints(['--resource-group', 'rg-prod']);
  const c = prints(['--subscription-id', '11111111-1111-1111-1111-111111111111']);
  assert.ok(a.prints.length >= 3 && a.prints.every((p) => /^\S+ [0-9a-f]{64}$/.test(p)), a.prints.join('\n'));
  // The names really differ (uniqueString of the resource group id), the fingerprints do not.
  assert.notDeepEqual(a.names, b.names);
  assert.deepEqual(b.prints, a.prints);
  assert.deepEqual(c.prints, a.prints);
  // The two copies of the backend stay two alerts.
  assert.equal(new Set(a.prints.filter((p) => p.startsWith('APIM-HTTPBackend '))).size, 2);
});

test('baseline: a Bicep resource is identified by its symbolic name, across deployment contexts', () => {
  const bicep = [
    "resource partner 'Microsoft.ApiManagement/service/backends@2023-05-01-preview' = {",
    "  name: 'apim-${uniqueString(resourceGroup().id)}/partner'",
    '  properties: {',
    "    url: 'http://partner.example.com'",
    "    protocol: 'http'",
    '  }',
    '}',
    '',
  ].join('\n');
  const dir = tempTree({ 'main.bicep': bicep });
  assert.equal(run(['baseline', 'write', 'b.json', '.'], dir).status, 0);
  const recorded = JSON.parse(readFileSync(path.join(dir, 'b.json'), 'utf8'));
  assert.ok(recorded.findings.length > 0);
  const out = JSON.parse(run(['scan', '.', '--baseline', 'b.json', '--format', 'json', '--resource-group', 'rg-other'], dir).stdout);
  assert.deepEqual(out.findings, []);
});

test('baseline: a version 1 baseline still suppresses by its own fingerprints, says how to migrate, and baseline write writes version 2', async () => {
  const { scan } = await import('../../src/scan.js');
  const { fingerprint } = await import('../../src/findings/fingerprint.js');
  const dir = tempTree({ 'main.json': contextual });
  const findings = scan({ paths: ['.'], cwd: dir }).findings;
  // What Tollgate wrote before version 2: evaluated type and name.
  const old = {
    version: 1,
    tool: 'tollgate',
    created: '2026-01-01T00:00:00.000Z',
    findings: findings.map((f) => ({
      fingerprint: fingerprint(f),
      ruleId: f.ruleId,
      file: f.file,
      resource: `${f.resource.type}/${f.resource.name}`,
      message: f.message,
    })),
  };
  writeFileSync(path.join(dir, 'old.json'), JSON.stringify(old));
  const same = run(['scan', '.', '--baseline', 'old.json', '--format', 'json'], dir);
  assert.equal(same.status, 0, same.stderr);
  assert.deepEqual(JSON.parse(same.stdout).findings, []);
  assert.match(same.stderr, /old\.json is a version 1 baseline.*write it again with `tollgate baseline write`/);
  // The old identity breaks in another resource group: that is what version 2 fixes.
  assert.notDeepEqual(JSON.parse(run(['scan', '.', '--baseline', 'old.json', '--format', 'json', '--resource-group', 'rg-prod'], dir).stdout).findings, []);
  assert.equal(run(['baseline', 'write', 'old.json', '.'], dir).status, 0);
  assert.equal(JSON.parse(readFileSync(path.join(dir, 'old.json'), 'utf8')).version, 2);
  assert.deepEqual(JSON.parse(run(['scan', '.', '--baseline', 'old.json', '--format', 'json', '--resource-group', 'rg-prod'], dir).stdout).findings, []);
  writeFileSync(path.join(dir, 'future.json'), JSON.stringify({ ...old, version: 3 }));
  const future = run(['scan', '.', '--baseline', 'future.json'], dir);
  assert.equal(future.status, 2);
  assert.match(future.stderr, /baseline version 3 is not one this Tollgate reads/);
});

test('baseline write takes the rule selection of scan (--rules, --policy, --initiative, --effect), so it records what that scan reports', () => {
  const dir = tempTree({ 'main.json': contextual });
  const policy = path.join(repoRoot(), 'catalog/policies/apim/BackendCertificateChecks_AuditDeny.json');
  const selections = [
    ['--rules', 'all'],
    ['--policy', policy],
    ['--initiative', 'mcsb'],
    ['--effect', '92bb331d-ac71-416a-8c91-02f2cb734ce4=Deny', '--skip-unrecognized'],
  ];
  for (const selection of selections) {
    const w = run(['baseline', 'write', 'b.json', '.', ...selection], dir);
    assert.equal(w.status, 0, `${selection.join(' ')}: ${w.stderr}`);
    const r = run(['scan', '.', '--baseline', 'b.json', '--format', 'json', ...selection], dir);
    assert.deepEqual(JSON.parse(r.stdout).findings, [], selection.join(' '));
  }
});
