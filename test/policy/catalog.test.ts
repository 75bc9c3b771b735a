import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBuiltInPolicies, loadPolicies } from '../../src/policy/catalog.js';
import { tempTree } from '../helpers.js';
import { SEED_ID, backend, check, seedJson } from './helpers.js';

const TITLE = 'API Management calls to API backends should not bypass certificate thumbprint or name validation';

test('the built-in catalog loads the seed definition with its sidecar, and nothing else, without diagnostics', () => {
  const catalog = loadBuiltInPolicies();
  assert.deepEqual(catalog.diagnostics, []);
  assert.deepEqual(catalog.rules.map((r) => r.meta.id), [SEED_ID]);
  assert.deepEqual(catalog.definitions.map((d) => d.name), [SEED_ID]);
  const [rule] = catalog.rules;
  assert.equal(rule!.source, 'catalog/policies/apim/BackendCertificateChecks_AuditDeny.json');
  assert.equal(rule!.sidecar.summary, 'API Management must validate backend certificates');
  assert.equal(check(rule!, backend({ tls: { validateCertificateName: false } })).findings.length, 1);
});

test('effect overrides by guid or display name, ignoring case', () => {
  assert.equal(loadBuiltInPolicies({ effects: { [SEED_ID.toUpperCase()]: 'deny' } }).rules[0]!.effect, 'Deny');
  const byName = loadBuiltInPolicies({ effects: { [TITLE.toLowerCase()]: 'Disabled' } });
  assert.equal(byName.rules[0]!.enabled, false);
  assert.deepEqual(byName.unmatchedEffects, []);
});

test('an override naming no definition, or an effect not allowed, is reported; the definition keeps its default', () => {
  const catalog = loadBuiltInPolicies({ effects: { 'no-such-policy': 'Deny', [SEED_ID]: 'Append' } });
  assert.deepEqual(catalog.unmatchedEffects, ['no-such-policy']);
  assert.deepEqual(catalog.rejectedEffects, [{ key: SEED_ID, reason: `${SEED_ID}: the effect 'Append' is not one of the allowed effects (Audit, Disabled, Deny)` }]);
  assert.equal(catalog.rules[0]!.effect, 'Audit');
  assert.deepEqual(catalog.diagnostics, []);
});

test('malformed definitions are diagnostics naming the file and position; the others still load', () => {
  const unsupported = JSON.stringify(
    { name: 'bad-operator', properties: { displayName: 'Bad', policyRule: { if: { allOf: [{ field: 'type', equals: 'A.B/c' }, { field: 'name', matches: 'x#' }] }, then: { effect: 'audit' } } } },
    null,
    2,
  );
  const dir = tempTree({
    'a/broken.json': '{ "properties": { "displayName": ',
    'a/no-rule.json': JSON.stringify({ name: 'no-rule', properties: { displayName: 'No rule' } }),
    'b/operator.json': unsupported,
    'b/operator.tollgate.json': '{ "severity": "medium" }',
    'c/seed.json': JSON.stringify(seedJson(), null, 2),
    'c/seed.tollgate.json': '{ "severity": "severe" }',
  });
  const catalog = loadPolicies(dir, dir);
  assert.deepEqual(catalog.rules.map((r) => r.meta.id), [SEED_ID]);
  const byFile = Object.fromEntries(catalog.diagnostics.map((d) => [d.file ?? d.location?.file, d]));
  assert.deepEqual(Object.keys(byFile).sort(), ['a/broken.json', 'a/no-rule.json', 'b/operator.json', 'c/seed.tollgate.json']);
  assert.equal(byFile['a/broken.json']!.code, 'json-syntax');
  assert.equal(byFile['a/broken.json']!.location?.start.line, 1);
  assert.equal(byFile['a/no-rule.json']!.message, 'not a policy definition: no policyRule');
  assert.equal(byFile['a/no-rule.json']!.file, 'a/no-rule.json');
  const op = byFile['b/operator.json']!;
  assert.equal(op.message, "cannot compile policy definition bad-operator: unsupported operator 'matches' (at policyRule.if.allOf[1])");
  // The second allOf member: its '{' is on the line before its "field", two lines before "matches" (lines are 1-based).
  const matchLine = unsupported.split('\n').findIndex((l) => l.includes('"matches"')) + 1;
  assert.equal(op.location?.file, 'b/operator.json');
  assert.equal(op.location?.start.line, matchLine - 2);
  assert.deepEqual(byFile['c/seed.tollgate.json'], {
    severity: 'warning',
    code: 'policy-sidecar',
    message: "ignoring unreadable sidecar: unknown severity 'severe'",
    file: 'c/seed.tollgate.json',
  });
  const broken = loadPolicies(tempTree({ 'seed.json': JSON.stringify(seedJson()), 'seed.tollgate.json': '{ "severity": ' }), '/').diagnostics;
  assert.equal(broken.length, 1);
  assert.equal(broken[0]!.severity, 'warning');
  assert.match(broken[0]!.message, /^ignoring unreadable sidecar: invalid JSON/);
  assert.match(broken[0]!.file!, /\/seed\.tollgate\.json$/);
  assert.equal(broken[0]!.location?.start.line, 1, 'a JSON error keeps its position');
  assert.equal(catalog.rules[0]!.meta.severity, 'medium', 'the definition loads without the bad sidecar');
});
