/**
 * Unknown, never a guess (issue 16 item 5): what Tollgate cannot know offline makes a verdict
 * undecided with the reason; it is never an implicit deny, a finding, or a pass.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadRuleSet, scan } from '../../src/scan.js';
import { loadPolicyInputs } from '../../src/policy/policy-inputs.js';
import { compileRawPolicy, definitionFromJson, evaluateRaw } from '../../src/policy/raw.js';
import type { PolicyResult } from '../../src/policy/engine.js';
import type { Value } from '../../src/resources/value.js';
import { repoRoot, template, tempTree } from '../helpers.js';

const MFA_DENY = readFileSync(path.join(repoRoot(), 'test/fixtures/upstream/azure-policy/MFA_Deny.json'), 'utf8');

function result(ifPart: unknown, resource: Value = {}, effect = 'deny', parameters: Record<string, Value> = {}): PolicyResult {
  const def = definitionFromJson({ if: ifPart, then: { effect } }, 'rule', parameters);
  return evaluateRaw(compileRawPolicy(def, {}), resource, {});
}

const outcome = (r: PolicyResult) => (r.kind === 'non-compliant' ? r.effect : r.kind);

test('the built-in MFA definition (4e6c27d5, reads requestContext().identity) leaves every resource of a scan undecided, with the reason', () => {
  const dir = tempTree({
    'infra/main.json': template({
      resources: [
        {
          type: 'Microsoft.Storage/storageAccounts',
          apiVersion: '2023-01-01',
          name: 'store',
          location: 'eastus',
          kind: 'StorageV2',
          sku: { name: 'Standard_LRS' },
        },
        {
          type: 'Microsoft.Network/virtualNetworks',
          apiVersion: '2023-09-01',
          name: 'vnet',
          location: 'eastus',
          properties: { addressSpace: { addressPrefixes: ['10.0.0.0/16'] } },
        },
      ],
    }),
    'policy/mfa.json': MFA_DENY,
  });
  const ruleSet = loadRuleSet({}, {}, { policies: loadPolicyInputs({ policies: ['policy'] }, dir) });
  const out = scan({ paths: ['infra'], cwd: dir, ruleSet });
  const id = '4e6c27d5-a6ee-49cf-b2b4-d8fe90fa2b8b';
  assert.deepEqual(
    out.findings.filter((f) => f.ruleId === id),
    [],
    'no finding, no implicit deny',
  );
  const results = out.results.filter((r) => r.ruleId === id);
  assert.equal(results.length, 2);
  for (const r of results) {
    assert.equal(r.outcome, 'unknown', `${r.resource.type}: ${r.reason}`);
    assert.match(r.reason!, /identity of the caller/);
  }
});

test('requestContext().identity is unknown; apiVersion is the request API version', () => {
  assert.equal(outcome(result({ value: '[requestContext().identity.idtyp]', equals: 'user' })), 'unknown');
  assert.equal(outcome(result({ value: "[tryGet(requestContext().identity, 'appid')]", notIn: ['x'] })), 'unknown');
  assert.equal(outcome(result({ value: '[requestContext().apiVersion]', equals: '2023-01-01' }, { apiVersion: '2023-01-01' })), 'deny');
});

test('three-valued logic: unknown AND false is false, unknown OR true is true, not unknown is unknown', () => {
  const unknown = { value: '[requestContext().identity.idtyp]', equals: 'user' };
  const yes = { value: 'a', equals: 'a' };
  const no = { value: 'a', equals: 'b' };
  assert.equal(outcome(result({ allOf: [unknown, no] })), 'compliant');
  assert.equal(outcome(result({ allOf: [no, unknown] })), 'compliant');
  assert.equal(outcome(result({ allOf: [unknown, yes] })), 'unknown');
  assert.equal(outcome(result({ anyOf: [unknown, yes] })), 'deny');
  assert.equal(outcome(result({ anyOf: [yes, unknown] })), 'deny');
  assert.equal(outcome(result({ anyOf: [unknown, no] })), 'unknown');
  assert.equal(outcome(result({ not: unknown })), 'unknown');
  assert.equal(outcome(result({ not: { allOf: [unknown, no] } })), 'deny');
  assert.equal(outcome(result({ not: { anyOf: [unknown, yes] } })), 'compliant');
});

test('deny and audit with an undecided condition give undecided (unknown), not a finding', () => {
  const unknown = { value: '[requestContext().identity.idtyp]', equals: 'user' };
  for (const effect of ['deny', 'audit']) {
    const r = result(unknown, {}, effect);
    assert.equal(r.kind, 'unknown', effect);
    assert.match((r as { reason: string }).reason, /identity of the caller/);
  }
});

test('a failure reached only if an undecided part does not decide is undecided, not an implicit deny', () => {
  const unknown = { value: '[requestContext().identity.idtyp]', equals: 'user' };
  const fails = { value: "[int('x')]", equals: 1 };
  // Azure stops at the first false part of an allOf: if the unknown one is false there is no failure.
  const r = result({ allOf: [unknown, fails] });
  assert.equal(r.kind, 'unknown');
  assert.match((r as { reason: string }).reason, /if that does not decide, evaluation fails/);
  assert.equal(result({ anyOf: [unknown, fails] }).kind, 'unknown');
  // A failure reached before anything undecided is still Azure's implicit deny.
  assert.equal(result({ allOf: [fails, unknown] }).kind, 'error');
  assert.equal(result(fails).kind, 'error');
});
