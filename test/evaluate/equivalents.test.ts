import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scan } from '../../src/scan.js';
import { defineRule } from '../../src/rules/define-rule.js';
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
      if (r.body['properties'] && (r.body['properties'] as Record<string, unknown>)['publicNetworkAccess'] !== 'Disabled') ctx.report({ path: 'properties.publicNetworkAccess', message: `${id} failed` });
    },
  });

test('equivalent rules failing on the same property give one finding that names the others', () => {
  const native = make('NATIVE-PNA', [{ tool: 'checkov', id: 'CKV_AZURE_174' }, { tool: 'azure-policy', id: 'df73bd95-24da-4a4f-96b9-4e8b94b402bd' }], 'medium');
  const policy = make('df73bd95-24da-4a4f-96b9-4e8b94b402bd', [], 'high');
  const unrelated = make('OTHER', [{ tool: 'psrule', id: 'Azure.X' }], 'medium');
  const dir = tempTree({ 'main.json': template({ resources: [{ type: 'Microsoft.ApiManagement/service', apiVersion: 'x', name: 'svc', properties: { publicNetworkAccess: 'Enabled' } }] }) });
  const out = scan({ paths: [dir], cwd: dir, ruleSet: { rules: [native, policy, unrelated], diagnostics: [], effectErrors: [] } });
  assert.deepEqual(out.findings.map((f) => f.ruleId).sort(), ['OTHER', 'df73bd95-24da-4a4f-96b9-4e8b94b402bd']);
  // The more severe one (error) is kept and names the native rule.
  const kept = out.findings.find((f) => f.ruleId === 'df73bd95-24da-4a4f-96b9-4e8b94b402bd')!;
  assert.deepEqual(kept.alsoReportedBy, ['NATIVE-PNA']);
});
