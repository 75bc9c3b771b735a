import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { evaluateResources } from '../../src/evaluate/engine.js';
import { aliasCount, resolveAlias } from '../../src/policy/aliases.js';
import { loadBuiltInPolicies } from '../../src/policy/catalog.js';
import { controlsFor, shortControlId } from '../../src/policy/compliance.js';
import { PolicyCompileError } from '../../src/policy/condition.js';
import { readPolicyDefinition } from '../../src/policy/definition.js';
import { describePolicy } from '../../src/policy/describe.js';
import { createPolicyRule } from '../../src/policy/policy-rule.js';
import type { Resource } from '../../src/resources/resource.js';
import { Unknown, type ObjectValue } from '../../src/resources/value.js';
import { repoRoot } from '../helpers.js';

const SEED_ID = '92bb331d-ac71-416a-8c91-02f2cb734ce4';
const seedJson = () => JSON.parse(readFileSync(path.join(repoRoot(), 'catalog/policies/apim/BackendCertificateChecks_AuditDeny.json'), 'utf8'));
const seed = (effect?: string) => createPolicyRule(readPolicyDefinition(seedJson()), { effect });

/** A resource as the expander would produce it; locations are not under test here. */
function resource(type: string, name: string, body: ObjectValue): Resource {
  const loc = { file: 'x.json', start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };
  return {
    type,
    name,
    id: `/subscriptions/s/resourceGroups/rg/providers/${type}/${name}`,
    body: { type, name, ...body },
    children: [],
    source: { kind: 'export', document: undefined as never, location: loc, locate: () => ({ location: loc, exact: true, origins: [] }) },
  };
}
const backend = (properties: ObjectValue) => resource('Microsoft.ApiManagement/service/backends', 'svc/b1', { properties });

function run(rule = seed(), r: Resource) {
  const { results, findings } = evaluateResources({ file: 'x.json', resources: [r] }, [rule]);
  return { outcome: results[0]?.outcome, reason: results[0]?.reason, findings };
}

test('seed policy: validateCertificateChain false is non-compliant, pointing at that property', () => {
  const { outcome, findings } = run(seed(), backend({ url: 'https://x', tls: { validateCertificateChain: false, validateCertificateName: true } }));
  assert.equal(outcome, 'fail');
  assert.equal(findings.length, 1);
  assert.equal(findings[0]!.path, 'properties.tls.validateCertificateChain');
  assert.equal(findings[0]!.effect, 'Audit');
  assert.equal(findings[0]!.level, 'warning');
  assert.match(findings[0]!.message, /Backend 'b1' sets tls\.validateCertificateChain to false/);
});

test('seed policy: validateCertificateName false is non-compliant', () => {
  const { findings } = run(seed(), backend({ tls: { validateCertificateChain: true, validateCertificateName: false } }));
  assert.equal(findings[0]!.path, 'properties.tls.validateCertificateName');
});

test('seed policy: both true, or no tls at all, is compliant (as the definition says)', () => {
  assert.equal(run(seed(), backend({ tls: { validateCertificateChain: true, validateCertificateName: true } })).outcome, 'pass');
  assert.equal(run(seed(), backend({ url: 'https://x' })).outcome, 'pass');
  assert.equal(run(seed(), backend({ tls: {} })).outcome, 'pass');
});

test('seed policy: property names are read case-insensitively, as ARM does', () => {
  assert.equal(run(seed(), backend({ TLS: { ValidateCertificateChain: false } })).outcome, 'fail');
});

test('seed policy: other resource types are not evaluated', () => {
  const api = resource('Microsoft.ApiManagement/service/apis', 'svc/a', { properties: { tls: { validateCertificateChain: false } } });
  const { results } = evaluateResources({ file: 'x.json', resources: [api] }, [seed()]);
  assert.deepEqual(results, []);
  assert.deepEqual(seed().meta.appliesTo, ['Microsoft.ApiManagement/service/backends']);
});

test('seed policy: an unknown value makes the outcome unknown, never a guess', () => {
  const { outcome, reason } = run(seed(), backend({ tls: { validateCertificateChain: new Unknown('required parameter x has no value') } }));
  assert.equal(outcome, 'unknown');
  assert.match(reason!, /validateCertificateChain is not known before deployment/);
});

test('seed policy: an unknown chain with a false name is still non-compliant (anyOf needs one true)', () => {
  const { outcome } = run(seed(), backend({ tls: { validateCertificateChain: new Unknown('x'), validateCertificateName: false } }));
  assert.equal(outcome, 'fail');
});

test('effects: Audit by default; Deny is an error; Disabled does not run; others are refused', () => {
  assert.equal(seed().effect, 'Audit');
  assert.equal(seed().meta.level, 'warning');
  assert.equal(seed('deny').effect, 'Deny', 'canonical spelling from allowedValues');
  assert.equal(seed('Deny').meta.level, 'error');
  assert.equal(seed('Disabled').enabled, false);
  assert.throws(() => seed('Modify'), (e: unknown) => e instanceof PolicyCompileError && /'Modify' is not one of the allowed effects \(Audit, Disabled, Deny\)/.test(e.message));
});

test('catalog: effect overrides by id or display name; unknown ids and refused effects are reported', () => {
  const byName = loadBuiltInPolicies({ effects: { 'API Management calls to API backends should not bypass certificate thumbprint or name validation': 'Deny' } });
  assert.equal(byName.rules.find((r) => r.meta.id === SEED_ID)?.effect, 'Deny');
  const bad = loadBuiltInPolicies({ effects: { nope: 'Deny', [SEED_ID]: 'Append' } });
  assert.deepEqual(bad.unmatchedEffects, ['nope']);
  assert.equal(bad.rejectedEffects[0]?.key, SEED_ID);
  assert.deepEqual(loadBuiltInPolicies().diagnostics, []);
});

test('definitions: bare properties and the envelope read the same; policy keys ignore case', () => {
  const envelope = readPolicyDefinition(seedJson());
  const bare = readPolicyDefinition({ ...seedJson().properties, name: SEED_ID });
  assert.equal(bare.displayName, envelope.displayName);
  assert.equal(envelope.name, SEED_ID);
  assert.equal(envelope.version, '1.0.2');
  assert.equal(envelope.category, 'API Management');
  const shouting = readPolicyDefinition({ name: 'x', properties: { displayName: 'x', mode: 'All', policyRule: { IF: { FIELD: 'type', EQUALS: 'A.B/c' }, THEN: { EFFECT: 'audit' } } } });
  const rule = createPolicyRule(shouting);
  assert.deepEqual(rule.meta.appliesTo, ['A.B/c']);
  assert.equal(run(rule, resource('A.B/c', 'n', {})).outcome, 'fail');
});

test('bad definitions: unknown operator, two operators, no policyRule', () => {
  const withIf = (cond: unknown) => readPolicyDefinition({ name: 'x', properties: { policyRule: { if: cond, then: { effect: 'audit' } } } });
  assert.throws(() => createPolicyRule(withIf({ field: 'type', equalz: 'x' })), /unsupported operator 'equalz'/);
  assert.throws(() => createPolicyRule(withIf({ field: 'type', equals: 'x', notEquals: 'y' })), /exactly one operator/);
  assert.throws(() => readPolicyDefinition({ name: 'x', properties: {} }), /no policyRule/);
});

test('an alias that is not in the table makes the definition not applicable, naming the alias', () => {
  const def = readPolicyDefinition({
    name: 'x',
    properties: { policyRule: { if: { allOf: [{ field: 'type', equals: 'Microsoft.ApiManagement/service/backends' }, { field: 'Microsoft.ApiManagement/service/backends/madeUpAlias', equals: true }] }, then: { effect: 'audit' } } },
  });
  const { outcome, reason } = run(createPolicyRule(def), backend({}));
  assert.equal(outcome, 'skip');
  assert.match(reason!, /'Microsoft\.ApiManagement\/service\/backends\/madeUpAlias' is not in Tollgate's alias table/);
});

test('operators and fields: location is normalised, tags, in, like, exists, value conditions with parameters', () => {
  const svc = resource('Microsoft.ApiManagement/service', 'svc', { location: 'East US 2', tags: { env: 'Prod' }, properties: {} });
  const check = (cond: unknown, parameters?: Record<string, string>) => {
    const def = readPolicyDefinition({ name: 'x', properties: { parameters: { p: { type: 'string', defaultValue: 'd' } }, policyRule: { if: cond, then: { effect: 'audit' } } } });
    return run(createPolicyRule(def, { parameters }), svc).outcome;
  };
  assert.equal(check({ field: 'location', equals: 'eastus2' }), 'fail');
  assert.equal(check({ field: 'tags.env', equals: 'prod' }), 'fail');
  assert.equal(check({ field: "tags['env']", in: ['dev', 'PROD'] }), 'fail');
  assert.equal(check({ field: 'name', like: 's*' }), 'fail');
  assert.equal(check({ field: 'tags.owner', exists: false }), 'fail');
  assert.equal(check({ field: 'tags.owner', notEquals: 'x' }), 'fail', 'notEquals holds for a missing field');
  assert.equal(check({ field: 'tags.owner', equals: 'x' }), 'pass');
  assert.equal(check({ value: "[parameters('p')]", equals: 'given' }, { p: 'given' }), 'fail');
  assert.equal(check({ value: "[parameters('p')]", equals: 'given' }), 'pass', 'defaultValue d is used');
  assert.equal(check({ not: { field: 'location', equals: 'eastus2' } }), 'pass');
  assert.equal(check({ value: "[field('location')]", equals: 'eastus2' }), 'fail');
});

test('alias table: every APIM alias from the 2026-08-21 dump, resolved case-insensitively', () => {
  assert.equal(aliasCount(), 1335);
  assert.equal(resolveAlias('microsoft.apimanagement/SERVICE/backends/tls.validatecertificatechain')?.defaultPath, 'properties.tls.validateCertificateChain');
  assert.equal(resolveAlias('Microsoft.ApiManagement/service/backends/nope'), undefined);
});

test('compliance: the seed policy maps to MCSB IM-4, NZ ISM 23.4.10.C.01 and NL BIO U.10.5', () => {
  const controls = controlsFor(SEED_ID).map((c) => `${c.initiative}: ${c.shortId}`).sort();
  assert.deepEqual(controls, ['Microsoft cloud security benchmark: IM-4', 'NL BIO Cloud Theme V2: U.10.5', 'New Zealand ISM: 23.4.10.C.01']);
  assert.equal(shortControlId('Azure_Security_Benchmark_v3.0_IM-4'), 'IM-4');
  assert.equal(shortControlId('U.10.5 - Competent'), 'U.10.5');
});

test('describePolicy prints what the seed page shows', () => {
  const rule = seed();
  const text = describePolicy(rule.definition, rule);
  for (const expected of [
    'Id              92bb331d-ac71-416a-8c91-02f2cb734ce4',
    'Version         1.0.2',
    'Category        API Management',
    'Mode            All',
    'Default effect  Audit',
    'Allowed effects Audit, Disabled, Deny',
    'Microsoft.ApiManagement/service/backends/tls.validateCertificateChain\n    -> properties.tls.validateCertificateChain',
    'Microsoft.ApiManagement/service/backends/tls.validateCertificateName\n    -> properties.tls.validateCertificateName',
    'Microsoft cloud security benchmark: IM-4',
    'New Zealand ISM: 23.4.10.C.01',
    'NL BIO Cloud Theme V2: U.10.5',
  ]) assert.ok(text.includes(expected), `describePolicy shows ${JSON.stringify(expected)}`);
});

test('a parameter without a value and without a default is an error for that resource, named clearly', () => {
  const def = readPolicyDefinition({
    name: 'x',
    properties: { parameters: { allowed: { type: 'array' } }, policyRule: { if: { field: 'location', in: "[parameters('allowed')]" }, then: { effect: 'audit' } } },
  });
  const { results } = evaluateResources({ file: 'x.json', resources: [backend({})] }, [createPolicyRule(def)]);
  assert.equal(results[0]!.outcome, 'error');
  assert.match(results[0]!.reason!, /parameter 'allowed' has no value and no defaultValue/);
});
