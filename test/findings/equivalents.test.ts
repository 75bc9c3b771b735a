import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRuleSet, scan } from '../../src/scan.js';
import { defineRule } from '../../src/rules/define-rule.js';
import { equivalentRules } from '../../src/findings/equivalents.js';
import type { Rule } from '../../src/rules/rule.js';
import { template, tempTree } from '../helpers.js';

// Two rules that check the same property, as a native rule and a built-in policy do.
const make = (id: string, equivalents: Rule['meta']['equivalents'], severity: 'high' | 'medium'): Rule =>
  defineRule({
    id,
    title: id,
    severity,
    description: '',
    recommendation: '',
    equivalents,
    appliesTo: ['Microsoft.ApiManagement/service'],
    check: (r, ctx) => {
      if (r.body['properties'] && (r.body['properties'] as Record<string, unknown>)['publicNetworkAccess'] !== 'Disabled')
        ctx.report({ path: 'properties.publicNetworkAccess', message: `${id} failed` });
    },
  });

test('equivalent rules failing on the same property give one finding that names the others', () => {
  const native = make(
    'NATIVE-PNA',
    [
      { tool: 'checkov', id: 'CKV_AZURE_174' },
      { tool: 'azure-policy', id: 'df73bd95-24da-4a4f-96b9-4e8b94b402bd' },
    ],
    'medium',
  );
  const policy = make('df73bd95-24da-4a4f-96b9-4e8b94b402bd', [], 'high');
  const unrelated = make('OTHER', [{ tool: 'psrule', id: 'Azure.X' }], 'medium');
  const dir = tempTree({
    'main.json': template({
      resources: [{ type: 'Microsoft.ApiManagement/service', apiVersion: 'x', name: 'svc', properties: { publicNetworkAccess: 'Enabled' } }],
    }),
  });
  const out = scan({ paths: [dir], cwd: dir, ruleSet: { rules: [native, policy, unrelated], diagnostics: [], effectErrors: [] } });
  assert.deepEqual(out.findings.map((f) => f.ruleId).sort(), ['OTHER', 'df73bd95-24da-4a4f-96b9-4e8b94b402bd']);
  // The more severe one (error) is kept and names the native rule.
  const kept = out.findings.find((f) => f.ruleId === 'df73bd95-24da-4a4f-96b9-4e8b94b402bd')!;
  assert.deepEqual(kept.alsoReportedBy, ['NATIVE-PNA']);
});

// The shipped pairs: each native rule and the built-in definition that names the same PSRule check.
test('default rule set: each native rule and its built-in twin report one finding per defect', () => {
  const svc = 'Microsoft.ApiManagement/service';
  const dir = tempTree({
    'main.json': template({
      resources: [
        {
          type: svc,
          apiVersion: '2023-05-01-preview',
          name: 'svc',
          location: 'westeurope',
          sku: { name: 'Developer', capacity: 1 },
          properties: {
            publisherEmail: 'a@b.c',
            publisherName: 'x',
            customProperties: { 'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10': 'True' },
          },
        },
        {
          type: `${svc}/apis`,
          apiVersion: '2023-05-01-preview',
          name: 'svc/orders',
          properties: { path: 'orders', protocols: ['http', 'https'], displayName: 'o', description: 'd' },
        },
        {
          type: `${svc}/apis/policies`,
          apiVersion: '2023-05-01-preview',
          name: 'svc/orders/policy',
          properties: {
            format: 'rawxml',
            value: '<policies><inbound/><backend><base/></backend><outbound><base/></outbound><on-error><base/></on-error></policies>',
          },
        },
        { type: `${svc}/namedValues`, apiVersion: '2023-05-01-preview', name: 'svc/token', properties: { displayName: 'token', secret: true, value: 'x' } },
      ],
    }),
  });
  const out = scan({ paths: [dir], cwd: dir, ruleSet: loadRuleSet() });
  const pairs: [string, string][] = [
    ['APIM-HTTPEndpoint', 'ee7495e7-3ba7-40b6-bfee-c29e22cc75d4'],
    ['APIM-EncryptValues', 'f1cc7827-022c-473e-836e-5a51cae0b249'],
    ['APIM-PolicyBase', 'd5448c98-e503-4fdd-bcd2-784960c00d04'],
    ['APIM-Protocols', 'Deny-APIM-TLS'],
    ['APIM-AvailabilityZone', '42daa904-5969-47ef-92cb-b75df946195a'],
  ];
  for (const [native, policy] of pairs) {
    const found = out.findings.filter((f) => f.ruleId === native || f.ruleId === policy);
    assert.equal(found.length, 1, `${native} / ${policy}: ${found.map((f) => `${f.ruleId} at ${f.path}`).join(', ')}`);
    const other = found[0]!.ruleId === native ? policy : native;
    assert.deepEqual(found[0]!.alsoReportedBy, [other], native);
  }
  // With --rules all both are reported.
  const all = scan({ paths: [dir], cwd: dir, ruleSet: loadRuleSet({}, {}, { all: true }) });
  for (const [native, policy] of pairs) {
    assert.ok(all.findings.some((f) => f.ruleId === native) && all.findings.some((f) => f.ruleId === policy), native);
  }
});

test('equivalent rules on unrelated properties of one resource stay two findings', () => {
  const a = make('A', [{ tool: 'psrule', id: 'Azure.Same' }], 'medium');
  const b = defineRule({ ...a.meta, id: 'B', check: (_r, ctx) => ctx.report({ path: 'properties.other', message: 'B failed' }) });
  const dir = tempTree({
    'main.json': template({
      resources: [{ type: 'Microsoft.ApiManagement/service', apiVersion: 'x', name: 'svc', properties: { publicNetworkAccess: 'Enabled' } }],
    }),
  });
  const out = scan({ paths: [dir], cwd: dir, ruleSet: { rules: [a, b], diagnostics: [], effectErrors: [] } });
  assert.deepEqual(out.findings.map((f) => f.ruleId).sort(), ['A', 'B']);
});

test('suppressing a finding suppresses its equivalent twin on the same property too, with the same suppression (default and --rules all)', () => {
  const svc = 'Microsoft.ApiManagement/service';
  const api = (suppress: object[]) => ({
    type: `${svc}/apis`,
    apiVersion: '2023-05-01-preview',
    name: 'svc/orders',
    metadata: { tollgate: { suppress } },
    properties: { path: 'orders', protocols: ['http', 'https'], displayName: 'o', description: 'd' },
  });
  const POLICY = 'ee7495e7-3ba7-40b6-bfee-c29e22cc75d4';
  const twins = (f: { ruleId: string }) => f.ruleId === 'APIM-HTTPEndpoint' || f.ruleId === POLICY;
  for (const rule of ['APIM-HTTPEndpoint', POLICY]) {
    const dir = tempTree({ 'main.json': template({ resources: [api([{ rule, reason: 'internal clients only, until Q2', expires: '2099-01-01' }])] }) });
    for (const ruleSet of [undefined, loadRuleSet({}, {}, { all: true })]) {
      const out = scan({ paths: [dir], cwd: dir, ...(ruleSet ? { ruleSet } : {}) });
      assert.deepEqual(out.findings.filter(twins), [], `${rule}: the twin must not come back as a new finding`);
      const suppressed = out.suppressed?.filter(twins) ?? [];
      assert.deepEqual(suppressed.map((f) => f.ruleId).sort(), ['APIM-HTTPEndpoint', POLICY].sort(), rule);
      assert.ok(suppressed.every((f) => f.suppression?.justification === 'internal clients only, until Q2' && f.suppression.kind === 'inSource'));
      assert.ok(!out.diagnostics.some((d) => d.code === 'suppression-unused'));
    }
  }
});

test('equivalent rules: one names the other, or both name one check of another tool; ids ignore case, tools do not', () => {
  const rule = (id: string, equivalents: { tool: string; id: string }[] = []) => ({ id, kind: 'policy' as const, equivalents });
  const native = rule('APIM-PublicNetwork', [{ tool: 'psrule', id: 'Azure.APIM.PublicAccess' }]);
  const policy = rule('DF73BD95-24DA-4A4F-96B9-4E8B94B402BD', [{ tool: 'psrule', id: 'azure.apim.publicaccess' }]);
  assert.equal(equivalentRules(native, policy), true, 'the same PSRule rule, in another case');
  assert.equal(equivalentRules(policy, native), true);
  assert.equal(equivalentRules(rule('A', [{ tool: 'azure-policy', id: 'df73bd95-24da-4a4f-96b9-4e8b94b402bd' }]), policy), true, 'A names the policy');
  assert.equal(equivalentRules(policy, rule('A', [{ tool: 'azure-policy', id: 'df73bd95-24da-4a4f-96b9-4e8b94b402bd' }])), true, 'either way round');
  assert.equal(equivalentRules(native, rule('B', [{ tool: 'checkov', id: 'Azure.APIM.PublicAccess' }])), false, 'the same id of another tool');
  assert.equal(equivalentRules(native, rule('C', [{ tool: 'PSRule', id: 'Azure.APIM.PublicAccess' }])), false, 'tools compare as written');
  assert.equal(equivalentRules(native, rule('D')), false);
  assert.equal(equivalentRules(rule('E'), rule('F')), false);
});
