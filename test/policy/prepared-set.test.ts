import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../helpers.js';
import { computeDefaultPolicies, loadDefaultPolicies } from '../../src/policy/default-set.js';
import { preparedDefaultPolicies } from '../../src/policy/prepared-set.js';
import type { PolicyRule } from '../../src/policy/policy-rule.js';
import { loadRuleSet, scan } from '../../src/scan.js';

// dist/default-set.json is made by `npm run build` (which `npm test` runs first).

/** What a rule is, as data: everything a scan or a report reads of it. */
function described(rule: PolicyRule) {
  return JSON.stringify({
    meta: rule.meta,
    enabled: rule.enabled,
    effect: rule.effect,
    notForTemplates: rule.notForTemplates ?? null,
    unset: rule.unsetParameters ?? [],
    source: rule.source ?? null,
    sidecar: rule.sidecar,
    definition: rule.definition,
  });
}

test('the prepared default set is the set loaded from the shipped files: the same rules, diagnostics, initiatives and skipped references', () => {
  const prepared = preparedDefaultPolicies();
  assert.ok(prepared, 'dist/default-set.json is missing or does not match the catalog: run npm run build');
  const computed = computeDefaultPolicies();
  assert.equal(prepared.rules.length, computed.rules.length);
  assert.ok(prepared.rules.length > 200);
  for (const [i, rule] of prepared.rules.entries()) assert.equal(described(rule as PolicyRule), described(computed.rules[i] as PolicyRule), rule.meta.id);
  assert.deepEqual(JSON.parse(JSON.stringify(prepared.definitions)), JSON.parse(JSON.stringify(computed.definitions)));
  assert.deepEqual(prepared.diagnostics, computed.diagnostics);
  assert.deepEqual(prepared.skipped, computed.skipped);
  // As data (a group's missing fields are undefined in one, absent in the other).
  const initiatives = (list: typeof prepared.initiatives) => JSON.parse(JSON.stringify(list.map((i) => ({ ...i, groups: [...i.groups] })))) as unknown;
  assert.deepEqual(initiatives(prepared.initiatives), initiatives(computed.initiatives));
  assert.ok(prepared.initiatives[0]!.groups.size > 0);
  // Compiled, they are the same policies.
  for (const [i, rule] of prepared.rules.entries()) {
    const a = (rule as PolicyRule).compiled;
    const b = (computed.rules[i] as PolicyRule).compiled;
    assert.equal(a.effect, b.effect);
    assert.deepEqual(a.condition.types(), b.condition.types());
  }
});

test('a scan with the prepared default set reports what a scan with the set loaded from the files reports', () => {
  const fromPrepared = loadRuleSet();
  const computed = new Map(computeDefaultPolicies().rules.map((r) => [r.meta.id, r]));
  // The same rule set with each policy rule made from the files instead (wrapped rules stay: they only turn a rule off).
  let swapped = 0;
  const rules = fromPrepared.rules.map((r) => {
    const twin = Object.getPrototypeOf(r) === Object.prototype ? computed.get(r.meta.id) : undefined;
    if (twin) swapped++;
    return twin ?? r;
  });
  assert.ok(swapped > 200);
  const examples = path.join(repoRoot(), 'examples');
  const a = scan({ paths: [examples], cwd: examples, ruleSet: fromPrepared });
  const b = scan({ paths: [examples], cwd: examples, ruleSet: { ...fromPrepared, rules } });
  assert.ok(a.findings.length > 0);
  assert.deepEqual(
    a.results.map((r) => [r.ruleId, r.resource.id, r.outcome, r.reason ?? '']),
    b.results.map((r) => [r.ruleId, r.resource.id, r.outcome, r.reason ?? '']),
  );
  assert.deepEqual(
    a.findings.map((f) => [f.ruleId, f.message, f.location?.start.line]),
    b.findings.map((f) => [f.ruleId, f.message, f.location?.start.line]),
  );
});

test('a prepared default set that does not match the shipped files is not used: the files are read instead', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'tollgate-prepared-'));
  try {
    cpSync(path.join(repoRoot(), 'catalog'), path.join(root, 'catalog'), { recursive: true });
    cpSync(path.join(repoRoot(), 'dist', 'default-set.json'), path.join(root, 'dist', 'default-set.json'));
    assert.ok(preparedDefaultPolicies(root), 'a faithful copy is used');
    // A definition edited without a build.
    appendFileSync(path.join(root, 'catalog', 'policies', 'apim', 'HTTPEnabled_AuditDeny.json'), '\n');
    assert.equal(preparedDefaultPolicies(root), undefined);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  // Configuration that changes the set (here an effect override) never takes the prepared one.
  const overridden = loadDefaultPolicies({ effects: { '92bb331d-ac71-416a-8c91-02f2cb734ce4': 'Disabled' } });
  assert.equal(overridden.rules.find((r) => r.meta.id === '92bb331d-ac71-416a-8c91-02f2cb734ce4')?.enabled, false);
});
