import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rulesNotRun } from '../../src/evaluate/rules-not-run.js';
import { defineRule } from '../../src/rules/define-rule.js';
import type { Rule } from '../../src/rules/rule.js';

const rule = (id: string, extra: Partial<Rule> & Record<string, unknown> = {}, effect?: string): Rule => {
  const base = defineRule({
    id,
    title: `title ${id}`,
    severity: 'low',
    description: '',
    recommendation: '',
    equivalents: [],
    appliesTo: ['*'],
    check: () => undefined,
  });
  return { ...base, meta: { ...base.meta, ...(effect && { effect }) }, ...extra } as Rule;
};

test('rules not run: each with its reason, those that cannot run first, in a stable order', () => {
  const list = rulesNotRun({
    rules: [
      rule('runs'),
      rule('z-off', { enabled: false }),
      rule('mine-off', { enabled: false }),
      rule('disabled', { enabled: false }, 'Disabled'),
      rule('needs', { enabled: false, unsetParameters: ['workspaceId', 'location'] }),
      rule('rp-mode', { enabled: false, notForTemplates: "mode 'Microsoft.Kubernetes.Data' evaluates a cluster's contents" }),
    ],
    turnedOff: new Set(['mine-off']),
    replaced: [rule('shipped').meta],
    unavailable: [
      {
        assignment: 'a1',
        initiative: 'i1',
        referenceId: 'ref1',
        definitionId: '/providers/Microsoft.Authorization/policyDefinitions/abc',
        groups: [],
        reason: 'Tollgate does not have the definition',
      },
    ],
  });
  assert.deepEqual(
    list.map((r) => [r.id, r.reason]),
    [
      ['needs', 'needs-parameters'],
      ['rp-mode', 'not-for-templates'],
      ['abc', 'unavailable'],
      ['disabled', 'effect-disabled'],
      ['mine-off', 'turned-off'],
      ['z-off', 'off-by-default'],
      ['shipped', 'not-assigned'],
    ],
  );
  assert.equal(list[0]!.detail, "needs parameters 'workspaceId', 'location' (no default): give them under rules.needs.parameters or with an assignment");
  assert.equal(list[2]!.assignment, 'a1');
  assert.equal(list[2]!.referenceId, 'ref1');
  // An assigned definition missing a parameter says the assignment does not give it.
  const assigned = rulesNotRun({
    rules: [{ ...rule('x', { enabled: false, unsetParameters: ['p'] }), meta: { ...rule('x').meta, assignment: 'team-a' } } as Rule],
  });
  assert.equal(assigned[0]!.detail, "needs parameter 'p' (no default): assignment team-a does not give it");
});
