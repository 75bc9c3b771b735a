import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBuiltInPolicies, loadPolicies } from '../../src/policy/catalog.js';
import { tempTree } from '../helpers.js';
import { SEED_ID, backend, check, seedJson } from './helpers.js';

const TITLE = 'API Management calls to API backends should not bypass certificate thumbprint or name validation';

test('the built-in catalog: every APIM built-in and APIM-related definition compiles, the seed with its sidecar; those that need assignment parameters are listed but off', () => {
  const catalog = loadBuiltInPolicies();
  assert.deepEqual(catalog.diagnostics, []);
  assert.equal(catalog.definitions.length, 22);
  assert.equal(catalog.rules.length, 22);
  // They compile when they first meet a resource: compiled here, each must.
  for (const rule of catalog.rules) assert.doesNotThrow(() => rule.compiled, rule.meta.id);
  const off = catalog.rules
    .filter((r) => !r.enabled)
    .map((r) => r.meta.id)
    .sort();
  // 549814b6 is deprecated (default effect Disabled); the three diagnostic-settings definitions need a workspace/hub/account and a location.
  assert.deepEqual(
    off,
    [
      '3a8ff864-d881-44ce-bed3-0c63ede634cb',
      '549814b6-3212-4203-bdc8-1548d342fb67',
      '567c93f7-3661-494f-a30f-0a94d9bfebf8',
      '6f3f5778-f809-4755-9d8f-bd5a5a7add85',
    ].sort(),
  );
  const rule = catalog.rules.find((r) => r.meta.id === SEED_ID);
  assert.equal(rule!.source, 'catalog/policies/apim/BackendCertificateChecks_AuditDeny.json');
  assert.equal(rule!.sidecar.summary, 'API Management must validate backend certificates');
  assert.equal(check(rule!, backend({ tls: { validateCertificateName: false } })).findings.length, 1);
});

test('effect overrides by guid or display name, ignoring case', () => {
  const seed = (c: ReturnType<typeof loadBuiltInPolicies>) => c.rules.find((r) => r.meta.id === SEED_ID)!;
  assert.equal(seed(loadBuiltInPolicies({ effects: { [SEED_ID.toUpperCase()]: 'deny' } })).effect, 'Deny');
  const byName = loadBuiltInPolicies({ effects: { [TITLE.toLowerCase()]: 'Disabled' } });
  assert.equal(seed(byName).enabled, false);
  assert.deepEqual(byName.unmatchedEffects, []);
});

test('an override naming no definition, or an effect not allowed, is reported; the definition keeps its default', () => {
  const catalog = loadBuiltInPolicies({ effects: { 'no-such-policy': 'Deny', [SEED_ID]: 'Append' } });
  assert.deepEqual(catalog.unmatchedEffects, ['no-such-policy']);
  assert.deepEqual(catalog.rejectedEffects, [
    { key: SEED_ID, reason: `${SEED_ID}: the effect 'Append' is not one of the allowed effects (Audit, Disabled, Deny)` },
  ]);
  assert.equal(catalog.rules.find((r) => r.meta.id === SEED_ID)!.effect, 'Audit');
  assert.deepEqual(catalog.diagnostics, []);
});

test('malformed definitions are diagnostics naming the file and position; the others still load', () => {
  const unsupported = JSON.stringify(
    {
      name: 'bad-operator',
      properties: {
        displayName: 'Bad',
        policyRule: {
          if: {
            allOf: [
              { field: 'type', equals: 'A.B/c' },
              { field: 'name', matches: 'x#' },
            ],
          },
          then: { effect: 'audit' },
        },
      },
    },
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
  assert.deepEqual(
    catalog.rules.map((r) => r.meta.id),
    [SEED_ID],
  );
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
