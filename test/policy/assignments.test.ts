import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRuleSet, scan } from '../../src/scan.js';
import { loadPolicyInputs, type PolicySpec } from '../../src/policy/policy-inputs.js';
import { readAssignment, readExemption } from '../../src/policy/assignment.js';
import { readInitiative } from '../../src/policy/initiative.js';
import { template, tempTree } from '../helpers.js';

const SVC = 'Microsoft.ApiManagement/service';
const SUB = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/tollgate-rg/providers';
const CERT = '92bb331d-ac71-416a-8c91-02f2cb734ce4';
const KV = 'f1cc7827-022c-473e-836e-5a51cae0b249';

// Two backends that skip certificate validation, one that validates; one secret named value outside Key Vault.
const deployment = template({
  resources: [
    {
      type: SVC,
      apiVersion: '2023-05-01-preview',
      name: 'svc',
      location: 'westeurope',
      sku: { name: 'Premium', capacity: 2 },
      zones: ['1', '2'],
      properties: { publisherEmail: 'a@b.c', publisherName: 'x' },
    },
    {
      type: `${SVC}/backends`,
      apiVersion: '2023-05-01-preview',
      name: 'svc/one',
      properties: { url: 'https://one', protocol: 'http', tls: { validateCertificateChain: false } },
    },
    {
      type: `${SVC}/backends`,
      apiVersion: '2023-05-01-preview',
      name: 'svc/two',
      properties: { url: 'https://two', protocol: 'http', tls: { validateCertificateName: false } },
    },
    { type: `${SVC}/backends`, apiVersion: '2023-05-01-preview', name: 'svc/three', properties: { url: 'https://three', protocol: 'http' } },
    { type: `${SVC}/namedValues`, apiVersion: '2023-05-01-preview', name: 'svc/token', properties: { displayName: 'token', secret: true, value: 'x' } },
  ],
});

function run(files: Record<string, string>, spec: PolicySpec) {
  const dir = tempTree({ 'infra/main.json': deployment, ...files });
  const ruleSet = loadRuleSet({}, {}, { policies: loadPolicyInputs(spec, dir) });
  return scan({ paths: ['infra'], cwd: dir, ruleSet });
}

const alzAssignment = (props: Record<string, unknown>) =>
  JSON.stringify({
    name: 'guardrails',
    properties: {
      displayName: 'APIM guardrails',
      policyDefinitionId: '/providers/Microsoft.Management/managementGroups/mg/providers/Microsoft.Authorization/policySetDefinitions/Enforce-Guardrails-APIM',
      ...props,
    },
  });

test('--initiative alz-apim: the initiative default parameters choose the effects (Deny: errors)', () => {
  const out = run({}, { initiatives: ['alz-apim'] });
  const cert = out.findings.filter((f) => f.ruleId === CERT);
  assert.equal(cert.length, 2);
  assert.ok(cert.every((f) => f.level === 'error' && f.effect === 'Deny'));
  // The shipped defaults are replaced: a built-in the initiative does not assign does not run.
  assert.ok(!out.rules.some((r) => r.id === '1dc2fc00-2245-4143-99f4-874c937f13ef'));
  // Native rules still run.
  assert.ok(out.rules.some((r) => r.id === 'APIM-HTTPBackend'));
  const ic = out.compliance?.[0];
  assert.ok(ic);
  assert.equal(ic.initiative, 'Enforce-Guardrails-APIM');
  assert.equal(ic.evaluated, 11);
  assert.deepEqual(ic.unavailable, []);
  const certPolicy = ic.ungrouped.find((p) => p.referenceId === 'Deny-Apim-Cert-Validation')!;
  assert.equal(certPolicy.state, 'non-compliant');
  assert.deepEqual(certPolicy.resources, { 'non-compliant': 2, compliant: 1, error: 0, exempt: 0, unknown: 0 });
});

test('an assignment: parameters, DoNotEnforce, overrides, notScopes and its non-compliance message', () => {
  const assignment = alzAssignment({
    enforcementMode: 'DoNotEnforce',
    parameters: { apimApiBackendCertValidation: { value: 'Audit' } },
    overrides: [{ kind: 'policyEffect', value: 'Disabled', selectors: [{ kind: 'policyDefinitionReferenceId', in: ['Deny-Apim-without-Kv'] }] }],
    notScopes: [`${SUB}/Microsoft.ApiManagement/service/svc/backends/two`],
    nonComplianceMessages: [
      { message: 'Guardrails {enforcementMode} be met.' },
      { message: 'Validate backend certificates.', policyDefinitionReferenceId: 'Deny-Apim-Cert-Validation' },
    ],
  });
  const out = run({ 'policy/assign.json': assignment }, { assignments: ['policy/assign.json'] });
  const cert = out.findings.filter((f) => f.ruleId === CERT);
  assert.deepEqual(
    cert.map((f) => f.resource.name),
    ['svc/one'],
    'svc/two is in notScopes',
  );
  assert.equal(cert[0]!.effect, 'Audit');
  assert.equal(cert[0]!.level, 'warning');
  assert.match(cert[0]!.message, /APIM guardrails: Validate backend certificates\.$/);
  const skipped = out.results.find((r) => r.ruleId === CERT && r.resource.name === 'svc/two')!;
  assert.equal(skipped.outcome, 'skip');
  assert.match(skipped.reason!, /notScopes of assignment guardrails/);
  // Overridden to Disabled: the Key Vault definition reports nothing.
  assert.ok(!out.findings.some((f) => f.ruleId === KV));
  // DoNotEnforce: a Deny does not block, so nothing is an error.
  const vnet = out.findings.filter((f) => f.ruleId === 'c15dcc82-b93c-4dcb-9332-fbf121685b54');
  assert.ok(vnet.length > 0 && vnet.every((f) => f.level === 'warning' && f.effect === 'Deny'));
  assert.match(vnet[0]!.message, /Guardrails should be met\.$/);
});

test('resourceSelectors: only selected resources are evaluated', () => {
  const assignment = JSON.stringify({
    name: 'cert-only-one',
    properties: {
      policyDefinitionId: `/providers/Microsoft.Authorization/policyDefinitions/${CERT}`,
      resourceSelectors: [{ name: 'nowhere', selectors: [{ kind: 'resourceLocation', in: ['eastus'] }] }],
    },
  });
  const out = run({ 'a.json': assignment }, { assignments: ['a.json'] });
  assert.ok(!out.findings.some((f) => f.ruleId === CERT));
  assert.ok(out.results.filter((r) => r.ruleId === CERT).every((r) => r.outcome === 'skip' && /resourceSelectors/.test(r.reason!)));
});

test('exemptions: a Waiver on one resource shows as Exempt; an expired one exempts nothing; an unknown assignment is a warning', () => {
  const exemption = (name: string, extra: Record<string, unknown>) =>
    JSON.stringify({
      name,
      properties: {
        policyAssignmentId: '/providers/Microsoft.Management/managementGroups/mg/providers/Microsoft.Authorization/policyAssignments/guardrails',
        exemptionCategory: 'Waiver',
        displayName: `${name} waiver`,
        ...extra,
      },
    });
  const out = run(
    {
      'policy/assign.json': alzAssignment({}),
      'policy/one.json': exemption('one', {
        scope: `${SUB}/Microsoft.ApiManagement/service/svc/backends/one`,
        policyDefinitionReferenceIds: ['Deny-Apim-Cert-Validation'],
        description: 'legacy backend, replaced in Q1',
      }),
      'policy/old.json': exemption('old', { scope: `${SUB}/Microsoft.ApiManagement/service/svc/backends/two`, expiresOn: '2020-01-01T00:00:00Z' }),
      'policy/stray.json': JSON.stringify({ name: 'stray', properties: { policyAssignmentId: '/x/policyAssignments/nope', exemptionCategory: 'Mitigated' } }),
    },
    { assignments: ['policy/assign.json'], exemptions: ['policy/one.json', 'policy/old.json', 'policy/stray.json'] },
  );
  const cert = out.findings.filter((f) => f.ruleId === CERT).map((f) => f.resource.name);
  assert.deepEqual(cert, ['svc/two'], 'one is exempt; the expired exemption of two does not apply');
  assert.match(out.findings.find((f) => f.ruleId === CERT)!.message, /expired on 2020-01-01/);
  const exempt = out.suppressed!.find((f) => f.ruleId === CERT)!;
  assert.equal(exempt.resource.name, 'svc/one');
  assert.deepEqual(exempt.suppression!.exemption, { name: 'one', category: 'Waiver' });
  assert.match(exempt.suppression!.justification, /Waiver: one waiver \(legacy backend/);
  const certPolicy = out.compliance![0]!.ungrouped.find((p) => p.referenceId === 'Deny-Apim-Cert-Validation')!;
  assert.deepEqual(certPolicy.resources, { 'non-compliant': 1, compliant: 1, error: 0, exempt: 1, unknown: 0 });
  assert.ok(out.diagnostics.some((d) => d.code === 'policy-exemption' && /stray/.test(d.message) && d.severity === 'warning'));
});

test('--initiative mcsb: compliance per control with the roll-up, and what is not available offline', () => {
  const out = run({}, { initiatives: ['mcsb'] });
  const ic = out.compliance![0]!;
  assert.equal(ic.displayName, 'Microsoft cloud security benchmark');
  // 223 references; the APIM ones Tollgate ships run, every other one is listed, none dropped.
  assert.equal(ic.evaluated + ic.unavailable.length, 223);
  assert.ok(ic.evaluated >= 10, String(ic.evaluated));
  const im4 = ic.controls.find((c) => c.shortId === 'IM-4')!;
  assert.equal(im4.state, 'non-compliant');
  assert.ok(im4.policies.some((p) => p.ruleId === CERT && p.state === 'non-compliant'));
  // A control with none of its policies here is not evaluated, and says so.
  const offline = ic.controls.filter((c) => c.state === 'not-available-offline');
  assert.ok(offline.length > 0 && offline.every((c) => c.policies.length === 0 && c.unavailable.length > 0));
  // Every reference id appears either as a policy or as unavailable.
  assert.equal(new Set(ic.unavailable.map((u) => u.referenceId)).size, ic.unavailable.length);
});

test('roll-up: a resource compliant with one policy of a control and unknown for another counts as compliant; non-compliant wins over both', async () => {
  const { complianceByControl } = await import('../../src/policy/control-compliance.js');
  const initiative = readInitiative({ name: 'set', properties: { policyDefinitions: [] } });
  const rule = (id: string) => ({ meta: { id, title: id } }) as never;
  const assignment = readAssignment({ name: 'a', properties: { policyDefinitionId: '/x/policySetDefinitions/set' } });
  const assigned = ['p1', 'p2', 'p3'].map((id) => ({ rule: rule(id), assignment, initiative, referenceId: id, groups: id === 'p3' ? ['G2'] : ['G1'] }));
  const res = (name: string) => ({ type: 't', name, id: `/r/${name}` });
  const results = [
    { ruleId: 'p1', resource: res('a'), file: 'f', outcome: 'pass' as const, findings: [] },
    { ruleId: 'p2', resource: res('a'), file: 'f', outcome: 'unknown' as const, findings: [] },
    { ruleId: 'p1', resource: res('b'), file: 'f', outcome: 'unknown' as const, findings: [] },
    { ruleId: 'p2', resource: res('b'), file: 'f', outcome: 'fail' as const, findings: [] },
    { ruleId: 'p3', resource: res('a'), file: 'f', outcome: 'skip' as const, findings: [] },
  ];
  const [ic] = complianceByControl(results, [], assigned, [
    { assignment: 'a', initiative: 'set', referenceId: 'p4', definitionId: '/x/p4', groups: ['G3'], reason: 'Tollgate does not have the definition' },
  ]);
  const g1 = ic!.controls.find((c) => c.control === 'G1')!;
  assert.deepEqual(g1.resources, { 'non-compliant': 1, compliant: 1, error: 0, exempt: 0, unknown: 0 });
  assert.equal(g1.state, 'non-compliant');
  assert.equal(ic!.controls.find((c) => c.control === 'G2')!.state, 'not-applicable');
  assert.equal(ic!.controls.find((c) => c.control === 'G3')!.state, 'not-available-offline');
  assert.equal(ic!.percent, 50);
});

test('--policy: a custom definition runs with its defaults; a malformed one is an error at its position and the others still run', () => {
  const good = JSON.stringify({
    name: 'no-stv1',
    properties: {
      displayName: 'No stv1',
      mode: 'All',
      parameters: { effect: { type: 'String', allowedValues: ['Audit', 'Deny'], defaultValue: 'Deny' } },
      policyRule: {
        if: {
          allOf: [
            { field: 'type', equals: SVC },
            { field: 'Microsoft.ApiManagement/service/sku.name', equals: 'Premium' },
          ],
        },
        then: { effect: "[parameters('effect')]" },
      },
    },
  });
  const bad =
    '{\n  "properties": {\n    "mode": "All",\n    "policyRule": {\n      "if": { "field": "type", "equals": "x", "like": "y" },\n      "then": { "effect": "audit" }\n    }\n  }\n}\n';
  const out = run({ 'policy/good.json': good, 'policy/bad.json': bad }, { policies: ['policy'] });
  assert.ok(out.findings.some((f) => f.ruleId === 'no-stv1' && f.level === 'error'));
  const d = out.diagnostics.find((x) => x.code === 'policy-definition')!;
  assert.equal(d.file, 'policy/bad.json');
  assert.equal(d.location?.start.line, 5);
});

test('readers: clear errors for malformed assignments and exemptions', () => {
  assert.throws(() => readAssignment({ properties: {} }), /needs a policyDefinitionId/);
  assert.throws(() => readAssignment({ properties: { policyDefinitionId: 'x', enforcementMode: 'Sometimes' } }), /enforcementMode 'Sometimes'/);
  assert.throws(
    () =>
      readAssignment({
        properties: {
          policyDefinitionId: 'x',
          overrides: [{ kind: 'policyEffect', value: 'Audit', selectors: [{ kind: 'policyDefinitionReferenceId', in: ['a'], notIn: ['b'] }] }],
        },
      }),
    /both in and notIn/,
  );
  assert.throws(() => readExemption({ properties: { policyAssignmentId: 'x', exemptionCategory: 'Maybe' } }), /Waiver or Mitigated/);
  assert.throws(() => readExemption({ properties: { policyAssignmentId: 'x', exemptionCategory: 'Waiver', expiresOn: 'soon' } }), /not a date/);
  const e = readExemption({
    id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Authorization/policyExemptions/ex1',
    properties: { policyAssignmentId: '/a/policyAssignments/asg', exemptionCategory: 'mitigated' },
  });
  assert.equal(e.scope, '/subscriptions/s/resourceGroups/rg');
  assert.equal(e.category, 'Mitigated');
  assert.equal(e.assignmentName, 'asg');
});

test('a missing --initiative names the shipped short names', () => {
  const inputs = loadPolicyInputs({ initiatives: ['mcbs'] }, process.cwd());
  assert.match(inputs.diagnostics[0]!.message, /cannot read --initiative 'mcbs'.*mcsb, nz-ism, nl-bio, alz-apim/);
});

test('a rule setting naming a shipped policy the assignments replaced is a warning; a typo stays an error', () => {
  const dir = tempTree({ 'infra/main.json': deployment });
  const policies = () => loadPolicyInputs({ initiatives: ['alz-apim'] }, dir);
  // 1dc2fc00 (platform version stv2) ships but is not part of the ALZ APIM guardrails.
  const idle = loadRuleSet({}, { '1dc2fc00-2245-4143-99f4-874c937f13ef': { severity: 'high' } }, { policies: policies() });
  assert.deepEqual(idle.effectErrors, []);
  const warning = idle.diagnostics.find(
    (d) => d.severity === 'warning' && /1dc2fc00-2245-4143-99f4-874c937f13ef is not among the assigned policies/.test(d.message),
  );
  // The key travels as data, so the CLI points at its line without parsing the message.
  assert.deepEqual(warning?.configKey, ['rules', '1dc2fc00-2245-4143-99f4-874c937f13ef']);
  const typo = loadRuleSet({}, { '1dc2fc00-typo': { severity: 'high' } }, { policies: policies() });
  assert.match(typo.effectErrors.join('\n'), /rules\.1dc2fc00-typo: no rule has that id/);
});
