import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PolicyCompileError, PolicyEffectError } from '../../src/policy/errors.js';
import { readPolicyDefinition } from '../../src/policy/definition.js';
import { createPolicyRule } from '../../src/policy/policy-rule.js';
import { SEED_ID, backend, check, ruleWith, seedDefinition, seedRule } from './helpers.js';

const FAILING = () => backend({ tls: { validateCertificateChain: false } });

test('the default effect is Audit, from the effect parameter, and makes warnings', () => {
  const rule = seedRule();
  assert.equal(rule.effect, 'Audit');
  assert.equal(rule.meta.effect, 'Audit');
  assert.equal(rule.meta.level, 'warning');
  assert.equal(rule.enabled, true);
});

test('Deny makes errors; the spelling is taken from allowedValues', () => {
  const rule = seedRule({ effect: 'deny' });
  assert.equal(rule.effect, 'Deny');
  assert.equal(rule.meta.level, 'error');
  assert.match(check(rule, FAILING()).findings[0]!.message, /effect Deny\)$/);
});

test('the effect can come through the parameters, as an assignment gives it', () => {
  assert.equal(seedRule({ parameters: { EFFECT: 'Deny' } }).meta.level, 'error');
  assert.equal(seedRule({ parameters: { effect: 'Deny' }, effect: 'Audit' }).effect, 'Audit', 'an explicit effect wins');
});

test('Disabled: the rule is listed but not run', () => {
  const rule = seedRule({ effect: 'Disabled' });
  assert.equal(rule.enabled, false);
  assert.equal(rule.meta.effect, 'Disabled');
});

test('an effect outside allowedValues is an error that lists the allowed ones', () => {
  assert.throws(
    () => seedRule({ effect: 'Modify' }),
    (e: unknown) => e instanceof PolicyEffectError && e.message === "the effect 'Modify' is not one of the allowed effects (Audit, Disabled, Deny)",
  );
  assert.throws(
    () => seedRule({ parameters: { effect: 'Append' } }),
    (e: unknown) => e instanceof PolicyEffectError && /'Append' is not an allowed value of parameter 'effect'/.test(e.message),
  );
});

test('a parameter the definition does not declare is an error', () => {
  assert.throws(
    () => seedRule({ parameters: { effects: 'Deny' } }),
    (e: unknown) => e instanceof PolicyCompileError && /no parameter 'effects'/.test(e.message),
  );
});

test('then.effect is evaluated with the shared ARM evaluator and the parameter values', () => {
  const definition = readPolicyDefinition({
    name: 'conditional-effect',
    properties: {
      parameters: { strict: { type: 'Boolean', defaultValue: false } },
      policyRule: { if: { field: 'type', equals: 'A.B/c' }, then: { effect: "[if(parameters('strict'), 'Deny', 'Audit')]" } },
    },
  });
  assert.equal(createPolicyRule(definition).effect, 'Audit');
  assert.equal(createPolicyRule(definition, { parameters: { strict: true } }).effect, 'Deny');
});

test('a fixed effect can only be turned off, not changed', () => {
  const definition = readPolicyDefinition({ name: 'fixed', properties: { policyRule: { if: { field: 'type', equals: 'A.B/c' }, then: { effect: 'deny' } } } });
  assert.equal(createPolicyRule(definition).meta.level, 'error');
  assert.equal(createPolicyRule(definition, { effect: 'Disabled' }).enabled, false);
  assert.throws(() => createPolicyRule(definition, { effect: 'Audit' }), PolicyEffectError);
});

test('metadata: guid id, display name, sidecar severity and remediation, equivalents with the policy itself first', () => {
  const { meta } = seedRule();
  assert.equal(meta.id, SEED_ID);
  assert.equal(meta.title, 'API Management calls to API backends should not bypass certificate thumbprint or name validation');
  assert.equal(meta.kind, 'policy');
  assert.equal(meta.severity, 'medium');
  assert.match(meta.recommendation, /validateCertificateChain and properties\.tls\.validateCertificateName to true/);
  assert.equal(meta.helpUri, 'https://learn.microsoft.com/azure/api-management/backends');
  assert.deepEqual(meta.equivalents, [
    { tool: 'azure-policy', id: SEED_ID },
    { tool: 'template-analyzer', id: 'TA-000032' },
  ]);
});

test('without a sidecar: severity medium, the description as recommendation, and the display name in messages', () => {
  const rule = createPolicyRule(seedDefinition());
  assert.equal(rule.meta.severity, 'medium');
  assert.equal(rule.meta.recommendation, seedDefinition().description);
  assert.match(
    check(rule, FAILING()).findings[0]!.message,
    /: API Management calls to API backends should not bypass certificate thumbprint or name validation \(policy /,
  );
});

test('a parameter without a value and without a default is an error when the rule reads it, named clearly', () => {
  const rule = ruleWith({ field: 'location', in: "[parameters('allowed')]" }, { extra: { parameters: { allowed: { type: 'Array' } } } });
  assert.throws(
    () => check(rule, backend({})),
    (e: unknown) => e instanceof PolicyCompileError && e.message === "parameter 'allowed' has no value and no defaultValue",
  );
  assert.equal(
    check(
      ruleWith({ field: 'location', in: "[parameters('allowed')]" }, { extra: { parameters: { allowed: { type: 'Array' } } }, parameters: { allowed: ['x'] } }),
      backend({}),
    ).outcome,
    'pass',
  );
});
