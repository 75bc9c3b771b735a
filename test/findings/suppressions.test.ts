import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scan } from '../../src/scan.js';
import { lineOf, parameterFile, template, tempTree } from '../helpers.js';

const backend = (name: string, metadata?: object) => ({
  type: 'Microsoft.ApiManagement/service/backends',
  apiVersion: '2023-05-01-preview',
  name,
  ...(metadata && { metadata }),
  properties: { url: 'http://insecure.example.com', protocol: 'http' },
});

const TODAY = new Date('2026-11-22T10:00:00Z');

test('a suppression in resource metadata accepts the finding with its reason; the run no longer fails on it', () => {
  const t = template({
    resources: [
      backend('svc/b', { tollgate: { suppress: [{ rule: 'APIM-HTTPBackend', reason: 'legacy partner, TLS terminated upstream', expires: '2027-01-31' }] } }),
    ],
  });
  const dir = tempTree({ 'main.json': t });
  const out = scan({ paths: [dir], cwd: dir, today: TODAY });
  assert.equal(out.findings.filter((f) => f.ruleId === 'APIM-HTTPBackend').length, 0);
  const s = out.suppressed?.find((f) => f.ruleId === 'APIM-HTTPBackend');
  assert.ok(s);
  assert.deepEqual(
    { ...s.suppression, location: undefined },
    { kind: 'inSource', justification: 'legacy partner, TLS terminated upstream', expires: '2027-01-31', location: undefined },
  );
  assert.equal(s.suppression?.location?.start.line, lineOf(t, '"rule"') - 1);
});

test('a suppression may name the rule by an equivalent id (PSRule name)', () => {
  const dir = tempTree({
    'main.json': template({ resources: [backend('svc/b', { tollgate: { suppress: [{ rule: 'azure.apim.httpbackend', reason: 'accepted' }] } })] }),
  });
  const out = scan({ paths: [dir], cwd: dir, today: TODAY });
  assert.equal(out.suppressed?.filter((f) => f.ruleId === 'APIM-HTTPBackend').length, 1);
});

test('an expired suppression stops suppressing and says so', () => {
  const dir = tempTree({
    'main.json': template({
      resources: [backend('svc/b', { tollgate: { suppress: [{ rule: 'APIM-HTTPBackend', reason: 'until the migration', expires: '2026-11-01' }] } })],
    }),
  });
  const out = scan({ paths: [dir], cwd: dir, today: TODAY });
  const f = out.findings.find((x) => x.ruleId === 'APIM-HTTPBackend');
  assert.ok(f);
  assert.match(f.message, /its suppression expired on 2026-11-01: until the migration/);
});

test('a suppression without a reason is a warning and suppresses nothing; an unused one is reported once', () => {
  const t = template({
    resources: [
      backend('svc/a', { tollgate: { suppress: [{ rule: 'APIM-HTTPBackend' }] } }),
      {
        type: 'Microsoft.ApiManagement/service/backends',
        apiVersion: 'x',
        name: 'svc/ok',
        metadata: { tollgate: { suppress: [{ rule: 'APIM-HTTPBackend', reason: 'stale' }] } },
        properties: { url: 'https://fine.example.com', protocol: 'http' },
      },
    ],
  });
  // Two parameter files: the same template is expanded twice, its problems reported once.
  const dir = tempTree({
    'main.json': template({ ...JSON.parse(t), parameters: { x: { type: 'string', defaultValue: 'x' } } }),
    'main.parameters.dev.json': parameterFile({ x: 'dev' }),
    'main.parameters.prod.json': parameterFile({ x: 'prod' }),
  });
  const out = scan({ paths: [dir], cwd: dir, today: TODAY });
  // One defect written in the template: one finding, holding for both parameter files.
  const found = out.findings.filter((f) => f.ruleId === 'APIM-HTTPBackend');
  assert.equal(found.length, 1);
  assert.deepEqual(found[0]!.parameterFiles, ['main.parameters.dev.json', 'main.parameters.prod.json']);
  const invalid = out.diagnostics.filter((d) => d.code === 'suppression-invalid');
  assert.equal(invalid.length, 1);
  assert.match(invalid[0]!.message, /needs a `reason`/);
  const unused = out.diagnostics.filter((d) => d.code === 'suppression-unused');
  assert.equal(unused.length, 1);
  assert.equal(unused[0]!.severity, 'warning');
});

test('configuration suppressions match by rule, resource type and name globs, and file glob', () => {
  const dir = tempTree({ 'legacy/main.json': template({ resources: [backend('svc/legacy-1'), backend('svc/new')] }) });
  const out = scan({
    paths: [dir],
    cwd: dir,
    today: TODAY,
    suppressions: [
      {
        kind: 'external',
        rule: 'APIM-HTTPBackend',
        reason: 'legacy backends are retired in Q1',
        resourceType: 'Microsoft.ApiManagement/service/*',
        resourceName: 'svc/legacy-*',
        file: 'legacy/',
      },
    ],
  });
  assert.deepEqual(
    out.suppressed?.map((f) => f.resource.name),
    ['svc/legacy-1'],
  );
  assert.deepEqual(
    out.findings.filter((f) => f.ruleId === 'APIM-HTTPBackend').map((f) => f.resource.name),
    ['svc/new'],
  );
  assert.equal(out.suppressed?.[0]?.suppression?.kind, 'external');
});

test('configuration name globs with many stars against a long name finish (no regular-expression backtracking)', async () => {
  const { globMatches } = await import('../../src/findings/suppressions.js');
  // Compiled to ^.*a.*a…b$ this would backtrack exponentially: the test would never finish.
  const stars = '*a*a*a*a*a*a*a*a*a*a*b';
  assert.equal(globMatches(stars, 'a'.repeat(10_000)), false);
  assert.equal(globMatches(stars, `${'a'.repeat(10_000)}B`), true);
  assert.equal(globMatches('svc/legacy-*', 'SVC/Legacy-1'), true);
  assert.equal(globMatches('svc/legacy-?', 'svc/legacy-1'), false);
  assert.equal(globMatches('Microsoft.ApiManagement/service/*', 'Microsoft.ApiManagement/serviceX/backends'), false);
});

test('a suppression in metadata with a date that does not exist (2021-02-30) is invalid, not permanent', () => {
  const dir = tempTree({
    'main.json': template({ resources: [backend('svc/b', { tollgate: { suppress: [{ rule: 'APIM-HTTPBackend', reason: 'r', expires: '2021-02-30' }] } })] }),
  });
  const out = scan({ paths: [dir], cwd: dir, today: TODAY });
  assert.equal(out.findings.filter((f) => f.ruleId === 'APIM-HTTPBackend').length, 1);
  assert.match(out.diagnostics.find((d) => d.code === 'suppression-invalid')?.message ?? '', /invalid `expires`/);
});

test('a suppression naming a rule that exists but does not run in this scan is not unused; one naming no rule at all still is', async () => {
  const { loadRuleSet } = await import('../../src/scan.js');
  const { loadPolicyInputs } = await import('../../src/policy/policy-inputs.js');
  const { repoRoot } = await import('../helpers.js');
  const path = await import('node:path');
  const api = (rule: string) => ({
    type: 'Microsoft.ApiManagement/service/apis',
    apiVersion: '2023-05-01-preview',
    name: `svc/${rule.toLowerCase()}`,
    metadata: { tollgate: { suppress: [{ rule, reason: 'accepted' }] } },
    properties: { path: 'orders', protocols: ['http', 'https'], displayName: 'o', description: 'd' },
  });
  // ee7495e7 is shipped, but --policy with another definition replaces the shipped ones.
  const dir = tempTree({ 'main.json': template({ resources: [api('ee7495e7-3ba7-40b6-bfee-c29e22cc75d4'), api('APIM-NoSuchRule')] }) });
  const other = path.join(repoRoot(), 'catalog/policies/apim/BackendCertificateChecks_AuditDeny.json');
  const ruleSet = loadRuleSet({}, {}, { policies: loadPolicyInputs({ policies: [other], initiatives: [], assignments: [], exemptions: [] }, dir) });
  const out = scan({ paths: [dir], cwd: dir, today: TODAY, ruleSet });
  const unused = out.diagnostics.filter((d) => d.code === 'suppression-unused').map((d) => d.message);
  assert.deepEqual(unused, ['the suppression of APIM-NoSuchRule matches no finding; remove it']);
});
