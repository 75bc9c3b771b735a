// Definition versions (`version`, `versions`, `definitionVersion` of references and assignments)
// and assignment overrides whose selectors pick resources (by location or type).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRuleSet, scan } from '../../src/scan.js';
import { loadPolicyInputs, type PolicySpec } from '../../src/policy/policy-inputs.js';
import { compareVersions, parseVersion, parseVersionPattern, pickVersion, versionMatches } from '../../src/policy/definition-version.js';
import { template, tempTree } from '../helpers.js';

const SVC = 'Microsoft.ApiManagement/service';

// Two services: one in West Europe without an identity, one in East US without an identity and
// with public network access on.
const deployment = template({
  resources: [
    {
      type: SVC,
      apiVersion: '2023-05-01-preview',
      name: 'weu',
      location: 'westeurope',
      sku: { name: 'Developer', capacity: 1 },
      properties: { publisherEmail: 'a@b.c', publisherName: 'x', publicNetworkAccess: 'Disabled' },
    },
    {
      type: SVC,
      apiVersion: '2023-05-01-preview',
      name: 'use',
      location: 'East US',
      sku: { name: 'Developer', capacity: 1 },
      properties: { publisherEmail: 'a@b.c', publisherName: 'x', publicNetworkAccess: 'Enabled' },
    },
  ],
});

/** Version 1 wants an identity; version 2 also wants public network access off. */
const definition = (version: string, extra: object[] = [], versions?: string[]) =>
  JSON.stringify({
    name: 'svc-hardening',
    properties: {
      displayName: `Service hardening ${version}`,
      mode: 'All',
      version,
      ...(versions ? { versions } : {}),
      parameters: { effect: { type: 'String', allowedValues: ['Audit', 'Deny', 'Disabled'], defaultValue: 'Audit' } },
      policyRule: {
        if: { allOf: [{ field: 'type', equals: SVC }, { anyOf: [{ field: 'identity.type', exists: false }, ...extra] }] },
        then: { effect: "[parameters('effect')]" },
      },
    },
  });
const V1 = definition('1.0.0');
const V2 = definition('2.0.0', [{ field: 'Microsoft.ApiManagement/service/publicNetworkAccess', equals: 'Enabled' }]);

const assignment = (props: Record<string, unknown>) =>
  JSON.stringify({
    name: 'hardening',
    properties: {
      displayName: 'Hardening',
      policyDefinitionId: '/subscriptions/x/providers/Microsoft.Authorization/policyDefinitions/svc-hardening',
      ...props,
    },
  });

function run(files: Record<string, string>, spec: PolicySpec) {
  const dir = tempTree({ 'infra/main.json': deployment, ...files });
  const ruleSet = loadRuleSet({}, {}, { policies: loadPolicyInputs(spec, dir) });
  return { out: scan({ paths: ['infra'], cwd: dir, ruleSet }), ruleSet };
}

const byService = (out: ReturnType<typeof run>['out']) =>
  Object.fromEntries(['weu', 'use'].map((name) => [name, out.results.find((r) => r.ruleId === 'svc-hardening' && r.resource.name === name)!]));

test('version patterns: Major.Minor.Patch with * for minor and patch; a -preview pattern accepts releases too', () => {
  const v = (t: string) => parseVersion(t)!;
  const p = (t: string) => parseVersionPattern(t)!;
  assert.ok(versionMatches(v('1.4.2'), p('1.*.*')));
  assert.ok(versionMatches(v('1.4.2'), p('1.4.*')));
  assert.ok(versionMatches(v('1.4.2'), p('1.4.2')));
  assert.ok(!versionMatches(v('2.0.0'), p('1.*.*')));
  assert.ok(!versionMatches(v('1.0.0-preview'), p('1.*.*')));
  assert.ok(versionMatches(v('1.0.0-preview'), p('1.*.*-preview')));
  // Azure's initiatives pin 3.*.*-preview on bd876905, whose 3.x versions are all releases.
  assert.ok(versionMatches(v('3.9.0'), p('3.*.*-preview')), 'a release satisfies a -preview pattern');
  assert.ok(!versionMatches(v('4.0.0'), p('3.*.*-preview')));
  assert.equal(pickVersion(['3.4.1', '3.9.0', '4.0.0'], (x) => x, '3.*.*-preview').picked, '3.9.0');
  assert.equal(pickVersion(['1.0.0-preview', '1.1.0'], (x) => x, '1.*.*-preview').picked, '1.1.0', 'the newest of previews and releases');
  assert.equal(pickVersion(['1.1.0', '1.2.0-preview'], (x) => x, '1.*.*-preview').picked, '1.2.0-preview');
  assert.equal(pickVersion(['1.0.0-preview', '1.0.0'], (x) => x, '1.0.*-preview').picked, '1.0.0', 'a release sorts after its preview');
  assert.equal(pickVersion(['1.1.0', '1.2.0-preview'], (x) => x, '1.*.*').picked, '1.1.0', 'a plain pattern never takes a preview');
  assert.ok(versionMatches(v('1.1.0-deprecated'), p('1.*.*')), 'deprecated is a state, not a channel');
  assert.equal(parseVersionPattern('1.*.5'), undefined);
  assert.equal(parseVersionPattern('latest'), undefined);
  assert.ok(compareVersions(v('1.10.0'), v('1.9.9')) > 0, 'numbers compare as numbers');
  assert.ok(compareVersions(v('1.0.0'), v('1.0.0-preview')) > 0);
  const items = ['1.0.0', '1.2.0', '2.0.1'];
  assert.equal(pickVersion(items, (x) => x, '1.*.*').picked, '1.2.0');
  assert.equal(pickVersion(items, (x) => x).picked, '2.0.1', 'no pattern: the latest');
  assert.match(pickVersion(items, (x) => x, '3.*.*').problem!, /version 3\.\*\.\* is asked for; Tollgate has 1\.0\.0, 1\.2\.0, 2\.0\.1/);
  assert.match(pickVersion(items, (x) => x, '3.*.*', ['3.0.0']).problem!, /Azure has 3\.0\.0: give that version's JSON with --policy/);
  assert.match(pickVersion(items, (x) => x, 'one').problem!, /not a version/);
});

test('two versions of one definition: the latest runs unless the assignment asks for another', () => {
  const latest = byService(run({ 'p/v1.json': V1, 'p/v2.json': V2 }, { policies: ['p'] }).out);
  // Version 2: both fail (no identity); East US also for public network access.
  assert.equal(latest.weu!.outcome, 'fail');
  assert.equal(latest.use!.outcome, 'fail');
  const files = { 'p/v1.json': V1, 'p/v2.json': V2, 'a.json': assignment({ definitionVersion: '1.*.*' }) };
  const { out } = run(files, { policies: ['p'], assignments: ['a.json'] });
  assert.equal(out.rules.filter((r) => r.id === 'svc-hardening').length, 1);
  assert.match(out.rules.find((r) => r.id === 'svc-hardening')!.title, /Service hardening 1\.0\.0/);

  const missing = run({ 'p/v1.json': V1, 'a.json': assignment({ definitionVersion: '2.*.*' }) }, { policies: ['p'], assignments: ['a.json'] }).out;
  assert.ok(!missing.rules.some((r) => r.id === 'svc-hardening'));
  assert.ok(missing.diagnostics.some((d) => /version 2\.\*\.\* is asked for; Tollgate has 1\.0\.0; the assignment is not evaluated/.test(d.message)));
});

test('a policyEffect override selecting a location applies to the resources there only', () => {
  const { out } = run(
    {
      'p/v1.json': V1,
      'a.json': assignment({ overrides: [{ kind: 'policyEffect', value: 'Deny', selectors: [{ kind: 'resourceLocation', in: ['eastus'] }] }] }),
    },
    { policies: ['p'], assignments: ['a.json'] },
  );
  const f = (name: string) => out.findings.find((x) => x.ruleId === 'svc-hardening' && x.resource.name === name)!;
  // "East US" as written in the template is the location eastus.
  assert.equal(f('use').effect, 'Deny');
  assert.equal(f('use').level, 'error');
  assert.equal(f('weu').effect, 'Audit');
  assert.equal(f('weu').level, 'warning');
  assert.deepEqual(out.diagnostics, []);
});

test('a Disabled override by resource type skips those resources and says why; DoNotEnforce still holds for overridden effects', () => {
  const disabled = run(
    {
      'p/v1.json': V1,
      'a.json': assignment({ overrides: [{ kind: 'policyEffect', value: 'Disabled', selectors: [{ kind: 'resourceLocation', notIn: ['eastus'] }] }] }),
    },
    { policies: ['p'], assignments: ['a.json'] },
  ).out;
  const r = byService(disabled);
  assert.equal(r.weu!.outcome, 'skip');
  assert.match(r.weu!.reason!, /override of the assignment sets effect Disabled/);
  assert.equal(r.use!.outcome, 'fail');

  const relaxed = run(
    {
      'p/v1.json': V1,
      'a.json': assignment({
        enforcementMode: 'DoNotEnforce',
        overrides: [{ kind: 'policyEffect', value: 'Deny', selectors: [{ kind: 'resourceType', in: [SVC] }] }],
      }),
    },
    { policies: ['p'], assignments: ['a.json'] },
  ).out;
  const findings = relaxed.findings.filter((x) => x.ruleId === 'svc-hardening');
  assert.equal(findings.length, 2);
  assert.ok(findings.every((x) => x.effect === 'Deny' && x.level === 'warning'));
});

test('a definitionVersion override rolls a new version out to one location', () => {
  const { out } = run(
    {
      'p/v1.json': definition('1.0.0', [], ['1.0.0', '2.0.0']),
      'p/v2.json': V2,
      'a.json': assignment({
        definitionVersion: '1.*.*',
        overrides: [{ kind: 'definitionVersion', value: '2.*.*', selectors: [{ kind: 'resourceLocation', in: ['eastus'] }] }],
      }),
    },
    { policies: ['p'], assignments: ['a.json'] },
  );
  const f = (name: string) => out.findings.find((x) => x.ruleId === 'svc-hardening' && x.resource.name === name)!;
  // The message names the definition as the version in force words it.
  assert.match(f('use').message, /Service hardening 2\.0\.0/);
  assert.match(f('weu').message, /Service hardening 1\.0\.0/);
});

test('overrides Tollgate cannot apply are warnings, not silence', () => {
  const { out } = run(
    {
      'p/v1.json': V1,
      'a.json': assignment({
        overrides: [
          { kind: 'policyEffect', value: 'Append', selectors: [{ kind: 'resourceLocation', in: ['eastus'] }] },
          { kind: 'definitionVersion', value: '9.*.*', selectors: [{ kind: 'resourceLocation', in: ['westeurope'] }] },
          { kind: 'somethingElse', value: 'x', selectors: [] },
          { kind: 'policyEffect', value: 'Deny', selectors: [{ kind: 'resourceColour', in: ['blue'] }] },
        ],
      }),
    },
    { policies: ['p'], assignments: ['a.json'] },
  );
  const messages = out.diagnostics.map((d) => d.message).join('\n');
  assert.match(messages, /override policyEffect 'Append': .*Append/);
  assert.match(messages, /override definitionVersion '9\.\*\.\*': version 9\.\*\.\* is asked for; Tollgate has 1\.0\.0/);
  assert.match(messages, /override of kind 'somethingElse' is ignored/);
  assert.match(messages, /selector of kind 'resourceColour' matches nothing/);
  // The resources those overrides would select keep the assignment's effect.
  assert.ok(out.findings.filter((x) => x.ruleId === 'svc-hardening').every((x) => x.effect === 'Audit'));
});

test('an initiative reference asking for a version Tollgate lacks is not available offline, with the reason', () => {
  const initiative = JSON.stringify({
    name: 'hardening-set',
    properties: {
      displayName: 'Hardening set',
      policyDefinitions: [
        {
          policyDefinitionReferenceId: 'v1',
          policyDefinitionId: '/subscriptions/x/providers/Microsoft.Authorization/policyDefinitions/svc-hardening',
          definitionVersion: '1.*.*',
        },
        {
          policyDefinitionReferenceId: 'v3',
          policyDefinitionId: '/subscriptions/x/providers/Microsoft.Authorization/policyDefinitions/svc-hardening',
          definitionVersion: '3.*.*',
        },
      ],
    },
  });
  const { out } = run({ 'p/v1.json': definition('1.0.0', [], ['1.0.0', '3.0.0']), 'set.json': initiative }, { policies: ['p'], initiatives: ['set.json'] });
  const ic = out.compliance!.find((c) => c.initiative === 'hardening-set')!;
  assert.equal(ic.evaluated, 1);
  assert.deepEqual(
    ic.unavailable.map((u) => [u.referenceId, u.reason]),
    [['v3', "version 3.*.* is asked for; Tollgate has 1.0.0 (Azure has 3.0.0: give that version's JSON with --policy)"]],
  );
});

test('selectors on resources without a location: resourceLocation takes none of them; resourceWithoutLocation only subscription-level ones', async () => {
  const { selectorsMatch } = await import('../../src/policy/assignment.js');
  const backend = { type: `${SVC}/backends`, id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/a/backends/b' };
  const subLevel = { type: 'Microsoft.Authorization/roleAssignments', id: '/subscriptions/s/providers/Microsoft.Authorization/roleAssignments/r' };
  assert.equal(selectorsMatch([{ kind: 'resourceLocation', in: ['westeurope'] }], backend), false);
  assert.equal(selectorsMatch([{ kind: 'resourceLocation', notIn: ['westeurope'] }], backend), false);
  assert.equal(selectorsMatch([{ kind: 'resourceWithoutLocation', in: ['subscriptionLevelResources'] }], backend), false);
  assert.equal(selectorsMatch([{ kind: 'resourceWithoutLocation', in: ['subscriptionLevelResources'] }], subLevel), true);
  assert.equal(selectorsMatch([{ kind: 'resourceLocation', in: ['eastus'] }], { type: SVC, location: 'East US' }), true);
});

test('every reference of the shipped initiatives resolves to a version, older major versions included', () => {
  const dir = tempTree({ 'infra/main.json': template({ resources: [] }) });
  // With the whole built-in catalog, every definition is there, and the references to an older
  // major version (Kubernetes definitions at 5.x-8.x while the current files are 6.x-9.x) find it
  // among the older versions shipped from Azure/azure-policy's history.
  const expected: Record<string, { assigned: number; olderMajor: number }> = {
    mcsb: { assigned: 204, olderMajor: 4 },
    'nz-ism': { assigned: 195, olderMajor: 3 },
    'nl-bio': { assigned: 266, olderMajor: 4 },
    'alz-apim': { assigned: 11, olderMajor: 0 },
  };
  for (const [initiative, want] of Object.entries(expected)) {
    const ruleSet = loadRuleSet({}, {}, { policies: loadPolicyInputs({ initiatives: [initiative] }, dir) });
    const assigned = ruleSet.assigned!;
    assert.equal(assigned.unavailable.filter((u) => /Tollgate does not have the definition/.test(u.reason)).length, 0, initiative);
    const versionProblems = assigned.unavailable.filter((u) => !/not applicable to deployment templates/.test(u.reason));
    assert.deepEqual(versionProblems, [], initiative);
    // The definitions pinned at an older major version now load at it, and say what that version is: not for templates.
    const older = assigned.unavailable.filter((u) => /(1c6e92c9|82985f06|47a1ee2f|1a5b4dca)-/.test(u.definitionId));
    assert.equal(older.length, want.olderMajor, initiative);
    for (const u of older) assert.match(u.reason, /^not applicable to deployment templates: mode Microsoft\.Kubernetes\.Data/);
    assert.equal(assigned.assigned.length, want.assigned, initiative);
  }
});
