import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import { loadRuleSet, scan, type RuleSet } from '../../src/scan.js';
import { coverageOf } from '../../src/report/coverage.js';
import { render } from '../../src/report/index.js';
import { defineRule } from '../../src/rules/define-rule.js';
import { createPolicyRule } from '../../src/policy/policy-rule.js';
import { readPolicyDefinition } from '../../src/policy/definition.js';
import { getPath, isUnknown, type Value } from '../../src/resources/value.js';
import { repoRoot } from '../helpers.js';

/*
 * test/fixtures/coverage-repo (see its SOURCES.md) scanned with a rule set of its own, so that the
 * numbers do not move when the default rule set grows: a storage rule, a key vault rule, a policy
 * definition that needs a parameter nobody gives, and a native rule that ships off.
 */
const FIXTURE = 'test/fixtures/coverage-repo';

const httpsOnly = defineRule({
  id: 'T-StorageHttps',
  title: 'Storage accounts accept HTTPS only',
  severity: 'high',
  description: 'test rule',
  recommendation: 'set supportsHttpsTrafficOnly',
  equivalents: [],
  appliesTo: ['Microsoft.Storage/storageAccounts'],
  check(resource, ctx) {
    const v = getPath(resource.body, 'properties.supportsHttpsTrafficOnly');
    if (isUnknown(v)) return ctx.unknown(`supportsHttpsTrafficOnly is not known before deployment (${v.reason})`);
    if (v === false) ctx.report({ path: 'properties.supportsHttpsTrafficOnly', message: 'HTTP is allowed' });
  },
});

const purge = defineRule({
  id: 'T-VaultPurge',
  title: 'Key vaults have purge protection',
  severity: 'medium',
  description: 'test rule',
  recommendation: 'set enablePurgeProtection',
  equivalents: [],
  appliesTo: ['Microsoft.KeyVault/vaults'],
  check(resource, ctx) {
    const v = getPath(resource.body, 'properties.enablePurgeProtection');
    if (isUnknown(v)) return ctx.unknown('enablePurgeProtection is not known before deployment');
    if (v !== true) ctx.report({ path: 'properties.enablePurgeProtection', message: 'purge protection is off' });
  },
});

const shipsOff = defineRule({ ...httpsOnly.meta, id: 'T-Off', title: 'A rule that ships off', enabled: false, check: () => undefined });

const needsWorkspace = createPolicyRule(
  readPolicyDefinition(
    {
      name: 'test-needs-workspace',
      properties: {
        displayName: 'Storage accounts send logs to a workspace',
        policyType: 'Custom',
        mode: 'Indexed',
        parameters: { workspaceId: { type: 'String' } },
        policyRule: { if: { field: 'type', equals: 'Microsoft.Storage/storageAccounts' }, then: { effect: 'audit' } },
      },
    } as unknown as Value,
    'test-needs-workspace.json',
  ),
);

const RULES: RuleSet = { rules: [httpsOnly, purge, shipsOff, needsWorkspace], diagnostics: [], effectErrors: [] };

function scanFixture() {
  return scan({ paths: [FIXTURE], cwd: repoRoot(), ruleSet: RULES });
}

test('coverage of a repository-shaped tree, exactly: resources by what evaluated them, undecided checks, rules not run, deployments not followed', () => {
  const result = scanFixture();
  assert.deepEqual(
    result.units.map((u) => [u.file, u.parameterFile, u.resources]),
    [
      [`${FIXTURE}/bicep/app.bicep`, undefined, 2],
      [`${FIXTURE}/infra/main.json`, `${FIXTURE}/infra/main.parameters.json`, 5],
      [`${FIXTURE}/infra/unknown.json`, undefined, 1],
    ],
  );
  const c = coverageOf(result);
  // 8 resources: stmain (fails), kv-inner in the nested inline deployment (passes with the value the
  // parameter file passes through), stbicep (passes), stunknown (undecided), and four no rule applies to.
  assert.deepEqual(c.resources, {
    found: 8,
    evaluated: 3,
    undecided: 1,
    notEvaluated: 4,
    notEvaluatedByType: [
      { key: 'Microsoft.Resources/deployments', description: 'Microsoft.Resources/deployments', count: 2 },
      { key: 'Microsoft.ManagedIdentity/userAssignedIdentities', description: 'Microsoft.ManagedIdentity/userAssignedIdentities', count: 1 },
      { key: 'Microsoft.Network/virtualNetworks', description: 'Microsoft.Network/virtualNetworks', count: 1 },
    ],
  });
  const reason = "supportsHttpsTrafficOnly is not known before deployment (required parameter 'httpsOnly' has no value)";
  assert.deepEqual(c.checks, {
    total: 4,
    decided: 3,
    notApplicable: 0,
    undecided: 1,
    undecidedByReason: [{ key: reason, description: reason, count: 1 }],
    errors: 0,
  });
  assert.deepEqual(c.rulesNotRun, {
    count: 2,
    cannotRun: 1,
    byReason: [
      { key: 'needs-parameters', description: 'needs parameters that have no default (give them under rules.<id>.parameters or in an assignment)', count: 1 },
      { key: 'off-by-default', description: 'off by default (rules.<id>.enabled: true or --rules all runs it)', count: 1 },
    ],
  });
  assert.deepEqual(
    c.items.rulesNotRun.map((r) => [r.id, r.reason, r.detail]),
    [
      [
        'test-needs-workspace',
        'needs-parameters',
        "needs parameter 'workspaceId' (no default): give it under rules.test-needs-workspace.parameters or with an assignment",
      ],
      ['T-Off', 'off-by-default', 'off by default (rules.<id>.enabled: true or --rules all runs it)'],
    ],
  );
  assert.deepEqual(c.deploymentsNotFollowed, {
    count: 1,
    byReason: [{ key: 'remote-link', description: 'the linked template is remote (a URL) and is not fetched', count: 1 }],
  });
  const [remote] = c.items.deploymentsNotFollowed;
  assert.deepEqual(
    { ...remote, location: remote?.location && { file: remote.location.file, line: remote.location.start.line } },
    {
      kind: 'remote-link',
      deployment: 'remote',
      file: `${FIXTURE}/infra/main.json`,
      location: { file: `${FIXTURE}/infra/main.json`, line: 59 },
      detail:
        'the linked template https://example.com/templates/network.json is remote and is not fetched (a links: entry in the configuration can map its prefix to a folder of the repository)',
    },
  );
  assert.deepEqual(
    c.items.resourcesNotEvaluated.map((r) => `${r.type} ${r.name}`),
    [
      'Microsoft.ManagedIdentity/userAssignedIdentities id-app',
      'Microsoft.Network/virtualNetworks vnet-main',
      'Microsoft.Resources/deployments inner',
      'Microsoft.Resources/deployments remote',
    ],
  );
  assert.deepEqual(
    c.items.resourcesUndecided.map((r) => `${r.name} ${r.file}`),
    [`stunknown ${FIXTURE}/infra/unknown.json`],
  );
  // The findings agree: one, on the storage account that allows HTTP.
  assert.deepEqual(
    result.findings.map((f) => `${f.ruleId} ${f.resource.name}`),
    ['T-StorageHttps stmain'],
  );
});

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name) });

test('coverage in each format: json, sarif and junit parsed; pretty, markdown, html and github by their text', () => {
  const result = scanFixture();
  const expected = JSON.parse(JSON.stringify(coverageOf(result)));
  const json = JSON.parse(render('json', result, { color: false }));
  assert.deepEqual(json.coverage, expected);
  assert.equal(json.summary.resourcesEvaluated, 3);
  const sarif = JSON.parse(render('sarif', result, { color: false }));
  assert.deepEqual(sarif.runs[0].properties.coverage, expected);

  const junit = xml.parse(render('junit', result, { color: false }));
  const suite = (junit.testsuites.testsuite as { name: string }[]).find((s) => s.name === 'tollgate coverage') as unknown as {
    properties: { property: { name: string; value: string }[] };
    testcase: { classname: string; name: string; skipped: { message: string } }[];
  };
  const props = Object.fromEntries(suite.properties.property.map((p) => [p.name, Number(p.value)]));
  assert.equal(props['coverage.resources.found'], 8);
  assert.equal(props['coverage.resources.evaluated'], 3);
  assert.equal(props['coverage.resources.notEvaluated'], 4);
  assert.equal(props['coverage.checks.undecided'], 1);
  assert.equal(props['coverage.rulesNotRun.cannotRun'], 1);
  assert.equal(props['coverage.deploymentsNotFollowed: remote-link'], 1);
  assert.deepEqual(
    suite.testcase.map((t) => t.classname).sort(),
    [
      ...Array(4).fill('tollgate.coverage.not-evaluated'),
      'tollgate.coverage.deployment-not-followed',
      ...Array(2).fill('tollgate.coverage.rule-not-run'),
    ].sort(),
  );

  const pretty = render('pretty', result, { color: false });
  assert.match(pretty, /^ {2}8 resources found: 3 evaluated by at least one rule, 1 only undecided, 4 that no rule applies to$/m);
  assert.match(pretty, /^ {7}2 {2}Microsoft\.Resources\/deployments$/m);
  assert.match(pretty, /^ {2}1 nested deployment not followed \(its resources are not checked\):$/m);
  assert.match(pretty, /^ {12}test-needs-workspace {2}Storage accounts send logs to a workspace: needs parameter 'workspaceId'/m);
  assert.match(pretty, /^4 files, 8 resources \(3 evaluated\), 4 rules: /m);

  const md = render('markdown', result, { color: false });
  assert.match(
    md,
    /^8 resources found: 3 evaluated by at least one rule, 1 only undecided, \*\*4 that no rule applies to\*\*\. 1 check undecided; 2 rules not run \(1 cannot run\); 1 nested deployment not followed\.$/m,
  );
  assert.match(md, /^- `test-needs-workspace` Storage accounts send logs to a workspace: needs parameter 'workspaceId'/m);

  const html = render('html', result, { color: false });
  assert.match(html, /<section id="coverage"/);
  assert.match(
    html,
    /<span data-count="evaluated">3<\/span> evaluated by at least one rule, <span data-count="undecided">1<\/span> only undecided, <span data-count="not-evaluated">4<\/span>/,
  );
  assert.match(html, /not followed: deployment <strong>remote<\/strong>/);

  const github = render('github', result, { color: false });
  assert.match(
    github,
    /^::notice title=tollgate%3A coverage::8 resources found: 3 evaluated by at least one rule, 1 only undecided, 4 that no rule applies to /m,
  );
  assert.match(github, /%0Acannot run: test-needs-workspace Storage accounts send logs to a workspace/);
});

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');

test('--verbose lists each item not evaluated; without it, groups and the definitions that cannot run', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tollgate-coverage-'));
  cpSync(path.join(repoRoot(), FIXTURE), dir, { recursive: true });
  writeFileSync(path.join(dir, 'tollgate.yaml'), 'rules:\n  APIM-HTTPBackend:\n    enabled: false\n');
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [CLI, 'scan', '.', ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const plain = run();
  const verbose = run('--verbose');
  assert.equal(verbose.status, plain.status, verbose.stderr);
  for (const out of [plain.stdout, verbose.stdout]) {
    assert.match(out, /^Coverage$/m);
    assert.match(out, /^ {2}\d+ resources? found: \d+ evaluated by at least one rule, /m);
    assert.match(out, /^ +\d+ {2}turned off in the configuration$/m);
    assert.match(out, /^ {7}1 {2}the linked template is remote \(a URL\) and is not fetched$/m);
  }
  // Each item only with --verbose: the rule turned off, the deployment not followed (with where).
  assert.doesNotMatch(plain.stdout, /APIM-HTTPBackend/);
  assert.match(verbose.stdout, /^ {12}APIM-HTTPBackend {2}API Management backends use HTTPS$/m);
  assert.doesNotMatch(plain.stdout, /deployment 'remote'/);
  assert.match(
    verbose.stdout,
    /^ {12}infra\/main\.json:59:\d+ {2}deployment 'remote': the linked template https:\/\/example\.com\/templates\/network\.json is remote and is not fetched \(a links: entry in the configuration can map its prefix to a folder of the repository\)$/m,
  );
});

test('definitions that need parameters: rules.<id>.parameters makes them run; turned on without them, they stay off and are listed', () => {
  const id = '567c93f7-3661-494f-a30f-0a94d9bfebf8';
  const listed = (set: RuleSet) => scan({ paths: ['examples/compliant'], cwd: repoRoot(), ruleSet: set }).notRun?.find((r) => r.id === id);
  const byDefault = loadRuleSet();
  assert.equal(byDefault.rules.find((r) => r.meta.id === id)?.enabled, false);
  assert.equal(listed(byDefault)?.reason, 'needs-parameters');

  const given = loadRuleSet(
    {},
    { [id]: { parameters: { logAnalytics: '/subscriptions/x/resourceGroups/y/providers/Microsoft.OperationalInsights/workspaces/z' } } },
  );
  assert.equal(given.rules.find((r) => r.meta.id === id)?.enabled, true);
  const ran = scan({ paths: ['examples/compliant'], cwd: repoRoot(), ruleSet: given });
  assert.ok(
    ran.results.some((r) => r.ruleId === id),
    'the definition ran on the API Management service',
  );
  assert.equal(
    ran.notRun?.find((r) => r.id === id),
    undefined,
  );

  // Turned on without its parameter: it would fail on every resource, so it stays off and says why.
  const forced = loadRuleSet({}, { [id]: { enabled: true } });
  assert.equal(forced.rules.find((r) => r.meta.id === id)?.enabled, false);
  assert.match(listed(forced)?.detail ?? '', /^needs parameter 'logAnalytics' \(no default\)/);
});
